import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bankOperating as BANK_OPERATING_ACCOUNT,
  payoutsInTransit as PAYOUTS_IN_TRANSIT_ACCOUNT,
  unidentifiedCredits as UNIDENTIFIED_CREDITS_ACCOUNT,
  unidentifiedDebits as UNIDENTIFIED_DEBITS_ACCOUNT,
  bankInTransit as bankInTransitAccount,
} from '../../src/postings/index.js';
import {
  type ExpectedPspPayout,
  type ImportedKeys,
  planStatement,
} from '../../src/bank/match/index.js';
import type { Database } from '../../src/db/index.js';
import { toCurrency } from '../../src/money/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { sqliteBankLeg } from '../../src/bank/sqlite-bank-stores.js';
import { ReconStore } from '../../src/reconcile/store.js';
import { writeOffs as WRITE_OFFS_ACCOUNT } from '../../src/postings/index.js';
import { type TestBook, balanceOf, capture, lined, payout, tempBook } from '../reconcile/book.js';
import { BATCH, importStatements, settledAndPaidOut } from './book.js';
import { bankEntry, statementOf } from './statements.js';
import { checkBooks } from '../helpers/check.js';

/**
 * A hostile review of the bank leg's money (issue 16): each test is a way the books could end up
 * wrong, or money move twice, that the review found or ruled out.
 */
describe('the bank leg under a hostile finance user', () => {
  let db: Database;
  let book: TestBook;
  let cleanup: () => void;
  let payoutId: string;
  const decisions = () =>
    sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null, dryRun: false }, [
      sqliteBankLeg(db),
    ]);
  const openOf = (itemClass: string) =>
    new ReconStore(db).openItems('bank').filter((item) => item.class === itemClass);
  const operatingAt = (instant: string) =>
    db
      .prepare(`SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) FROM ledger_entries e
              JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.tx_id WHERE a.name = ? AND t.effective_at <= ?`)
      .pluck()
      .get(BANK_OPERATING_ACCOUNT, instant) as bigint;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    payoutId = await settledAndPaidOut(book);
  });
  afterEach(() => cleanup());

  const dayOne = () =>
    statementOf(
      [bankEntry('credit', 6440n, { text: 'PO SIM 20261123 USD', accountServicerRef: 'B1' })],
      { id: 'D1', openingDate: '2026-11-24', openingMinor: 0n },
    );
  const dayTwo = () =>
    statementOf([bankEntry('debit', 2400n, { endToEndId: payoutId, accountServicerRef: 'B2' })], {
      id: 'D2',
      openingDate: '2026-11-25',
      openingMinor: 6440n,
    });

  it("an earlier day imported after a later day's balance difference was accepted: the later day no longer agrees, and says so", async () => {
    await importStatements(book, 'day-2.xml', [dayTwo()]);
    const [mismatch] = openOf('balance_mismatch');
    expect(mismatch?.subject).toBe('balance:DE89370400440532013000:USD:2026-11-25');
    decisions().decide(mismatch!.itemId, 'accept');
    expect(operatingAt('2026-11-25T23:59:59.999Z')).toBe(4040n);

    const outcome = await importStatements(book, 'day-1.xml', [dayOne()]);
    // The day-1 credit is now in the books twice for 2026-11-25: once as itself, once in the accepted difference.
    expect(operatingAt('2026-11-25T23:59:59.999Z')).toBe(10_480n);
    expect(outcome.summary.openCount).toBe(1);
    const [again] = openOf('balance_mismatch');
    expect(again?.itemId).toBe(mismatch!.itemId);
    expect(again?.amountMinor).toBe(-6440n);
    decisions().decide(again!.itemId, 'accept');
    expect(operatingAt('2026-11-25T23:59:59.999Z')).toBe(4040n);
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(0n);
  });

  it('the same day re-sent with other bytes (another header) moves nothing twice', async () => {
    await importStatements(book, 'day-1.xml', [dayOne()]);
    const resent = await importStatements(book, 'day-1-resent.xml', [
      { ...dayOne(), header: { ...dayOne().header, statementId: 'D1-COPY' } },
    ]);
    expect(resent.status).toBe('reconciled');
    expect(openOf('duplicate')).toHaveLength(1);
    expect(openOf('balance_mismatch')).toEqual([]);
    expect(balanceOf(db, BANK_OPERATING_ACCOUNT)).toBe(6440n);
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(0n);
  });

  it('a PSP payout written off as not received, then its credit arrives: linked, the write-off is reversed, nothing is doubled', async () => {
    await importStatements(book, 'day-27.xml', [
      statementOf([], { id: 'D27', openingDate: '2026-11-27', openingMinor: 0n }),
    ]);
    const notReceived = openOf('payout_not_received').find(
      (item) => item.internalRef === `psp-payout:sim:${BATCH}:USD`,
    );
    decisions().decide(notReceived!.itemId, 'write_off');
    expect([balanceOf(db, bankInTransitAccount('sim')), balanceOf(db, WRITE_OFFS_ACCOUNT)]).toEqual(
      [0n, 6440n],
    );

    await importStatements(book, 'day-30.xml', [
      statementOf(
        [bankEntry('credit', 6440n, { text: 'PO SIM 20261123 USD', accountServicerRef: 'LATE' })],
        { id: 'D30', openingDate: '2026-11-30', openingMinor: 0n },
      ),
    ]);
    const [late] = openOf('unknown_credit');
    expect(late).toBeDefined();
    expect(balanceOf(db, BANK_OPERATING_ACCOUNT)).toBe(6440n);
    const outcome = decisions().decide(late!.itemId, 'link', { linkTo: BATCH });
    expect(outcome.resolved).toBe(true);
    expect([
      balanceOf(db, bankInTransitAccount('sim')),
      balanceOf(db, WRITE_OFFS_ACCOUNT),
      balanceOf(db, BANK_OPERATING_ACCOUNT),
    ]).toEqual([0n, 0n, 6440n]);
    const parts = db
      .prepare('SELECT part, amount_minor FROM bank_matches WHERE payout_ref = ? ORDER BY id')
      .all(BATCH);
    expect(parts).toEqual([
      { part: 'difference', amount_minor: 6440n },
      { part: 'bank', amount_minor: 6440n },
      { part: 'difference', amount_minor: -6440n },
    ]);
    expect(() =>
      decisions().decide(openOf('unknown_credit')[0]?.itemId ?? late!.itemId, 'link', {
        linkTo: BATCH,
      }),
    ).toThrow();
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a seller payout written off as not left, then its debit shows: linked, the write-off reversed', async () => {
    await importStatements(book, 'day-27.xml', [
      statementOf([], { id: 'D27', openingDate: '2026-11-27', openingMinor: 0n }),
    ]);
    const notLeft = openOf('payout_not_received').find(
      (item) => item.internalRef === `seller-payout:${payoutId}`,
    );
    decisions().decide(notLeft!.itemId, 'write_off');
    expect([balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT), balanceOf(db, WRITE_OFFS_ACCOUNT)]).toEqual([
      0n,
      -2400n,
    ]);
    await importStatements(book, 'day-30.xml', [
      statementOf(
        [bankEntry('debit', 2400n, { endToEndId: payoutId, accountServicerRef: 'LATE-D' })],
        { id: 'D30', openingDate: '2026-11-30', openingMinor: 0n },
      ),
    ]);
    const [late] = openOf('unknown_debit');
    decisions().decide(late!.itemId, 'link', { linkTo: payoutId });
    expect([
      balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT),
      balanceOf(db, WRITE_OFFS_ACCOUNT),
      balanceOf(db, UNIDENTIFIED_DEBITS_ACCOUNT),
      balanceOf(db, BANK_OPERATING_ACCOUNT),
    ]).toEqual([0n, 0n, 0n, -2400n]);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a statement imported before the settlement file that reports its payout: the credit waits in suspense, links once the payout is known, nothing doubles', async () => {
    // A second batch, not yet reported: its credit comes first.
    await importStatements(book, 'day-24.xml', [
      statementOf(
        [
          bankEntry('credit', 6440n, { text: 'PO SIM 20261123 USD', accountServicerRef: 'B1' }),
          bankEntry('credit', 2470n, { text: 'PO SIM 20261124 USD', accountServicerRef: 'EARLY' }),
        ],
        { id: 'D24', openingDate: '2026-11-24', openingMinor: 0n },
      ),
    ]);
    const [early] = openOf('unknown_credit');
    expect(early?.amountMinor).toBe(2470n);
    await book.charge([['ord_9', '25.00']]);
    const rows = [capture('ord_9', 2500n, { batchId: 'po_sim_20261124_USD' })];
    await book.reconcile(
      'settlement-2026-11-24.csv',
      lined([
        ...rows,
        payout('po_sim_20261124_USD', rows, undefined, { batchId: 'po_sim_20261124_USD' }),
      ]),
    );
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(2470n);
    // The next statement does not find it (its credit is in the earlier file), so it is reported not received once due; the link settles both.
    await importStatements(book, 'day-30.xml', [
      statementOf([], { id: 'D30', openingDate: '2026-11-30', openingMinor: 8910n }),
    ]);
    expect(openOf('payout_not_received').map((item) => item.internalRef)).toContain(
      'psp-payout:sim:po_sim_20261124_USD:USD',
    );
    decisions().decide(early!.itemId, 'link', { linkTo: 'po_sim_20261124_USD' });
    expect(openOf('payout_not_received').map((item) => item.internalRef)).not.toContain(
      'psp-payout:sim:po_sim_20261124_USD:USD',
    );
    expect([
      balanceOf(db, bankInTransitAccount('sim')),
      balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT),
      balanceOf(db, BANK_OPERATING_ACCOUNT),
    ]).toEqual([0n, 0n, 8910n]);
  });

  it('amount_mismatch accepted, then a second credit naming the same payout: held as unknown, never received twice', async () => {
    await importStatements(book, 'day-24.xml', [
      statementOf(
        [bankEntry('credit', 6400n, { text: 'PO SIM 20261123 USD', accountServicerRef: 'S1' })],
        { id: 'D24', openingDate: '2026-11-24', openingMinor: 0n },
      ),
    ]);
    const [short] = openOf('amount_mismatch');
    decisions().decide(short!.itemId, 'accept');
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(0n);
    await importStatements(book, 'day-25.xml', [
      statementOf(
        [bankEntry('credit', 40n, { text: 'PO SIM 20261123 USD rest', accountServicerRef: 'S2' })],
        { id: 'D25', openingDate: '2026-11-25', openingMinor: 6400n },
      ),
    ]);
    const [rest] = openOf('unknown_credit');
    expect(rest?.amountMinor).toBe(40n);
    expect(() => decisions().decide(rest!.itemId, 'link', { linkTo: BATCH })).toThrow(
      /already received/,
    );
    expect([
      balanceOf(db, bankInTransitAccount('sim')),
      balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT),
    ]).toEqual([0n, 40n]);
  });
});

describe('references too weak to name a payout', () => {
  const USD = toCurrency('USD');
  const NOTHING: ImportedKeys = { otherFiles: new Set(), thisFile: new Map() };
  const payoutOf = (batchId: string, amountMinor: bigint): ExpectedPspPayout => ({
    psp: 'adyen',
    batchId,
    references: [batchId],
    currency: USD,
    amountMinor,
    payoutDate: '2026-11-23',
    payoutAt: '2026-11-23T23:59:59.000Z',
  });
  const credit = (amountMinor: bigint, text: string) => ({
    ...bankEntry('credit', amountMinor, { text }),
    line: 10,
    bookingDate: '2026-11-24',
  });
  const plan = (entries: ReturnType<typeof credit>[], payouts: ExpectedPspPayout[]) =>
    planStatement(
      { account: 'DE89', currency: USD, closingDate: '2026-11-24', entries },
      payouts,
      [],
      NOTHING,
      { windowDays: () => 3 },
    );

  it('a short all-digit batch number (Adyen batch 42) is not found in an unrelated credit\'s "INVOICE 42" or "EUR 64,42": no amount_mismatch against it', () => {
    const payouts = [payoutOf('42', 6440n)];
    const result = plan(
      [credit(1999n, 'INVOICE 42 ACME'), credit(500n, 'REFUND EUR 64,42')],
      payouts,
    );
    expect(result.entries.map((entry) => entry.class)).toEqual([
      'unknown_credit',
      'unknown_credit',
    ]);
    // It still matches by amount within the window.
    expect(plan([credit(6440n, 'SETTLEMENT BATCH 42')], payouts).entries[0]).toMatchObject({
      class: 'matched',
      by: 'amount',
    });
  });

  it('a long reference still matches by reference, and short letters-and-digits ones too', () => {
    expect(
      plan([credit(6400n, 'PO SIM 20261123 USD')], [payoutOf('po_sim_20261123_USD', 6440n)])
        .entries[0],
    ).toMatchObject({ class: 'amount_mismatch' });
    expect(plan([credit(6400n, 'po 1')], [payoutOf('po_1', 6440n)]).entries[0]).toMatchObject({
      class: 'amount_mismatch',
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bankFees as BANK_FEES_ACCOUNT,
  bankOperating as BANK_OPERATING_ACCOUNT,
  payoutsInTransit as PAYOUTS_IN_TRANSIT_ACCOUNT,
  unidentifiedCredits as UNIDENTIFIED_CREDITS_ACCOUNT,
  unidentifiedDebits as UNIDENTIFIED_DEBITS_ACCOUNT,
  bankInTransit as bankInTransitAccount,
} from '../../src/postings/index.js';
import type { Database } from '../../src/db/index.js';
import { ReconStore } from '../../src/reconcile/store.js';
import { reconcileReport } from '../../src/reconcile/report.js';
import { listItems } from '../../src/reconcile/listing.js';
import { SqliteReconcileReads } from '../../src/reconcile/sqlite-reconcile-reads.js';
import { type TestBook, balanceOf, tempBook } from '../reconcile/book.js';
import { BATCH, importStatements, settledAndPaidOut } from './book.js';
import { bankEntry, statementOf } from './statements.js';
import { checkBooks, verifyBooks } from '../helpers/check.js';

const count = (db: Database, table: string) =>
  db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as bigint;

describe('reconcile bank: a statement against the payouts and the books', () => {
  let db: Database;
  let book: TestBook;
  let cleanup: () => void;
  let payoutId: string;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    payoutId = await settledAndPaidOut(book);
  });
  afterEach(() => cleanup());

  it('clears both payouts in transit, books a small charge by rule, and leaves nothing open', async () => {
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(6440n);
    expect(balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT)).toBe(2400n);
    const statement = statementOf([
      bankEntry('credit', 6440n, { text: 'PO SIM 20261123 USD', accountServicerRef: 'B1' }),
      bankEntry('debit', 2400n, { endToEndId: payoutId.toUpperCase(), accountServicerRef: 'B2' }),
      bankEntry('debit', 150n, { bankCharge: true, accountServicerRef: 'B3' }),
    ]);
    const outcome = await importStatements(book, 'day-2026-11-24.xml', [statement]);
    expect(outcome.status).toBe('reconciled');
    expect(outcome.summary.openCount).toBe(0);
    expect(outcome.summary.bank.matchedPayouts).toEqual({ psp: 1, seller: 1 });
    expect(outcome.summary.bank.postedTransactions).toBe(3);
    expect(
      outcome.summary.bank.entries.map((line) => [
        line.class,
        line.direction,
        line.entries,
        line.amountMinor,
      ]),
    ).toEqual([
      ['bank_fee', 'debit', 1, '-150'],
      ['matched', 'credit', 1, '6440'],
      ['matched', 'debit', 1, '-2400'],
    ]);
    expect(outcome.summary.rules).toMatchObject([
      { rule: 'bank-fee-cap', class: 'bank_fee', action: 'accept', applied: true },
    ]);
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(0n);
    expect(balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT)).toBe(0n);
    expect(balanceOf(db, BANK_OPERATING_ACCOUNT)).toBe(3890n);
    expect(balanceOf(db, BANK_FEES_ACCOUNT)).toBe(150n);
    const matches = db
      .prepare(
        'SELECT payout_kind, part, psp, payout_ref, amount_minor FROM bank_matches ORDER BY id',
      )
      .all();
    expect(matches).toEqual([
      {
        payout_kind: 'psp_payout',
        part: 'bank',
        psp: 'sim',
        payout_ref: BATCH,
        amount_minor: 6440n,
      },
      {
        payout_kind: 'seller_payout',
        part: 'bank',
        psp: 'sim',
        payout_ref: payoutId,
        amount_minor: 2400n,
      },
    ]);
    const postings = db
      .prepare(
        "SELECT idempotency_key, kind, effective_at FROM ledger_transactions WHERE kind LIKE 'bank.%' ORDER BY id",
      )
      .all();
    expect(postings).toEqual([
      {
        idempotency_key: `bank.received:sim:${BATCH}:USD`,
        kind: 'bank.payout-received',
        effective_at: '2026-11-24T23:59:59.999Z',
      },
      expect.objectContaining({
        kind: 'bank.payout-left',
        effective_at: '2026-11-24T23:59:59.999Z',
      }),
      expect.objectContaining({ kind: 'bank.fee' }),
    ]);
    expect((await checkBooks(db)).ok).toBe(true);
    expect((await verifyBooks(db)).ok).toBe(true);
  });

  it('produces every class, posts each to its account, and a later file resolves what it settles', async () => {
    const first = statementOf(
      [
        bankEntry('credit', 6430n, {
          text: 'payout po.sim.20261123.usd',
          accountServicerRef: 'B1',
        }),
        bankEntry('credit', 777n, { text: 'who knows', accountServicerRef: 'B2' }),
        bankEntry('debit', 555n, { text: 'card 1234' }),
        bankEntry('debit', 3000n, { bankCharge: true, accountServicerRef: 'B4' }),
        bankEntry('debit', 555n, { text: 'card 1234' }),
      ],
      { openingMinor: 100_000n, openingDate: '2026-12-01' },
    );
    const outcome = await importStatements(book, 'dec-01.xml', [first]);
    const store = new ReconStore(db);
    const open = store.openItems('bank');
    expect(open.map((item) => [item.class, item.amountMinor]).sort()).toEqual(
      [
        ['amount_mismatch', -10n],
        ['balance_mismatch', 100_000n],
        ['bank_fee', -3000n],
        ['duplicate', -555n],
        ['payout_not_received', -2400n],
        ['unknown_credit', 777n],
        ['unknown_debit', -555n],
      ].sort(),
    );
    const notReceived = open.find((item) => item.class === 'payout_not_received');
    expect(notReceived).toMatchObject({
      subject: `seller-payout:${payoutId}`,
      internalRef: `seller-payout:${payoutId}`,
      detail: { bank: { dueBy: '2026-11-26' } },
    });
    expect(open.find((item) => item.class === 'amount_mismatch')).toMatchObject({
      internalRef: `psp-payout:sim:${BATCH}:USD`,
      subject: 'entry:DE89370400440532013000:USD:B1',
      detail: { ours: { grossMinor: '6440' }, theirs: { grossMinor: '6430' } },
    });
    expect(outcome.summary.openCount).toBe(7);
    // The short payout is received with the bank's amount; the 10 cents stay in transit for the decision.
    expect(balanceOf(db, bankInTransitAccount('sim'))).toBe(10n);
    expect(balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT)).toBe(777n);
    expect(balanceOf(db, UNIDENTIFIED_DEBITS_ACCOUNT)).toBe(555n + 3000n + 555n);
    expect(balanceOf(db, BANK_OPERATING_ACCOUNT)).toBe(6430n + 777n - 555n - 3000n - 555n);
    expect((await checkBooks(db)).ok).toBe(true);

    // The next day: the seller payout leaves, and the first file's unknown credit comes again in an overlapping file.
    const second = statementOf(
      [
        bankEntry('credit', 777n, { text: 'who knows', accountServicerRef: 'B2' }),
        bankEntry('debit', 2400n, { text: `payout ${payoutId}` }),
      ],
      { openingMinor: 103_097n, openingDate: '2026-12-02', id: 'STMT-2' },
    );
    const later = await importStatements(book, 'dec-02.xml', [second]);
    const entries = db
      .prepare(
        'SELECT class, tx_id IS NOT NULL AS posted FROM bank_entries WHERE run_id = ? ORDER BY id',
      )
      .all(BigInt(later.run.id));
    expect(entries).toEqual([
      { class: 'duplicate', posted: 0n },
      { class: 'matched', posted: 1n },
    ]);
    const resolved = store.item(notReceived?.itemId as string);
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolution: expect.stringMatching(/^received: dec-02\.xml:20/) as unknown as string,
    });
    expect(balanceOf(db, PAYOUTS_IN_TRANSIT_ACCOUNT)).toBe(0n);
    expect(balanceOf(db, UNIDENTIFIED_CREDITS_ACCOUNT)).toBe(777n);
    expect(later.summary.bank.statements[0]).toMatchObject({
      openingMinor: '103097',
      openingBooksMinor: '3097',
    });
    expect((await checkBooks(db)).ok).toBe(true);
    // The report and the item list read bank runs like settlement runs.
    const report = await reconcileReport(new SqliteReconcileReads(db), BigInt(later.run.id));
    expect(report.summary.classes.map((line) => line.class)).toEqual([
      'matched',
      'duplicate',
      'balance_mismatch',
    ]);
    expect(
      (
        await listItems(
          new SqliteReconcileReads(db),
          { all: true },
          Date.parse('2026-12-03T00:00:00Z'),
        )
      ).some((item) => item.psp === 'bank'),
    ).toBe(true);
  });

  it("posts each entry its own transaction, in the entries' order, whose id its row and decision hold (entries posted in batches)", async () => {
    const first = statementOf([
      bankEntry('credit', 6440n, { text: BATCH, accountServicerRef: 'B1' }),
      bankEntry('credit', 777n, { text: 'who knows', accountServicerRef: 'B2' }),
      bankEntry('debit', 555n, { text: 'card 1234' }),
      bankEntry('debit', 150n, { bankCharge: true, accountServicerRef: 'B3' }),
      bankEntry('debit', 555n, { text: 'card 1234' }),
      bankEntry('debit', 2400n, { endToEndId: payoutId, accountServicerRef: 'B4' }),
    ]);
    await importStatements(book, 'one.xml', [first]);
    await importStatements(book, 'two.xml', [
      statementOf(
        [
          bankEntry('credit', 777n, { text: 'who knows', accountServicerRef: 'B2' }),
          bankEntry('credit', 888n, { accountServicerRef: 'B5' }),
        ],
        { openingDate: '2026-11-25', id: 'S2' },
      ),
    ]);
    const rows = db
      .prepare(
        'SELECT e.id, e.class, e.tx_id, t.metadata FROM bank_entries e LEFT JOIN ledger_transactions t ON t.id = e.tx_id ORDER BY e.id',
      )
      .all() as { id: bigint; class: string; tx_id: bigint | null; metadata: string | null }[];
    expect(rows.map((row) => row.class)).toEqual([
      'matched',
      'unknown_credit',
      'unknown_debit',
      'bank_fee',
      'duplicate',
      'matched',
      'duplicate',
      'unknown_credit',
    ]);
    // Only the other file's duplicate posts nothing; every other entry's transaction names the entry.
    expect(rows.map((row) => row.tx_id === null)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    const posted = rows.filter((row) => row.tx_id !== null);
    for (const row of posted)
      expect(JSON.parse(row.metadata as string)).toMatchObject({ entry: row.id.toString() });
    const txIds = posted.map((row) => row.tx_id as bigint);
    expect(txIds).toEqual([...txIds].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(txIds).size).toBe(txIds.length);
    const feeDecision = db
      .prepare("SELECT tx_ids FROM recon_decisions WHERE rule = 'bank-fee-cap'")
      .pluck()
      .get() as string;
    expect(JSON.parse(feeDecision)).toEqual([Number(rows[3]?.tx_id)]);
    expect((await verifyBooks(db)).ok).toBe(true);
  });

  it('the same bytes again change nothing; a dry run shows the run and writes nothing', async () => {
    const statement = statementOf([
      bankEntry('credit', 6440n, { text: BATCH, accountServicerRef: 'B1' }),
    ]);
    const tables = [
      'ledger_transactions',
      'bank_entries',
      'bank_statements',
      'bank_matches',
      'recon_runs',
      'recon_items',
      'recon_decisions',
    ];
    const before = tables.map((table) => count(db, table));
    const dry = await importStatements(book, 'day.xml', [statement], { dryRun: true });
    expect(dry).toMatchObject({
      status: 'reconciled',
      dryRun: true,
      summary: { bank: { matchedPayouts: { psp: 1, seller: 0 } } },
    });
    expect(tables.map((table) => count(db, table))).toEqual(before);
    const real = await importStatements(book, 'day.xml', [statement]);
    const after = tables.map((table) => count(db, table));
    const again = await importStatements(book, 'day.xml', [statement]);
    expect(again.status).toBe('already_imported');
    expect(again.summary).toEqual(real.summary);
    expect(tables.map((table) => count(db, table))).toEqual(after);
  });

  it('a statement that resolves the opening difference by the books: the balance item closes itself', async () => {
    const day1 = statementOf(
      [bankEntry('credit', 6440n, { text: BATCH, accountServicerRef: 'B1' })],
      { openingMinor: 500n, openingDate: '2026-11-24' },
    );
    await importStatements(book, 'd1.xml', [day1]);
    const [item] = new ReconStore(db)
      .openItems('bank')
      .filter((open) => open.class === 'balance_mismatch');
    expect(item).toMatchObject({
      amountMinor: 500n,
      subject: `balance:DE89370400440532013000:USD:2026-11-24`,
    });
    // Someone books the bank's history before payops (as accepting the item will): the next run sees the books agree.
    const { Ledger } = await import('../../src/ledger/index.js');
    new Ledger(db).post({
      idempotencyKey: 'opening-bank',
      kind: 'manual',
      description: 'bank before payops',
      effectiveAt: '2026-11-23T12:00:00.000Z',
      entries: [
        {
          account: BANK_OPERATING_ACCOUNT,
          currency: item?.currency ?? 'USD',
          direction: 'debit',
          amountMinor: 500n,
        } as never,
        {
          account: 'equity:opening',
          currency: item?.currency ?? 'USD',
          direction: 'credit',
          amountMinor: 500n,
        } as never,
      ],
    });
    await importStatements(book, 'd2.xml', [
      statementOf([], { openingMinor: 6940n, openingDate: '2026-11-25', id: 'S2' }),
    ]);
    expect(new ReconStore(db).item(item?.itemId as string)).toMatchObject({
      status: 'resolved',
      resolution: 'balanced: the books now agree with the bank on both dates',
    });
  });
});

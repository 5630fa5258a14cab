import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BANK_OPERATING_ACCOUNT, bankInTransitAccount } from '../../src/bank/accounts.js';
import type { Database } from '../../src/db/index.js';
import { Decisions } from '../../src/reconcile/decide.js';
import { ReconStore } from '../../src/reconcile/store.js';
import { type TestBook, balanceOf, tempBook } from '../reconcile/book.js';
import { importStatements, settledAndPaidOut } from './book.js';
import { bankEntry, statementOf } from './statements.js';

/**
 * A hostile review of the bank leg's money (issue 16): each test is a way the books could end up
 * wrong, or money move twice, that the review found or ruled out.
 */
describe('the bank leg under a hostile finance user', () => {
  let db: Database;
  let book: TestBook;
  let cleanup: () => void;
  let payoutId: string;
  const decisions = () => new Decisions(db, { clock: book.clock, by: 'tester', runId: null, dryRun: false });
  const openOf = (itemClass: string) => new ReconStore(db).openItems('bank').filter((item) => item.class === itemClass);
  const operatingAt = (instant: string) => db
    .prepare(`SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) FROM ledger_entries e
              JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.tx_id WHERE a.name = ? AND t.effective_at <= ?`)
    .pluck().get(BANK_OPERATING_ACCOUNT, instant) as bigint;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    payoutId = await settledAndPaidOut(book);
  });
  afterEach(() => cleanup());

  const dayOne = () => statementOf([bankEntry('credit', 6440n, { text: 'PO SIM 20261123 USD', accountServicerRef: 'B1' })], { id: 'D1', openingDate: '2026-11-24', openingMinor: 0n });
  const dayTwo = () => statementOf([bankEntry('debit', 2400n, { endToEndId: payoutId, accountServicerRef: 'B2' })], { id: 'D2', openingDate: '2026-11-25', openingMinor: 6440n });

  it('an earlier day imported after a later day\'s balance difference was accepted: the later day no longer agrees, and says so', async () => {
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
});

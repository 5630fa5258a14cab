import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { ReconStore } from '../../src/reconcile/store.js';
import { type TestBook, capture, lined, payout, tempBook } from './book.js';
import { checkBooks } from '../helpers/check.js';

/**
 * Issue 15: a +3.52 residual that was exactly a pending record's net (the payout paid it, the rows
 * omit it, its grace period runs) minus an injected row's net was proposed for adjustment.
 */
describe('a batch residual waits for what is still pending, and shows how it decomposes', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  const decisions = () => sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null });
  const open = () => new ReconStore(db).openItems();

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
    ]);
    // ord_1 (net 24.70) is paid in po_1 but its row is missing; ch_sim_x (net 21.18) is a row payops never made.
    const rows = [
      capture('ord_2', 1000n),
      capture('ord_x', 2150n, {
        pspReference: 'ch_sim_x',
        merchantReference: 'ord_not_ours',
        feeMinor: 32n,
      }),
    ];
    await book.reconcile('day1.csv', lined([...rows, payout('po_1', rows, 970n + 2470n)]));
    const injected = open().find((item) => item.class === 'missing_internal')!;
    decisions().decide(injected.itemId, 'accept');
  });
  afterEach(() => cleanup());

  it('is not proposed while a record of its currency is still pending inside the grace period', () => {
    const batch = open().find((item) => item.class === 'batch_total_mismatch')!;
    const options = decisions().optionsFor(batch);
    expect(options.proposed).toBe('note');
    expect(options.options.map((option) => option.action)).not.toContain('accept');
    expect(options.proposal).toContain('still pending');
    expect(options.proposal).toContain(
      'residual +3.52 USD = PSP paid 34.40 - books hold 30.88 (matched rows 9.70; missing_internal capture:ch_sim_x 21.18)',
    );
    expect(options.proposal).toContain('still pending in USD: 1 record, 25.00 gross');
    expect(() => decisions().decide(batch.itemId, 'accept')).toThrow(/not possible/);
  });

  it('is proposed, with its decomposition, once nothing is pending', async () => {
    book.now = Date.parse('2026-11-27T10:00:00Z');
    const rows = [
      capture('ord_9', 100n, {
        pspReference: 'ch_other',
        merchantReference: null,
        batchId: 'po_2',
        occurredAt: '2026-11-26T10:00:00.000Z',
      }),
    ];
    await book.reconcile(
      'day2.csv',
      lined([...rows, payout('po_2', rows, undefined, { occurredAt: '2026-11-26T23:00:00.000Z' })]),
    );
    expect(open().map((item) => item.subject)).toContain('capture:ord_1'); // missing_external now
    const batch = open().find(
      (item) => item.class === 'batch_total_mismatch' && item.batchId === 'po_1',
    )!;
    const options = decisions().optionsFor(batch);
    expect(options.proposed).toBe('accept');
    expect(options.proposal).toContain(
      'residual +3.52 USD = PSP paid 34.40 - books hold 30.88 (matched rows 9.70; missing_internal capture:ch_sim_x 21.18)',
    );
    expect(options.proposal).not.toContain('pending');
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

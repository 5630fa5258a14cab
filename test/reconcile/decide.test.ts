import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { InputError } from '../../src/errors.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { ReconStore } from '../../src/reconcile/store.js';
import {
  IN_TRANSIT,
  type TestBook,
  balanceOf,
  capture,
  lined,
  payout,
  settlementRow,
  tempBook,
} from './book.js';
import { checkBooks } from '../helpers/check.js';

describe('reconcile decisions', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  const decisions = () => sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null });
  const open = () => new ReconStore(db).openItems();
  const openBatch = (batchId: string) =>
    open().find((item) => item.class === 'batch_total_mismatch' && item.batchId === batchId)!;
  const bank = () => balanceOf(db, IN_TRANSIT);
  const receivable = () => balanceOf(db, 'assets:psp:sim:receivable');

  beforeEach(() => ({ db, book, cleanup } = tempBook()));
  afterEach(() => cleanup());

  /**
   * Found by review: linking a batch to a record whose item was resolved reopened that item and
   * settled the record's booked net to the bank again, with no write-back of an earlier decision.
   */
  describe('linking a batch to a record already resolved', () => {
    /** ord_1's row and a payout that also paid ord_7 (net 9.70), whose row the PSP left out. */
    async function batchA(): Promise<void> {
      await book.charge([
        ['ord_1', '10.00'],
        ['ord_7', '10.00'],
      ]);
      const rows = [capture('ord_1', 1000n, { batchId: 'po_a' })];
      await book.reconcile('day1.csv', lined([...rows, payout('po_a', rows, 970n + 970n)]));
      decisions().decide(openBatch('po_a').itemId, 'link', { linkTo: 'ord_7' });
      expect(open()).toEqual([]);
      expect([bank(), receivable()]).toEqual([1940n, 0n]);
    }

    it('refuses a record a decision already settled in another batch, and a row linked to it later', async () => {
      await batchA();
      await book.charge([['ord_2', '10.00']]);
      const rows = [
        capture('ord_2', 1000n, { batchId: 'po_b', occurredAt: '2026-11-23T13:00:00.000Z' }),
      ];
      await book.reconcile('day2.csv', lined([...rows, payout('po_b', rows, 970n + 970n)]));
      const batchB = openBatch('po_b');
      expect(() => decisions().decide(batchB.itemId, 'link', { linkTo: 'ord_7' })).toThrow(
        InputError,
      );
      expect(() => decisions().decide(batchB.itemId, 'link', { linkTo: 'ord_7' })).toThrow(
        'link: capture:ord_7 was already settled in batch po_a by a decision',
      );
      expect(open().map((item) => item.class)).toEqual(['batch_total_mismatch']);
      expect([bank(), receivable()]).toEqual([1940n + 970n, 0n]);

      // A row for ord_7 under another reference is not proposed, nor linked, as ord_7.
      const late = [
        capture('ord_7', 1000n, {
          pspReference: 'ch_late',
          batchId: 'po_c',
          occurredAt: '2026-11-23T14:00:00.000Z',
        }),
      ];
      await book.reconcile('day3.csv', lined([...late, payout('po_c', late)]));
      const row = open().find((item) => item.class === 'missing_internal')!;
      expect(row.probableRef).toBe('capture:ord_7');
      expect(decisions().optionsFor(row).proposed).toBe('accept');
      expect(() => decisions().decide(row.itemId, 'link', { linkTo: 'ord_7' })).toThrow(
        'link: capture:ord_7 was already settled in batch po_a by a decision',
      );

      // What the bank received is what the books say once the rest is accepted.
      decisions().decide(batchB.itemId, 'accept');
      decisions().decide(row.itemId, 'accept');
      expect(open()).toEqual([]);
      expect(bank()).toBe(1940n + 1940n + 970n);
      expect(receivable()).toBe(0n);
      expect((await checkBooks(db)).ok).toBe(true);
    });

    it('writes back a write-off of the record before settling it in the batch', async () => {
      await book.charge([['ord_7', '10.00']]);
      book.now = Date.parse('2026-11-27T08:00:00Z');
      await book.reconcile(
        'day1.csv',
        lined([
          settlementRow({
            type: 'fee',
            pspReference: 'fee_1',
            grossMinor: 0n,
            feeMinor: 0n,
            batchId: null,
            occurredAt: '2026-11-26T10:00:00.000Z',
          }),
        ]),
      );
      const missing = open().find((item) => item.class === 'missing_external')!;
      decisions().decide(missing.itemId, 'write_off');
      expect([balanceOf(db, 'expenses:reconciliation:write-offs'), receivable()]).toEqual([
        1000n,
        0n,
      ]);

      await book.charge([['ord_2', '10.00']]);
      const rows = [
        capture('ord_2', 1000n, { batchId: 'po_b', occurredAt: '2026-11-27T09:00:00.000Z' }),
      ];
      await book.reconcile('day2.csv', lined([...rows, payout('po_b', rows, 970n + 970n)]));
      const outcome = decisions().decide(openBatch('po_b').itemId, 'link', { linkTo: 'ord_7' });
      expect(outcome.resolved).toBe(true);
      expect(open()).toEqual([]);
      expect(new ReconStore(db).item(missing.itemId)).toMatchObject({
        status: 'resolved',
        resolution: 'linked to batch po_b: paid in its payout',
      });
      expect(balanceOf(db, 'expenses:reconciliation:write-offs')).toBe(0n);
      expect(balanceOf(db, 'expenses:psp-fees')).toBe(60n);
      expect([bank(), receivable()]).toEqual([1940n, 0n]);
      expect((await checkBooks(db)).ok).toBe(true);

      // The row the PSP left out arrives after all: the same money, not a second settlement.
      const late = [
        capture('ord_7', 1000n, { batchId: 'po_c', occurredAt: '2026-11-27T10:00:00.000Z' }),
      ];
      await book.reconcile('day3.csv', lined([...late, payout('po_c', late)]));
      expect(open().map((item) => item.class)).toEqual(expect.arrayContaining(['duplicate']));
      expect([bank(), receivable()]).toEqual([1940n, 0n]);
    });
  });

  it('linking a row to a record written off writes the write-off back, each posting claimed by one decision', async () => {
    await book.charge([['ord_7', '10.00']]);
    book.now = Date.parse('2026-11-27T08:00:00Z');
    await book.reconcile(
      'day1.csv',
      lined([
        settlementRow({
          type: 'fee',
          pspReference: 'fee_1',
          grossMinor: 0n,
          feeMinor: 0n,
          batchId: null,
          occurredAt: '2026-11-26T10:00:00.000Z',
        }),
      ]),
    );
    decisions().decide(
      open().find((item) => item.class === 'missing_external')!.itemId,
      'write_off',
    );
    const rows = [
      capture('ord_7', 1000n, { pspReference: 'ch_other', occurredAt: '2026-11-27T09:00:00.000Z' }),
    ];
    await book.reconcile('day2.csv', lined([...rows, payout('po_1', rows)]));
    const row = open().find((item) => item.class === 'missing_internal')!;
    expect(decisions().optionsFor(row)).toMatchObject({
      proposed: 'link',
      linkTarget: 'capture:ord_7',
    });
    const outcome = decisions().decide(row.itemId, 'link');
    expect(outcome.resolved).toBe(true);
    expect(open()).toEqual([]);
    expect([balanceOf(db, 'expenses:reconciliation:write-offs'), bank(), receivable()]).toEqual([
      0n,
      970n,
      0n,
    ]);
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
  });

  /**
   * Found by review: taking a chargeback back out of the books credited its dispute fee to
   * expenses:psp-fees, while the chargeback had booked it to expenses:chargeback-fees.
   */
  it('accepting a chargeback the PSP never reported undoes its fee in the chargeback fee account', async () => {
    await book.charge([['ord_1', '25.00']]);
    await book.chargeback('dp_1', 'ord_1', 2500n, 1500n);
    expect([balanceOf(db, 'expenses:chargeback-fees'), balanceOf(db, 'expenses:psp-fees')]).toEqual(
      [1500n, 30n],
    );
    book.now = Date.parse('2026-11-27T08:00:00Z');
    const rows = [capture('ord_1', 2500n, { occurredAt: '2026-11-26T10:00:00.000Z' })];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
    const missing = open().find((item) => item.class === 'missing_external')!;
    expect(missing.subject).toBe('chargeback:dp_1');
    decisions().decide(missing.itemId, 'accept');
    expect([balanceOf(db, 'expenses:chargeback-fees'), balanceOf(db, 'expenses:psp-fees')]).toEqual(
      [0n, 30n],
    );
    expect(balanceOf(db, 'expenses:reconciliation:adjustments')).toBe(-2500n);
    expect([bank(), receivable()]).toEqual([2470n, 0n]);
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

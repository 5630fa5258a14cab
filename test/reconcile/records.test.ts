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

/**
 * A record is settled once a row is paired with it, whatever reference that row carries: a row a
 * person linked under another reference, a refund or chargeback row without one that the matcher
 * paired by its order. Found by review: "settled" was decided by the record's own PSP reference,
 * so such a record still looked unsettled — proposed and linked a second time (its net to the bank
 * twice), raised as missing_external, and offered to the next row without a reference.
 */
describe('a record is settled by the row paired with it, whatever its reference', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  const decisions = () => sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null });
  const open = () => new ReconStore(db).openItems();

  beforeEach(() => ({ db, book, cleanup } = tempBook()));
  afterEach(() => cleanup());

  it('a second row for an order linked under another reference is not proposed or linked to it again', async () => {
    await book.charge([['ord_1', '25.00']], {
      ord_1: { status: 'succeeded', pspReference: 'ch_1', feeMinor: 30n },
    });
    const rows = [
      capture('ord_1', 2500n, { pspReference: 'ch_a' }),
      capture('ord_1', 2500n, { pspReference: 'ch_b' }),
    ];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
    const [first, second] = open().filter((item) => item.class === 'missing_internal');
    expect([first?.subject, second?.subject]).toEqual(['capture:ch_a', 'capture:ch_b']);
    expect(decisions().optionsFor(first!).proposed).toBe('link');
    decisions().decide(first!.itemId, 'link', { linkTo: 'ord_1' });
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n);

    expect(decisions().optionsFor(new ReconStore(db).item(second!.itemId)!).proposed).toBe(
      'accept',
    );
    expect(() => decisions().decide(second!.itemId, 'link', { linkTo: 'ord_1' })).toThrow(
      InputError,
    );
    expect(() => decisions().decide(second!.itemId, 'link', { linkTo: 'ord_1' })).toThrow(
      'link: capture:ord_1 was already settled by',
    );
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
    // The PSP did charge twice: booked as it states, the bank then holds the whole payout.
    decisions().decide(second!.itemId, 'accept');
    expect(open()).toEqual([]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(4940n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('an order linked while quietly pending is not raised as missing_external after its grace period', async () => {
    await book.charge([['ord_1', '25.00']], {
      ord_1: { status: 'succeeded', pspReference: 'ch_1', feeMinor: 30n },
    });
    const rows = [capture('ord_1', 2500n, { pspReference: 'ch_a' })];
    const day1 = await book.reconcile('day1.csv', lined([...rows, payout('po_1', rows)]));
    expect(day1.summary.classes.find((line) => line.class === 'pending')?.records).toBe(1);
    decisions().decide(open().find((item) => item.class === 'missing_internal')!.itemId, 'link', {
      linkTo: 'ord_1',
    });
    expect(open()).toEqual([]);

    book.now = Date.parse('2026-11-27T08:00:00Z');
    const later = lined([
      settlementRow({
        type: 'fee',
        pspReference: 'fee_1',
        grossMinor: 0n,
        feeMinor: 0n,
        batchId: null,
        occurredAt: '2026-11-26T10:00:00.000Z',
      }),
    ]);
    const day4 = await book.reconcile('day4.csv', later);
    expect(day4.summary.classes.map((line) => line.class)).toEqual(['matched']);
    expect(open()).toEqual([]);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a refund paired by its order (a row without a reference) is settled: neither pending nor taken by the next such row', async () => {
    await book.charge([['ord_2', '40.00']]);
    await book.refund('rf_1', 'ord_2', '4.00');
    const rows = [
      capture('ord_2', 4000n),
      settlementRow({ type: 'refund', merchantReference: 'ord_2', grossMinor: -400n }),
    ];
    const day1 = await book.reconcile('day1.csv', lined([...rows, payout('po_1', rows)]), {
      rules: { quietPending: false },
    });
    expect(day1.summary.classes).toEqual([
      expect.objectContaining({ class: 'matched', rows: 3, records: 2 }),
    ]);
    expect(open()).toEqual([]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(3970n - 400n);

    // A second refund of the same amount that payops never made: not rf_1 again.
    const again = [
      settlementRow({
        type: 'refund',
        merchantReference: 'ord_2',
        grossMinor: -400n,
        batchId: 'po_2',
        occurredAt: '2026-11-23T13:00:00.000Z',
      }),
    ];
    await book.reconcile('day2.csv', lined([...again, payout('po_2', again)]), {
      rules: { quietPending: false },
    });
    expect(open().map((item) => [item.class, item.probableRef])).toEqual([
      ['missing_internal', 'capture:ord_2'],
    ]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(3970n - 400n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a chargeback paired by its order (a row without a dispute id) is settled, not pending in the same run', async () => {
    await book.charge([['ord_3', '25.00']]);
    await book.chargeback('dp_1', 'ord_3', 2500n);
    const rows = [
      capture('ord_3', 2500n),
      settlementRow({
        type: 'chargeback',
        merchantReference: 'ord_3',
        grossMinor: -2500n,
        feeMinor: 1500n,
      }),
    ];
    const outcome = await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]), {
      rules: { quietPending: false },
    });
    expect(outcome.summary.classes.map((line) => line.class)).toEqual(['matched']);
    expect(open()).toEqual([]);
  });

  /**
   * A chargeback row's reference is its dispute id, so its item has the subject of the dispute's
   * own item ("chargeback:dp_1"): the same item. Found by review: the row's mismatch took that item
   * over before the record's item was settled, then the settling resolved it, so the mismatch
   * vanished, its row never reached the bank, and a decision that took the record out of the books
   * was not written back.
   */
  describe("a row that shares its record's item (a dispute id, a PSP that uses the order id)", () => {
    async function lateChargebackWithAnotherFee(decide?: (itemId: string) => void) {
      await book.charge([['ord_1', '25.00']]);
      await book.chargeback('dp_1', 'ord_1', 2500n, 1500n);
      book.now = Date.parse('2026-11-27T08:00:00Z');
      const day1 = [capture('ord_1', 2500n, { occurredAt: '2026-11-26T10:00:00.000Z' })];
      await book.reconcile('day1.csv', lined([...day1, payout('po_1', day1)]));
      const missing = open().find((item) => item.class === 'missing_external')!;
      expect(missing.subject).toBe('chargeback:dp_1');
      decide?.(missing.itemId);
      const rows = [
        settlementRow({
          type: 'chargeback',
          pspReference: 'dp_1',
          merchantReference: 'ord_1',
          grossMinor: -2500n,
          feeMinor: 1600n,
          batchId: 'po_2',
          occurredAt: '2026-11-27T09:00:00.000Z',
        }),
      ];
      await book.reconcile('day2.csv', lined([...rows, payout('po_2', rows)]));
      return missing.itemId;
    }

    it("keeps the row's mismatch open, and settles the row once it is decided", async () => {
      const itemId = await lateChargebackWithAnotherFee();
      expect(open().map((item) => [item.itemId, item.class, item.amountMinor])).toEqual([
        [itemId, 'fee_mismatch', 100n],
      ]);
      decisions().decide(itemId, 'accept');
      expect(open()).toEqual([]);
      expect(balanceOf(db, IN_TRANSIT)).toBe(2470n - 4100n);
      expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
      expect((await checkBooks(db)).ok).toBe(true);
    });

    it('writes back the decision that took the record out of the books', async () => {
      const itemId = await lateChargebackWithAnotherFee((id) => decisions().decide(id, 'accept'));
      expect(balanceOf(db, 'expenses:reconciliation:adjustments')).toBe(0n);
      expect(open().map((item) => [item.itemId, item.class])).toEqual([[itemId, 'fee_mismatch']]);
      decisions().decide(itemId, 'accept');
      expect(balanceOf(db, IN_TRANSIT)).toBe(2470n - 4100n);
      expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
      expect((await checkBooks(db)).ok).toBe(true);
    });
  });
});

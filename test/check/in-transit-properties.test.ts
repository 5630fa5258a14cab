import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bankOperating as BANK_OPERATING_ACCOUNT } from '../../src/postings/index.js';
import { IN_TRANSIT_CHECK_NAME } from '../../src/check/check.js';
import { type Currency, formatAmount } from '../../src/money/index.js';
import type { SettlementRow } from '../../src/reconcile/types.js';
import {
  EUR,
  IN_TRANSIT,
  USD,
  balanceOf,
  capture,
  lined,
  payout,
  tempBook,
} from '../reconcile/book.js';
import { checkBooks } from '../helpers/check.js';

const batchArbitrary = fc.record({
  currency: fc.constantFrom<Currency>(USD, EUR),
  amountsMinor: fc.array(fc.integer({ min: 100, max: 100_000 }), { minLength: 1, maxLength: 4 }),
  /** Which file reports the batch's payout row: its own (0), a later one (1, 2), or none yet (3). */
  payoutDelay: fc.constantFrom(0, 0, 1, 2, 3),
  /** Which file its rows are in. */
  file: fc.integer({ min: 0, max: 2 }),
});

function major(amountMinor: number): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
}

/**
 * Issue 16 item 6: whatever the settlement runs (batches spread over files, payout rows arriving in
 * a later file or not yet), before any bank statement the PSP's in-transit account holds exactly
 * the payouts of the batches settled, per currency; the operating account has not moved; and
 * `payops check` proves the in-transit identity.
 */
describe('money in transit, properties', () => {
  it('in-transit equals the sum of the batch payouts settled, per currency, while nothing was received', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchArbitrary, { minLength: 1, maxLength: 5 }),
        async (batches) => {
          const { db, book, cleanup } = tempBook();
          try {
            const files: SettlementRow[][] = [[], [], [], [], [], []];
            const expected = new Map<Currency, bigint>();
            let order = 0;
            const orders: [string, string, Currency][] = [];
            batches.forEach((batch, index) => {
              const batchId = `po_${index + 1}`;
              const rows = batch.amountsMinor.map((amountMinor) => {
                const orderId = `ord_${++order}`;
                orders.push([orderId, major(amountMinor), batch.currency]);
                return capture(orderId, BigInt(amountMinor), { batchId, currency: batch.currency });
              });
              files[batch.file]!.push(...rows);
              if (batch.payoutDelay === 3) return; // the PSP has not reported the payout yet
              files[batch.file + batch.payoutDelay]!.push(
                payout(batchId, rows, undefined, { currency: batch.currency }),
              );
              const paidMinor = rows.reduce((sum, row) => sum + row.netMinor, 0n);
              expected.set(batch.currency, (expected.get(batch.currency) ?? 0n) + paidMinor);
            });
            await book.charge(orders);
            for (const [index, rows] of files.entries())
              if (rows.length > 0) await book.reconcile(`day-${index}.csv`, lined(rows));
            for (const currency of [USD, EUR]) {
              expect(balanceOf(db, IN_TRANSIT, currency), currency).toBe(
                expected.get(currency) ?? 0n,
              );
              expect(balanceOf(db, BANK_OPERATING_ACCOUNT, currency), currency).toBe(0n);
            }
            const report = await checkBooks(db);
            expect(report.results.filter((result) => !result.ok)).toEqual([]);
            const holdings = [...expected]
              .filter(([, minor]) => minor !== 0n)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(
                ([currency, minor]) => `${IN_TRANSIT} ${currency} ${formatAmount(minor, currency)}`,
              );
            expect(
              report.results.find((result) => result.name === IN_TRANSIT_CHECK_NAME)?.details,
            ).toEqual([holdings.length === 0 ? 'nothing in transit' : holdings.join(', ')]);
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: Number(process.env.PAYOPS_PROPERTY_RUNS ?? 30) },
    );
  });
});

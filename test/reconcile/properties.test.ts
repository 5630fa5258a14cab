import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { balances } from '../../src/ledger/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import type { DecisionAction } from '../../src/reconcile/decision.js';
import { ReconStore } from '../../src/reconcile/store.js';
import type { SettlementRow } from '../../src/reconcile/types.js';
import { IN_TRANSIT, capture, lined, payout, tempBook } from './book.js';
import { checkBooks } from '../helpers/check.js';

type Fault = 'exact' | 'more' | 'less' | 'fee' | 'duplicate' | 'missing';

const orderArbitrary = fc.record({
  amountMinor: fc.integer({ min: 100, max: 100_000 }),
  fault: fc.constantFrom<Fault>('exact', 'exact', 'more', 'less', 'fee', 'duplicate', 'missing'),
  deltaMinor: fc.integer({ min: 1, max: 99 }),
});

function balanceOf(db: Database, account: string): bigint {
  return (
    balances(db).find((row) => row.account === account && row.currency === 'USD')?.balanceMinor ??
    0n
  );
}

/**
 * Whatever the PSP's rows get wrong (amounts, fees, repeated or missing rows, charges payops never
 * made) and whatever a person then decides among the choices offered, once every item is resolved
 * the bank holds exactly what the PSP paid out, the PSP receivable is empty, and `payops check`
 * passes. The payout is always the truth: what the PSP really captured, less its real fees.
 */
describe('reconciliation properties', () => {
  it('resolving every item leaves the bank with exactly the payout and the receivable at zero', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(orderArbitrary, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        async (orders, extras, picks) => {
          const { db, book, cleanup } = tempBook();
          try {
            await book.charge(
              orders.map((order, index) => [
                `ord_${index + 1}`,
                (BigInt(order.amountMinor) / 100n).toString() +
                  '.' +
                  String(order.amountMinor % 100).padStart(2, '0'),
              ]),
            );
            const rows: SettlementRow[] = [];
            let truthMinor = 0n;
            orders.forEach((order, index) => {
              const orderId = `ord_${index + 1}`;
              const gross = BigInt(order.amountMinor);
              const delta = BigInt(order.deltaMinor);
              truthMinor += gross - 30n;
              if (order.fault === 'missing') return;
              if (order.fault === 'more') rows.push(capture(orderId, gross + delta));
              else if (order.fault === 'less') rows.push(capture(orderId, gross - delta));
              else if (order.fault === 'fee')
                rows.push(capture(orderId, gross, { feeMinor: 30n + delta }));
              else rows.push(capture(orderId, gross));
              if (order.fault === 'duplicate') rows.push(capture(orderId, gross));
            });
            for (let extra = 0; extra < extras; extra++)
              rows.push(capture(`ord_x${extra}`, 1_000n, { pspReference: `ch_extra_${extra}` }));
            await book.reconcile('day.csv', lined([...rows, payout('po_1', rows, truthMinor)]), {
              rules: { graceDays: 0 },
            });

            const store = new ReconStore(db);
            const decisions = sqliteDecisions(db, { clock: book.clock, by: 'prop', runId: null });
            let pick = 0;
            const choose = (options: DecisionAction[]) =>
              options[(picks[pick++ % picks.length] as number) % options.length] as DecisionAction;
            for (let round = 0; round < 4; round++) {
              const open = store.openItems();
              if (open.length === 0) break;
              // Rows and records first; a batch is decided once its rows are.
              for (const item of [
                ...open.filter((candidate) => candidate.class !== 'batch_total_mismatch'),
                ...open.filter((candidate) => candidate.class === 'batch_total_mismatch'),
              ]) {
                const current = store.item(item.itemId);
                if (current?.status !== 'open') continue;
                const options = decisions.optionsFor(current);
                const actions = options.options
                  .map((option) => option.action)
                  .filter(
                    (action) =>
                      action === 'accept' ||
                      action === 'write_off' ||
                      (action === 'link' && options.linkTarget !== undefined),
                  );
                if (actions.length === 0) continue;
                decisions.decide(current.itemId, choose(actions));
              }
            }
            expect(store.openItems()).toEqual([]);
            expect(balanceOf(db, IN_TRANSIT)).toBe(truthMinor);
            expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
            const report = await checkBooks(db);
            expect(report.results.filter((result) => !result.ok)).toEqual([]);
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: Number(process.env.PAYOPS_PROPERTY_RUNS ?? 30) },
    );
  });
});

import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { executeDue } from '../../src/work/executors/payin.js';
import { DEFAULT_FEE_RULE } from '../../src/psp/fee-rule.js';
import { SimPsp } from '../../src/psp/sim/adapter.js';
import { NO_FAULTS } from '../../src/psp/sim/faults.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { syncChargebacks } from '../../src/refunds/chargebacks.js';
import { SqliteChargebackSyncStore } from '../../src/refunds/sqlite-chargeback-sync-store.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import { Wallets } from '../../src/wallet/wallet-store.js';
import { tempDatabase } from '../helpers/db.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

type Op =
  | { type: 'payin'; seller: number; amountCents: number; feePercent: number }
  | { type: 'release'; pick: number }
  | { type: 'refund'; pick: number; fraction: number }
  | { type: 'payout' }
  | { type: 'chargebacks' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('payin' as const),
      seller: fc.nat(3),
      amountCents: fc.integer({ min: 1, max: 50_000 }),
      feePercent: fc.integer({ min: 0, max: 100 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant('release' as const), pick: fc.nat(1000) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('refund' as const),
      pick: fc.nat(1000),
      fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ type: 'payout' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'chargebacks' as const }) },
);

const cents = (value: number) =>
  `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;

describe('random interleavings of pay-ins, releases, refunds, payouts and chargebacks', () => {
  it('keep every invariant: ledger, wallets, owed shares, refund totals, and the PSP charged and paid at most once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 5, maxLength: 25 }),
        fc.nat(1000),
        async (ops, seed) => {
          const { db, file, cleanup } = tempDatabase();
          const psp = new SimPsp({
            stateFile: `${file}.psp`,
            seed: String(seed),
            faults: { ...NO_FAULTS, dispute: 0.3 },
            feeRule: DEFAULT_FEE_RULE,
            clock: Date.now,
          });
          const retry = { baseMs: 1, capMs: 1, maxAttempts: 3 };
          const orders: { orderId: string; amountCents: number; refundedCents: number }[] = [];
          let n = 0;
          const events = async (...list: unknown[]) => {
            const input = path.join(path.dirname(file), `ops-${n++}.ndjson`);
            fs.writeFileSync(input, `${list.map((e) => JSON.stringify(e)).join('\n')}\n`);
            await ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
          };
          try {
            for (const step of ops) {
              if (step.type === 'payin') {
                const orderId = `ord_${n}`;
                const feeCents = Math.floor((step.amountCents * step.feePercent) / 100);
                await events({
                  eventId: `chk_${n}`,
                  type: 'pay_in',
                  occurredAt: '2026-11-23T10:00:00Z',
                  currency: 'USD',
                  payer: { id: 'b' },
                  paymentToken: 'tok_visa',
                  orders: [
                    {
                      orderId,
                      sellerId: `seller_${step.seller}`,
                      amount: cents(step.amountCents),
                      platformFee: cents(feeCents),
                    },
                  ],
                });
                await executeDue(sqliteBook(db), { psp, retry, clock: Date.now });
                orders.push({ orderId, amountCents: step.amountCents, refundedCents: 0 });
              } else if (step.type === 'release' && orders.length > 0) {
                const order = orders[step.pick % orders.length]!;
                const seller = (
                  db
                    .prepare('SELECT seller_id FROM orders WHERE order_id = ?')
                    .get(order.orderId) as { seller_id: string }
                ).seller_id;
                await events({
                  eventId: `dlv_${n}`,
                  type: 'pay_out',
                  occurredAt: '2026-11-24T10:00:00Z',
                  orderId: order.orderId,
                  seller: { id: seller, name: 'S', account: { iban: 'DE89370400440532013000' } },
                });
              } else if (step.type === 'refund' && orders.length > 0) {
                const order = orders[step.pick % orders.length]!;
                const amount = Math.max(1, Math.floor(order.amountCents * step.fraction));
                await events({
                  eventId: `rf_${n}`,
                  type: 'refund',
                  occurredAt: '2026-11-24T11:00:00Z',
                  orderId: order.orderId,
                  amount: cents(amount),
                });
                await new RefundExecutor(sqliteBook(db), { psp, retry, clock: Date.now }).runDue();
              } else if (step.type === 'payout') {
                await runPayouts(sqliteBook(db), { psp, retry, clock: Date.now });
              } else if (step.type === 'chargebacks') {
                await syncChargebacks(new SqliteChargebackSyncStore(db), psp);
              }
            }
            const report = await checkBooks(db, {
              psp: 'sim',
              chargesByOrder: psp.engine.chargesByMerchantReference(),
              payouts: psp.engine.payouts(),
            });
            expect(report.results.filter((r) => !r.ok)).toEqual([]);
            // Never a negative pending balance: shares leave pending only as far as they are owed.
            expect(new Wallets(db).all().every((w) => w.pendingMinor >= 0n)).toBe(true);
          } finally {
            psp.close();
            cleanup();
          }
        },
      ),
      { numRuns: Number(process.env.PAYOPS_PROPERTY_RUNS ?? 40) },
    );
  });
});

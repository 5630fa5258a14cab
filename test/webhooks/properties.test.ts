import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { type WebhookOutcome, parseWebhookEvent } from '../../src/webhooks/apply.js';
import { sqliteWebhookApplier } from '../../src/webhooks/sqlite-apply-store.js';
import type { ChargeResult } from '../../src/psp/port.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1, capMs: 1, maxAttempts: 3 };

interface OrderPlan {
  /** What the PSP answers the executor. */
  answer: 'pending' | 'succeeded' | 'declined';
  /** Where a pending charge ends. */
  settlesTo: 'succeeded' | 'failed';
}

const plan: fc.Arbitrary<OrderPlan> = fc.record({
  answer: fc.constantFrom('pending', 'pending', 'succeeded', 'declined'),
  settlesTo: fc.constantFrom('succeeded', 'failed'),
});

/**
 * Whatever the PSP's webhooks do (duplicates, any order, some before payops has an answer of its
 * own), each order ends where the PSP says, is booked at most once, and every invariant holds.
 */
describe('webhook deliveries in any order, duplicated, some too early', () => {
  it('apply each state change once and keep every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(plan, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.nat(40),
        async (plans, shuffle, early) => {
          const { db, file, cleanup } = tempDatabase();
          try {
            const ids = plans.map((_, i) => `ord_${i}`);
            const input = path.join(path.dirname(file), 'events.ndjson');
            fs.writeFileSync(
              input,
              `${JSON.stringify({
                eventId: 'chk_1',
                type: 'pay_in',
                occurredAt: '2026-11-23T09:00:00Z',
                currency: 'USD',
                payer: { id: 'b1' },
                paymentToken: 'tok_visa',
                orders: ids.map((orderId, i) => ({
                  orderId,
                  sellerId: `seller_${i % 3}`,
                  amount: '25.00',
                  platformFee: '2.50',
                })),
              })}\n`,
            );
            await ingest(new SqliteIntakeStore(db), [input], { psp: 'http' });
            const psp = new FakePsp();
            (psp as { name: string }).name = 'http';
            plans.forEach((p, i) => {
              const reference = `ch_ord_${i}`;
              const answer: ChargeResult =
                p.answer === 'pending'
                  ? { status: 'pending', pspReference: reference }
                  : p.answer === 'succeeded'
                    ? { status: 'succeeded', pspReference: reference, feeMinor: 102n }
                    : { status: 'declined', pspReference: reference, reason: 'card_declined' };
              psp.script(`ord_${i}`, answer);
            });
            // The PSP's events for each charge: what it answered, then where a pending one settled.
            const events: string[] = [];
            plans.forEach((p, i) => {
              const event = (status: 'pending' | 'succeeded' | 'failed', n: number) =>
                JSON.stringify({
                  id: `evt_${i}_${n}`,
                  type: `charge.${status}`,
                  created: '2026-11-23T10:00:00.000Z',
                  data: {
                    object: {
                      object: 'charge',
                      id: `ch_ord_${i}`,
                      status,
                      merchantReference: `ord_${i}`,
                      amountMinor: '2500',
                      currency: 'USD',
                      feeMinor: status === 'succeeded' ? '102' : null,
                      failureCode: status === 'failed' ? 'card_declined' : null,
                    },
                  },
                });
              if (p.answer === 'pending') events.push(event('pending', 0), event(p.settlesTo, 1));
              else events.push(event(p.answer === 'succeeded' ? 'succeeded' : 'failed', 0));
            });
            // Duplicates and any order: the deliveries are the events indexed by `shuffle`, then every event once more.
            const deliveries = [
              ...shuffle.map((n) => events[n % events.length] as string),
              ...events,
            ];
            const applier = sqliteWebhookApplier(db, {
              psp: 'http',
              retry: POLICY,
              clock: Date.now,
            });
            const outcomes: WebhookOutcome[] = [];
            const redeliver: string[] = [];
            const deliver = async (body: string) => {
              const { outcome } = await applier.apply(parseWebhookEvent(body), 'listen');
              outcomes.push(outcome);
              if (outcome === 'retry_later') redeliver.push(body);
            };
            // Some deliveries arrive before payops has executed anything.
            const cut = Math.min(early, deliveries.length);
            for (const body of deliveries.slice(0, cut)) await deliver(body);
            await new PayinExecutor(sqliteBook(db), {
              psp,
              retry: POLICY,
              clock: Date.now,
              random: () => 1,
            }).runDue();
            for (const body of deliveries.slice(cut)) await deliver(body);
            // The PSP delivers again what was answered "retry later".
            for (const body of redeliver.splice(0)) await deliver(body);

            const status = new Map(
              (
                db.prepare('SELECT order_id, status FROM orders').all() as {
                  order_id: string;
                  status: string;
                }[]
              ).map((row) => [row.order_id, row.status]),
            );
            plans.forEach((p, i) => {
              const expected =
                p.answer === 'declined'
                  ? 'failed'
                  : p.answer === 'succeeded'
                    ? 'succeeded'
                    : p.settlesTo;
              expect(status.get(`ord_${i}`)).toBe(expected);
            });
            expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(
              plans.filter((p) => p.answer === 'pending').length,
            );
            expect(outcomes).not.toContain('conflict');
            expect(outcomes).not.toContain('mismatch');
            const remembered = (
              db.prepare('SELECT COUNT(*) AS n FROM webhook_events').get() as { n: bigint }
            ).n;
            expect(Number(remembered)).toBe(events.length);
            const captures = (
              db
                .prepare(
                  "SELECT COUNT(*) AS n FROM ledger_transactions WHERE kind = 'payin.capture'",
                )
                .get() as { n: bigint }
            ).n;
            expect(Number(captures)).toBe(
              [...status.values()].filter((s) => s === 'succeeded').length,
            );
            expect((await checkBooks(db)).ok).toBe(true);
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

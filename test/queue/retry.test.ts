import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { executeDue, runPayin } from '../../src/work/executors/payin.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import type { RetryableFailure } from '../../src/psp/port.js';
import { requeueDeadLetters, retryDue } from '../../src/queue/retry.js';
import { listRefunds } from '../../src/refunds/queries.js';
import { SqliteRefundReads } from '../../src/refunds/sqlite-refund-reads.js';
import { tempDatabase } from '../helpers/db.js';
import { payoutIdOf } from '../../src/payouts/store.js';

/** seller_1's first payout: the share of ord_1 (40.00 less its 4.00 fee); ids come from content. */
const PAYOUT_ID = payoutIdOf({ sellerId: 'seller_1', currency: 'USD', amountMinor: 3600n }, 0n, 0);
import { eventsFile } from '../helpers/events.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 5 };
const unavailable: RetryableFailure = {
  status: 'retryable',
  kind: 'server_error',
  sent: false,
  detail: 'test 503',
};

/**
 * `--wait` means "until nothing is scheduled for retry". Found by the chaos campaign: `retry run
 * --wait` and `payin run --wait` waited for charges only, so refunds and payouts scheduled for a
 * retry were left behind (and the exit code counted every retry ever scheduled, not what is left).
 */
describe('retry run --wait (retryDue)', () => {
  let db: Database;
  let dir: string;
  let cleanup: () => void;
  let now: number;
  let psp: FakePsp;
  const clock = () => now;
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  };
  const file = (name: string, ...events: unknown[]) => eventsFile(dir, name, ...events);
  const status = (table: 'refunds' | 'payouts') =>
    (db.prepare(`SELECT status FROM ${table}`).all() as { status: string }[]).map(
      (row) => row.status,
    );

  beforeEach(async () => {
    let file_: string;
    ({ db, file: file_, cleanup } = tempDatabase());
    dir = path.dirname(file_);
    now = Date.parse('2026-11-23T10:00:00Z');
    sleeps.length = 0;
    psp = new FakePsp();
    const execution = { psp, retry: POLICY, clock };
    await runPayin(
      sqliteBook(db),
      [
        file('checkout.ndjson', {
          eventId: 'chk_1',
          type: 'pay_in',
          occurredAt: '2026-11-23T09:00:00Z',
          currency: 'USD',
          payer: { id: 'buyer_1' },
          paymentToken: 'tok_visa',
          orders: [
            { orderId: 'ord_1', sellerId: 'seller_1', amount: '40.00', platformFee: '4.00' },
            { orderId: 'ord_2', sellerId: 'seller_1', amount: '10.00' },
          ],
        }),
      ],
      {},
      execution,
    );
    await runPayin(
      sqliteBook(db),
      [
        file('delivery.ndjson', {
          eventId: 'dlv_1',
          type: 'pay_out',
          occurredAt: '2026-11-24T09:00:00Z',
          orderId: 'ord_1',
          seller: { id: 'seller_1', name: 'Seller 1', account: { iban: 'DE89370400440532013000' } },
        }),
      ],
      {},
      execution,
    );
    // The PSP is unavailable twice for the payout and the refund: both end up scheduled for retry.
    psp.payoutScripts.set(`payops-${PAYOUT_ID}-payout`, [unavailable, unavailable]);
    psp.refundScripts.set('payops-rf_1-refund', [unavailable, unavailable]);
    await runPayouts(sqliteBook(db), execution);
    expect(status('payouts')).toEqual(['retry_scheduled']);
  });
  afterEach(() => cleanup());

  it('works refunds and payouts scheduled for retry until they are final, as it does charges', async () => {
    const refund = file('refund.ndjson', {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'ord_2',
      amount: '10.00',
    });
    const payin = await runPayin(sqliteBook(db), [refund], {}, { psp, retry: POLICY, clock });
    expect(payin.refundsOpen).toEqual({ retryScheduled: 1, deadLettered: 0, needsAttention: 0 });
    expect(status('refunds')).toEqual(['retry_scheduled']);

    const summary = await retryDue(sqliteBook(db), {
      psp,
      retry: POLICY,
      clock,
      wait: true,
      sleep,
    });
    expect(status('refunds')).toEqual(['succeeded']);
    expect(status('payouts')).toEqual(['succeeded']);
    expect(summary.open).toEqual({
      refunds: { retryScheduled: 0, deadLettered: 0, needsAttention: 0 },
      payouts: { retryScheduled: 0, deadLettered: 0, needsAttention: 0 },
    });
    expect(summary.refunds).toMatchObject({ succeeded: 1, retryScheduled: 1 }); // a tally of what happened, not what is left
    expect(summary.payouts).toMatchObject({ succeeded: 1, retryScheduled: 1 });
    expect(sleeps.length).toBeGreaterThan(0);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('payin run --wait works the refunds of its file to the end too', async () => {
    const refund = file('refund.ndjson', {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'ord_2',
      amount: '10.00',
    });
    const payin = await runPayin(
      sqliteBook(db),
      [refund],
      {},
      { psp, retry: POLICY, clock, wait: true, sleep },
    );
    expect(payin.refunds).toMatchObject({ succeeded: 1 });
    expect(payin.refundsOpen).toEqual({ retryScheduled: 0, deadLettered: 0, needsAttention: 0 });
    expect(status('refunds')).toEqual(['succeeded']);
  });

  it('without --wait, one round: what is not due yet stays scheduled', async () => {
    await executeDue(sqliteBook(db), { psp, retry: POLICY, clock });
    const summary = await retryDue(sqliteBook(db), { psp, retry: POLICY, clock });
    expect(summary.open.payouts).toEqual({ retryScheduled: 1, deadLettered: 0, needsAttention: 0 });
  });

  it('dead letters include refunds: listed, and requeued with a fresh budget and the same key', async () => {
    const refund = file('refund.ndjson', {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'ord_2',
      amount: '10.00',
    });
    const twoAttempts = { ...POLICY, maxAttempts: 2 };
    await runPayin(
      sqliteBook(db),
      [refund],
      {},
      { psp, retry: twoAttempts, clock, wait: true, sleep },
    );
    expect(
      (await listRefunds(new SqliteRefundReads(db), { status: 'dead_lettered' })).map(
        (r) => r.refundId,
      ),
    ).toEqual(['rf_1']);
    // Found by the chaos campaign's operator: a dead-lettered refund could not be requeued at
    // all (dlq requeue knew charges and payouts), and dlq list did not show it.
    const summary = await requeueDeadLetters(
      sqliteBook(db),
      { psp, retry: twoAttempts, clock },
      { all: true },
      'operator test',
    );
    expect(summary.refunds).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(summary.open.refunds).toEqual({ retryScheduled: 0, deadLettered: 0, needsAttention: 0 });
    expect(status('refunds')).toEqual(['succeeded']);
    expect(psp.refundCalls.map((call) => call.idempotencyKey)).toEqual([
      'payops-rf_1-refund',
      'payops-rf_1-refund',
      'payops-rf_1-refund',
    ]);
    const causes = (
      db.prepare('SELECT cause FROM refund_transitions ORDER BY id').all() as { cause: string }[]
    ).map((row) => row.cause);
    expect(causes).toContainEqual(
      expect.stringMatching(/^requeued by operator test; key payops-rf_1-refund/),
    );
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('requeues by id: a refund and a payout named together', async () => {
    const refund = file('refund.ndjson', {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'ord_2',
      amount: '10.00',
    });
    const oneAttempt = { ...POLICY, maxAttempts: 1 };
    await runPayin(sqliteBook(db), [refund], {}, { psp, retry: oneAttempt, clock });
    await retryDue(sqliteBook(db), { psp, retry: oneAttempt, clock: () => now + 60_000 });
    expect([...status('refunds'), ...status('payouts')]).toEqual([
      'dead_lettered',
      'dead_lettered',
    ]);
    const summary = await requeueDeadLetters(
      sqliteBook(db),
      { psp, retry: POLICY, clock },
      { ids: ['rf_1', PAYOUT_ID] },
      'operator test',
    );
    expect(summary.refunds.attempted + summary.payouts.attempted).toBe(2);
    await retryDue(sqliteBook(db), { psp, retry: POLICY, clock, wait: true, sleep });
    expect([...status('refunds'), ...status('payouts')]).toEqual(['succeeded', 'succeeded']);
  });
});

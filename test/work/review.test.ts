import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import type { RetryableFailure } from '../../src/psp/port.js';
import { tempDatabase } from '../helpers/db.js';
import { capturedOrders, checkouts, events } from './books.js';
import { type Context, POLICY, T0 } from './executor-suite.js';
import { WorkPsp } from './work-psp.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const timeout: RetryableFailure = {
  status: 'retryable',
  kind: 'timeout',
  sent: true,
  detail: 'test timeout',
};

/** Hostile review of the work engine (issue 17): behaviour that differs from the code before it. */
describe('work engine review', () => {
  let ctx: Context;
  let cleanup: () => void;

  beforeEach(() => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    ctx = { db: temp.db, file: temp.file, psp: new WorkPsp(), now: () => T0 };
  });
  afterEach(() => cleanup());

  // `payin run` hands the charges' progress callback (its "charge … orders" bar) to the refund
  // executor too, in the same options; before the engine only the pay-in executor called it.
  it('a refund run reports nothing to the charges progress callback', async () => {
    const orderIds = await capturedOrders(ctx, 2);
    await events(
      ctx,
      'refunds.ndjson',
      orderIds.map((orderId, n) => ({
        eventId: `rf_${n}`,
        type: 'refund',
        occurredAt: '2026-11-26T12:00:00Z',
        orderId,
        amount: '20.00',
        reason: 'damaged',
      })),
    );
    const reported: number[] = [];
    const options = {
      psp: ctx.psp,
      retry: POLICY,
      clock: ctx.now,
      onBatch: (done: number) => reported.push(done),
    };
    const tally = await new RefundExecutor(sqliteBook(ctx.db), options).runDue();
    expect(tally).toMatchObject({ attempted: 2, succeeded: 2 });
    expect(reported).toEqual([]);
  });

  // Not a regression (the code before the engine did the same for charges and payouts): naming
  // one dead letter twice claims its row twice in one transaction, which throws and requeues nothing.
  it('a requeue that names one dead-lettered order twice requeues it once', async () => {
    const [orderId] = await checkouts(ctx, 1);
    if (orderId === undefined) throw new Error('no order');
    const key = `payops-${orderId}-charge`;
    ctx.psp.scripts.set(key, [timeout, timeout, timeout]);
    let now = T0;
    const executor = () =>
      new PayinExecutor(sqliteBook(ctx.db), {
        psp: ctx.psp,
        retry: POLICY,
        clock: () => now,
        random: () => 1,
      });
    for (let i = 0; i < 3; i++) {
      await executor().runDue();
      now += 10_000;
    }
    const status = () =>
      ctx.db.prepare('SELECT status FROM orders WHERE order_id = ?').pluck().get(orderId);
    expect(status()).toBe('dead_lettered');
    const tally = await executor().requeue([orderId, orderId], 'test operator');
    expect(tally).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(status()).toBe('succeeded');
  });
});

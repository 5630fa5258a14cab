import { PayinExecutor } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { eventsFile } from '../helpers/events.js';
import type { Context } from './executor-suite.js';
import { POLICY } from './executor-suite.js';
import path from 'node:path';
import { sqliteBook } from '../../src/book/sqlite-book.js';

/** `count` checkouts of one order each: ord_<n> of seller_<n>, 25.00 with a 2.50 fee (share 22.50). */
export async function checkouts(ctx: Context, count: number): Promise<string[]> {
  const orderIds = Array.from({ length: count }, (_, n) => `ord_${n}`);
  await events(
    ctx,
    'checkouts.ndjson',
    orderIds.map((orderId, n) => ({
      eventId: `chk_${n}`,
      type: 'pay_in',
      occurredAt: '2026-11-23T10:00:00Z',
      currency: 'USD',
      payer: { id: 'buyer_1' },
      paymentToken: 'tok_visa',
      orders: [{ orderId, sellerId: `seller_${n}`, amount: '25.00', platformFee: '2.50' }],
    })),
  );
  return orderIds;
}

/** The same checkouts, captured through the test's PSP. */
export async function capturedOrders(ctx: Context, count: number): Promise<string[]> {
  const orderIds = await checkouts(ctx, count);
  await new PayinExecutor(sqliteBook(ctx.db), {
    psp: ctx.psp,
    retry: POLICY,
    clock: ctx.now,
  }).runDue();
  return orderIds;
}

export async function events(ctx: Context, name: string, list: readonly unknown[]): Promise<void> {
  const file = eventsFile(path.dirname(ctx.file), name, ...list);
  const report = await ingest(new SqliteIntakeStore(ctx.db), [file], { psp: 'sim' });
  if (report.rejected > 0)
    throw new Error(`the test's ${name} had ${report.rejected} rejected lines`);
}

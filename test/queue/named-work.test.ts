import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { UsageError } from '../../src/errors.js';
import { runPayin } from '../../src/work/executors/payin.js';
import { requeueDeadLetters } from '../../src/queue/retry.js';
import { tempDatabase } from '../helpers/db.js';
import { eventsFile } from '../helpers/events.js';
import { FakePsp, timeout } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

/**
 * Found in review: `dlq requeue ord_…` claimed a dead letter whatever PSP it belonged to and sent
 * it through the PSP of the command (`sim` by default): a new charge with no memory of the first,
 * booked against the wrong PSP's receivable.
 */
describe('dlq requeue by id', () => {
  let db: Database;
  let cleanup: () => void;
  const clock = () => Date.parse('2026-11-23T10:00:00Z');
  const oneAttempt = { baseMs: 1_000, capMs: 8_000, maxAttempts: 1 };
  const status = (orderId: string) =>
    (db.prepare('SELECT status FROM orders WHERE order_id = ?').get(orderId) as { status: string })
      .status;

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    const input = eventsFile(path.dirname(file), 'checkout.ndjson', {
      eventId: 'chk_1',
      type: 'pay_in',
      occurredAt: '2026-11-23T09:00:00Z',
      currency: 'USD',
      payer: { id: 'buyer_1' },
      paymentToken: 'tok_visa',
      orders: [
        { orderId: 'ord_1', sellerId: 'seller_1', amount: '40.00' },
        { orderId: 'ord_2', sellerId: 'seller_1', amount: '10.00' },
      ],
    });
    const http = new FakePsp('http').script('ord_1', timeout);
    await runPayin(sqliteBook(db), [input], {}, { psp: http, retry: oneAttempt, clock });
    expect([status('ord_1'), status('ord_2')]).toEqual(['dead_lettered', 'succeeded']);
  });
  afterEach(() => cleanup());

  it("refuses another PSP's dead letter, an unknown id and live work, naming each, and touches nothing", async () => {
    const sim = new FakePsp('sim');
    const requeue = requeueDeadLetters(
      sqliteBook(db),
      { psp: sim, retry: oneAttempt, clock },
      { ids: ['ord_1', 'ord_404', 'ord_2'] },
      'operator test',
    );
    await expect(requeue).rejects.toThrow(UsageError);
    await expect(requeue).rejects.toThrow(
      /ord_1: this order belongs to PSP http, not sim \(requeue it with --psp http\); ord_404: no order, refund or payout has this id; ord_2: this order belongs to PSP http/,
    );
    const http = new FakePsp('http');
    const live = requeueDeadLetters(
      sqliteBook(db),
      { psp: http, retry: oneAttempt, clock },
      { ids: ['ord_1', 'ord_2'] },
      'operator test',
    );
    await expect(live).rejects.toThrow(
      /^dlq requeue: ord_2: this order is succeeded, not dead-lettered$/,
    );
    expect([...sim.calls, ...http.calls]).toEqual([]);
    expect(status('ord_1')).toBe('dead_lettered');
  });

  it('requeues it through the PSP that holds its key', async () => {
    const http = new FakePsp('http');
    const summary = await requeueDeadLetters(
      sqliteBook(db),
      { psp: http, retry: oneAttempt, clock },
      { ids: ['ord_1'] },
      'operator test',
    );
    expect(summary.charges).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(http.calls.map((call) => call.idempotencyKey)).toEqual(['payops-ord_1-charge']);
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

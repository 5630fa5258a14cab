import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { payops, tempDirPerTest } from '../helpers/cli.js';
import { eventsFile } from '../helpers/events.js';

const checkout = (eventId: string, ...orderIds: string[]) => ({
  eventId,
  type: 'pay_in',
  occurredAt: '2026-11-23T10:00:00Z',
  currency: 'USD',
  payer: { id: 'buyer_1' },
  paymentToken: 'tok_visa',
  orders: orderIds.map((orderId) => ({
    orderId,
    sellerId: 'seller_7',
    amount: '25.00',
    platformFee: '2.50',
  })),
});
// Every call answers 503; the first retry is an hour away, so the orders stay in the queue.
const FAILING = [
  '--faults',
  '5xx=1',
  '--seed',
  '1',
  '--retry-base-ms',
  '3600000',
  '--retry-cap-ms',
  '3600000',
];
const REASON = 'simulated 503 Service Unavailable';

interface Item {
  kind: string;
  id: string;
  attempts: number;
  lastError: string;
  nextAttemptAt?: string;
  amount: { amount: string; currency: string; amountMinor: string };
}

/** A run says why work went to the retry queue and the dead letters; `retry list` and `dlq list` show each item. */
describe('retry reasons (end to end)', () => {
  const temp = tempDirPerTest();
  const setup = () => {
    const db = path.join(temp.dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    return { db, run: (...args: string[]) => payops([...args, '--db', db]) };
  };

  it('groups the retries a payin run scheduled by reason, in text and JSON', () => {
    const { run } = setup();
    const text = run(
      'payin',
      'run',
      eventsFile(temp.dir, 'day.ndjson', checkout('chk_1', 'ord_1', 'ord_2', 'ord_3')),
      ...FAILING,
    );
    expect(text.code).toBe(6);
    expect(text.stdout).toContain(`retries   3 retries scheduled: ${REASON} (3)`);
    const json = JSON.parse(
      run(
        'payin',
        'run',
        eventsFile(temp.dir, 'more.ndjson', checkout('chk_2', 'ord_4')),
        ...FAILING,
        '--json',
      ).stdout,
    ) as Record<string, unknown>;
    expect(json.retriesByReason).toEqual([{ reason: REASON, count: 1 }]);
    expect(json.deadLettersByReason).toEqual([]);
    expect(json.orders).toMatchObject({
      retryScheduled: 1,
      retriesByReason: [{ reason: REASON, count: 1 }],
    });
  });

  it("lists the retry queue with each item's last error and next attempt (text, JSON, CSV)", () => {
    const { run } = setup();
    run('payin', 'run', eventsFile(temp.dir, 'day.ndjson', checkout('chk_1', 'ord_1')), ...FAILING);
    const items = JSON.parse(run('retry', 'list', '--json').stdout) as Item[];
    expect(items).toEqual([
      expect.objectContaining({
        kind: 'charge',
        id: 'ord_1',
        attempts: 1,
        lastError: `server_error: ${REASON}`,
        amount: { amount: '25.00', currency: 'USD', amountMinor: '2500' },
      }),
    ]);
    expect(items[0]?.nextAttemptAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const text = run('retry', 'list').stdout;
    expect(text).toMatch(/next attempt/);
    expect(text).toContain(
      `ord_1   25.00  USD              1  ${items[0]?.nextAttemptAt}  server_error: ${REASON}`,
    );
    const csv = run('retry', 'list', '--csv').stdout.trimEnd().split('\n');
    expect(csv[0]).toBe(
      'kind,id,order_id,seller_id,amount,currency,attempts,next_attempt_at,since,psp,last_error',
    );
    expect(csv[1]).toMatch(
      new RegExp(
        `^charge,ord_1,ord_1,seller_7,25.00,USD,1,${items[0]?.nextAttemptAt},[^,]+,sim,server_error: ${REASON}$`,
      ),
    );
    expect(csv).toHaveLength(2);
  });

  it('says why retry run dead-lettered, and lists dead letters as JSON and CSV', () => {
    const { db, run } = setup();
    run('payin', 'run', eventsFile(temp.dir, 'day.ndjson', checkout('chk_1', 'ord_1')), ...FAILING);
    const books = new Sqlite(db);
    books
      .prepare(
        "UPDATE orders SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE status = 'retry_scheduled'",
      )
      .run();
    books.close();
    const retry = run('retry', 'run', '--faults', '5xx=1', '--max-attempts', '2');
    expect(retry.stdout).toContain(`dead      1 dead-lettered: ${REASON} (1)`);
    expect(JSON.parse(run('dlq', 'list', '--json').stdout) as Item[]).toEqual([
      expect.objectContaining({
        kind: 'charge',
        id: 'ord_1',
        attempts: 2,
        amount: { amount: '25.00', currency: 'USD', amountMinor: '2500' },
      }),
    ]);
    const csv = run('dlq', 'list', '--csv').stdout.trimEnd().split('\n');
    expect(csv[0]).toBe('kind,id,order_id,seller_id,amount,currency,attempts,since,psp,last_error');
    expect(csv[1]).toMatch(/^charge,ord_1,ord_1,seller_7,25.00,USD,2,/);
    expect(run('retry', 'list').stdout).toBe('the retry queue is empty\n');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIRTH_CHECK_NAME } from '../../src/check/check.js';
import { BIRTH_QUERIES, type Database } from '../../src/db/index.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { showOrder } from '../../src/payments/queries.js';
import { SqliteOrderReads } from '../../src/payments/sqlite-order-reads.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

/**
 * Issue 14 item 5: the fields an order (or a refund) is born with are immutable in the schema,
 * and `check` proves each one against the event it came from, also after the triggers were
 * dropped by a hostile operator.
 */
const T0 = Date.parse('2026-11-23T10:00:00Z');
const PAY_IN = {
  eventId: 'chk_1',
  type: 'pay_in',
  occurredAt: '2026-11-23T09:00:00Z',
  currency: 'USD',
  payer: { id: 'buyer_1' },
  paymentToken: 'tok_visa',
  orders: [
    { orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' },
    { orderId: 'ord_2', sellerId: 'seller_9', amount: '10.00' },
  ],
};

describe('orders and refunds are what their events said', () => {
  let db: Database;
  let cleanup: () => void;
  let psp: FakePsp;
  let now: number;
  const load = async (...events: object[]) => {
    const input = path.join(path.dirname(db.name), `events-${Math.random()}.ndjson`);
    fs.writeFileSync(input, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };
  const executor = () =>
    new PayinExecutor(sqliteBook(db), {
      psp,
      retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 },
      clock: () => (now += 1_000),
      random: () => 1,
    });
  const birthCheck = async () =>
    (await checkBooks(db)).results.find((result) => result.name === BIRTH_CHECK_NAME);

  beforeEach(async () => {
    ({ db, cleanup } = tempDatabase());
    psp = new FakePsp();
    now = T0;
    await load(PAY_IN);
  });
  afterEach(() => cleanup());

  it("refuses an edit of a created order's amount or seller, and its deletion, in the schema", async () => {
    expect(() =>
      db.prepare("UPDATE orders SET amount_minor = 999999 WHERE order_id = 'ord_1'").run(),
    ).toThrow('orders amount_minor is immutable');
    expect(() =>
      db.prepare("UPDATE orders SET seller_id = 'mallory' WHERE order_id = 'ord_1'").run(),
    ).toThrow('orders seller_id is immutable');
    expect(() =>
      db.prepare("UPDATE orders SET birth_hash = 'x' WHERE order_id = 'ord_1'").run(),
    ).toThrow('orders birth_hash is immutable');
    expect(() => db.prepare("DELETE FROM orders WHERE order_id = 'ord_2'").run()).toThrow(
      'orders rows are never deleted',
    );
    expect(() => db.prepare("UPDATE events SET content_hash = 'x'").run()).toThrow(
      'events is append-only',
    );
    expect(await birthCheck()).toMatchObject({ ok: true, details: ['2 orders, 0 refunds'] });
  });

  it('with the trigger dropped, an edited order fails check, naming it', async () => {
    db.exec('DROP TRIGGER orders_birth_fields_immutable');
    db.prepare(
      "UPDATE orders SET amount_minor = 999999, seller_id = 'mallory' WHERE order_id = 'ord_1'",
    ).run();
    const report = await checkBooks(db);
    expect(report.ok).toBe(false);
    expect((await birthCheck())?.details).toEqual([
      'order ord_1: its fields no longer match the hash recorded at intake from event chk_1 (amount, seller or another field it was born with was changed)',
    ]);
  });

  it('with the events trigger dropped, a changed event content hash fails every order of the event', async () => {
    db.exec('DROP TRIGGER events_no_update');
    db.prepare("UPDATE events SET content_hash = '0000' WHERE event_id = 'chk_1'").run();
    expect((await birthCheck())?.details).toHaveLength(2);
  });

  it('the executor refuses to charge an order whose fields no longer match their hash: dead-lettered, never sent', async () => {
    db.exec('DROP TRIGGER orders_birth_fields_immutable');
    db.prepare("UPDATE orders SET amount_minor = 999999 WHERE order_id = 'ord_1'").run();
    const tally = await executor().runDue();
    expect(psp.calls.map((call) => call.merchantReference)).toEqual(['ord_2']);
    expect((await showOrder(new SqliteOrderReads(db), 'ord_1')).status).toBe('dead_lettered');
    expect((await showOrder(new SqliteOrderReads(db), 'ord_2')).status).toBe('succeeded');
    expect(tally.rejections).toEqual([
      expect.stringContaining(
        'order ord_1 was not charged: its fields no longer match the hash recorded at intake',
      ),
    ]);
  });

  it('refunds: fields immutable, and an edit made with the trigger dropped fails check', async () => {
    await executor().runDue();
    await load({
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T09:00:00Z',
      orderId: 'ord_1',
      amount: '5.00',
      reason: 'damaged',
    });
    expect(() =>
      db.prepare("UPDATE refunds SET amount_minor = 2500 WHERE refund_id = 'rf_1'").run(),
    ).toThrow('refunds amount_minor is immutable');
    expect(() => db.prepare("DELETE FROM refunds WHERE refund_id = 'rf_1'").run()).toThrow(
      'refunds rows are never deleted',
    );
    expect(await birthCheck()).toMatchObject({ ok: true, details: ['2 orders, 1 refunds'] });
    db.exec('DROP TRIGGER refunds_birth_fields_immutable');
    db.prepare("UPDATE refunds SET amount_minor = 2500 WHERE refund_id = 'rf_1'").run();
    expect((await birthCheck())?.details).toEqual([
      'refund rf_1: its fields no longer match the hash recorded at intake from its event (amount, order or another field it was born with was changed)',
    ]);
  });

  it('the refund executor refuses to pay out a refund whose fields no longer match their hash: dead-lettered, never sent (issue 14 item 4)', async () => {
    await executor().runDue();
    await load(
      {
        eventId: 'rf_1',
        type: 'refund',
        occurredAt: '2026-11-24T09:00:00Z',
        orderId: 'ord_1',
        amount: '5.00',
        reason: 'damaged',
      },
      {
        eventId: 'rf_2',
        type: 'refund',
        occurredAt: '2026-11-24T09:00:00Z',
        orderId: 'ord_2',
        amount: '1.00',
        reason: 'damaged',
      },
    );
    db.exec('DROP TRIGGER refunds_birth_fields_immutable');
    db.prepare(
      "UPDATE refunds SET amount_minor = 4000, order_id = 'ord_2' WHERE refund_id = 'rf_1'",
    ).run();
    const tally = await new RefundExecutor(sqliteBook(db), {
      psp,
      retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 },
      clock: () => (now += 1_000),
      random: () => 1,
    }).runDue();
    expect(psp.refundCalls.map((call) => call.refundId)).toEqual(['rf_2']);
    const status = (refundId: string) =>
      db.prepare('SELECT status FROM refunds WHERE refund_id = ?').pluck().get(refundId) as string;
    expect(status('rf_1')).toBe('dead_lettered');
    expect(status('rf_2')).toBe('succeeded');
    expect(tally.deadLettered).toBe(1);
    expect([...tally.refundedMinor.values()]).toEqual([100n]);
    expect(tally.rejections).toEqual([
      expect.stringContaining(
        'refund rf_1 was not sent: its fields no longer match the hash recorded at intake',
      ),
    ]);
  });

  it("reads each order's and refund's event by its key, never by scanning events per row", () => {
    for (const sql of Object.values(BIRTH_QUERIES)) {
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql.includes('?') ? [1] : [])) as {
          detail: string;
        }[]
      )
        .map((row) => row.detail)
        .join(' | ');
      expect(plan).toMatch(/SEARCH e USING PRIMARY KEY \(event_id=\?\)/);
      expect(plan).not.toMatch(/SCAN e\b/);
    }
  });

  it('payouts: the amount, key and destination fixed at creation cannot be changed, nor the row deleted', () => {
    db.prepare(
      `INSERT INTO payouts (payout_id, seller_id, currency, amount_minor, destination, payout_key, psp, status, created_at, updated_at)
       VALUES ('po_1', 'seller_7', 'USD', 500, 'DE89370400440532013000', 'payops-po_1-payout', 'sim', 'created', '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')`,
    ).run();
    expect(() =>
      db.prepare("UPDATE payouts SET amount_minor = 50000 WHERE payout_id = 'po_1'").run(),
    ).toThrow('payouts amount_minor is immutable');
    expect(() =>
      db
        .prepare(
          "UPDATE payouts SET destination = 'GB82WEST12345698765432' WHERE payout_id = 'po_1'",
        )
        .run(),
    ).toThrow('payouts destination is immutable');
    expect(() => db.prepare("DELETE FROM payouts WHERE payout_id = 'po_1'").run()).toThrow(
      'payouts rows are never deleted',
    );
    expect(
      db.prepare("UPDATE payouts SET status = 'executing' WHERE payout_id = 'po_1'").run().changes,
    ).toBe(1);
  });
});

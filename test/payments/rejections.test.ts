import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { executeDue } from '../../src/work/executors/payin.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import type { PspRejection } from '../../src/psp/port.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from './fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1, capMs: 1, maxAttempts: 3 };
const reused = (key: string): PspRejection => ({
  status: 'rejected',
  reason: 'idempotency_key_reused',
  detail: `idempotency key ${key} was already used with different parameters`,
});

describe('a PSP rejection in the refund and payout executors', () => {
  let db: Database;
  let dir: string;
  let cleanup: () => void;
  let psp: FakePsp;
  let files = 0;
  const options = () => ({ psp, retry: POLICY, clock: Date.now, random: () => 1 });
  const load = async (...events: unknown[]) => {
    const file = path.join(dir, `events-${files++}.ndjson`);
    fs.writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    await ingest(new SqliteIntakeStore(db), [file], { psp: psp.name });
  };

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
    psp = new FakePsp();
    await load({
      eventId: 'chk_1',
      type: 'pay_in',
      occurredAt: '2026-11-23T10:00:00Z',
      currency: 'USD',
      payer: { id: 'b1' },
      paymentToken: 'tok_visa',
      orders: [{ orderId: 'ord_1', sellerId: 'seller_7', amount: '100.00', platformFee: '10.00' }],
    });
    await executeDue(sqliteBook(db), options());
  });
  afterEach(() => cleanup());

  it('dead-letters the refund, keeps its reservation (whether money went back is unknown), and posts nothing', async () => {
    await load({
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'ord_1',
      amount: '20.00',
      reason: 'test',
    });
    psp.refundScripts.set('payops-rf_1-refund', [reused('payops-rf_1-refund')]);
    const tally = await new RefundExecutor(sqliteBook(db), options()).runDue();
    expect(tally).toMatchObject({ deadLettered: 1, failed: 0, succeeded: 0 });
    expect(tally.rejections).toEqual([
      expect.stringMatching(/^the PSP rejected refund rf_1 .*idempotency_key_reused/),
    ]);
    const refund = db
      .prepare("SELECT status, last_error FROM refunds WHERE refund_id = 'rf_1'")
      .get() as { status: string; last_error: string };
    expect(refund).toEqual({
      status: 'dead_lettered',
      last_error: expect.stringMatching(/^rejected: idempotency_key_reused/),
    });
    expect(
      db
        .prepare(
          "SELECT refund_reserved_minor AS reserved, refunded_minor AS refunded FROM orders WHERE order_id = 'ord_1'",
        )
        .get(),
    ).toEqual({ reserved: 2000n, refunded: 0n });
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('dead-letters the payout and leaves the money payable, never failed', async () => {
    await load({
      eventId: 'po_1',
      type: 'pay_out',
      occurredAt: '2026-11-25T10:00:00Z',
      orderId: 'ord_1',
      seller: { id: 'seller_7', name: 'Acme', account: { iban: 'DE89370400440532013000' } },
    });
    const payoutKey = () =>
      (db.prepare('SELECT payout_key FROM payouts').get() as { payout_key: string }).payout_key;
    psp.payout = async (requests) => requests.map((request) => reused(request.idempotencyKey));
    const summary = await runPayouts(sqliteBook(db), { ...options() });
    expect(summary.execution).toMatchObject({ deadLettered: 1, failed: 0, succeeded: 0 });
    expect(summary.execution.rejections).toEqual([expect.stringContaining(`(key ${payoutKey()})`)]);
    expect(db.prepare('SELECT status FROM payouts').get()).toEqual({ status: 'dead_lettered' });
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

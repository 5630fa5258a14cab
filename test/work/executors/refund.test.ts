import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/index.js';
import type { Database } from '../../../src/db/index.js';
import { balances } from '../../../src/ledger/index.js';
import { PayinExecutor } from '../../../src/work/executors/charge.js';
import { ingest } from '../../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../../src/intake/sqlite-intake-store.js';
import { RefundExecutor } from '../../../src/work/executors/refund.js';
import { tempDatabase } from '../../helpers/db.js';
import { FakePsp } from '../../payments/fake-psp.js';
import { WorkPsp } from '../work-psp.js';
import { checkBooks } from '../../helpers/check.js';
import { sqliteBook } from '../../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };
const clock = () => Date.parse('2026-11-26T12:00:00Z');

describe('RefundExecutor', () => {
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let psp: FakePsp;
  const events = async (name: string, ...list: unknown[]) => {
    const input = path.join(path.dirname(file), name);
    fs.writeFileSync(input, `${list.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };

  beforeEach(async () => {
    ({ db, file, cleanup } = tempDatabase());
    psp = new FakePsp();
    await events('checkouts.ndjson', {
      eventId: 'chk_1',
      type: 'pay_in',
      occurredAt: '2026-11-23T10:00:00Z',
      currency: 'USD',
      payer: { id: 'buyer_1' },
      paymentToken: 'tok_visa',
      orders: [{ orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }],
    });
    await new PayinExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue();
  });
  afterEach(() => cleanup());

  it('dead-letters a refund whose key the PSP saw with other parameters: no posting, and its amount stays reserved', async () => {
    psp.refundScripts.set('payops-rf_1-refund', [
      {
        status: 'rejected',
        reason: 'idempotency_key_reused',
        detail: 'key payops-rf_1-refund was used with other parameters',
      },
    ]);
    await events('refunds.ndjson', {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-26T12:00:00Z',
      orderId: 'ord_1',
      amount: '20.00',
      reason: 'damaged',
    });
    const before = balances(db);
    const tally = await new RefundExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue();
    expect(tally).toMatchObject({ attempted: 1, deadLettered: 1, failed: 0, succeeded: 0 });
    expect(db.prepare('SELECT status, last_error FROM refunds').get()).toEqual({
      status: 'dead_lettered',
      last_error:
        'rejected: idempotency_key_reused: key payops-rf_1-refund was used with other parameters',
    });
    expect(balances(db)).toEqual(before);
    // Whether money went back is for a person to find out: nothing more may be refunded meanwhile.
    const more = await events('more.ndjson', {
      eventId: 'rf_2',
      type: 'refund',
      occurredAt: '2026-11-26T12:05:00Z',
      orderId: 'ord_1',
      amount: '10.00',
      reason: 'again',
    });
    expect(more.rejected).toBe(1);
    expect((await checkBooks(db)).ok).toBe(true);
  });
  // The refund executor was a copy of the protocol that had drifted: these failed on that copy.
  it('counts a lost lease, as charges and payouts do, and books the refund once', async () => {
    await events('refunds.ndjson', {
      eventId: 'rf_1',
      type: 'refund',
      occurredAt: '2026-11-26T12:00:00Z',
      orderId: 'ord_1',
      amount: '20.00',
      reason: 'damaged',
    });
    const gated = new WorkPsp();
    let release!: () => void;
    gated.gate = new Promise<void>((resolve) => (release = resolve));
    let now = clock();
    const at = () => now;
    const slow = new RefundExecutor(sqliteBook(db), {
      psp: gated,
      retry: POLICY,
      clock: at,
      leaseMs: 1_000,
    }).runDue();
    await new Promise((resolve) => setTimeout(resolve, 50)); // slow is inside the PSP call
    now += 2_000;
    gated.gate = undefined;
    const other = openDatabase(file);
    const fast = await new RefundExecutor(sqliteBook(other), {
      psp: gated,
      retry: POLICY,
      clock: at,
    }).runDue();
    other.close();
    expect(fast).toMatchObject({ recoveredLeases: 1, succeeded: 1 });
    release();
    expect(await slow).toMatchObject({ succeeded: 0, lostLease: 1 });
    expect(db.prepare('SELECT refunded_minor FROM orders').pluck().get()).toBe(2000n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('claims refunds in batches of 4,000 as charges and payouts do: 1,001 refunds in one PSP call', async () => {
    const count = 1_001;
    await events(
      'many-checkouts.ndjson',
      ...Array.from({ length: count }, (_, n) => ({
        eventId: `chk_m${n}`,
        type: 'pay_in',
        occurredAt: '2026-11-23T10:00:00Z',
        currency: 'USD',
        payer: { id: 'buyer_1' },
        paymentToken: 'tok_visa',
        orders: [{ orderId: `ord_m${n}`, sellerId: 'seller_7', amount: '5.00' }],
      })),
    );
    await new PayinExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue();
    await events(
      'many-refunds.ndjson',
      ...Array.from({ length: count }, (_, n) => ({
        eventId: `rf_m${n}`,
        type: 'refund',
        occurredAt: '2026-11-26T12:00:00Z',
        orderId: `ord_m${n}`,
        amount: '1.00',
        reason: 'damaged',
      })),
    );
    const counted = new WorkPsp();
    const tally = await new RefundExecutor(sqliteBook(db), {
      psp: counted,
      retry: POLICY,
      clock,
    }).runDue();
    expect(tally).toMatchObject({ attempted: count, succeeded: count });
    expect(counted.batches.refund).toBe(1);
  }, 60_000);
});

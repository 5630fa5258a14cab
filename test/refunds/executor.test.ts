import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/check.js';
import type { Database } from '../../src/db/index.js';
import { balances } from '../../src/ledger/index.js';
import { PayinExecutor } from '../../src/payments/executor.js';
import { ingest } from '../../src/payments/intake/intake.js';
import { RefundExecutor } from '../../src/refunds/executor.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';

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
    return ingest(db, [input], { psp: 'sim' });
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
    await new PayinExecutor(db, { psp, retry: POLICY, clock }).runDue();
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
    const tally = await new RefundExecutor(db, { psp, retry: POLICY, clock }).runDue();
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
    expect(runChecks(db).ok).toBe(true);
  });
});

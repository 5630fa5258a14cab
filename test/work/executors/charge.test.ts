import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/index.js';
import { balances } from '../../../src/ledger/index.js';
import { PayinExecutor } from '../../../src/work/executors/charge.js';
import { ingest } from '../../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../../src/intake/sqlite-intake-store.js';
import { showOrder } from '../../../src/payments/queries.js';
import { SqliteOrderReads, statusCounts } from '../../../src/payments/sqlite-order-reads.js';
import { PaymentsStore } from '../../../src/payments/store.js';
import { Wallets } from '../../../src/wallet/wallet-store.js';
import { tempDatabase } from '../../helpers/db.js';
import fs from 'node:fs';
import path from 'node:path';
import { FakePsp, timeout } from '../../payments/fake-psp.js';
import { checkBooks } from '../../helpers/check.js';
import { sqliteBook } from '../../../src/book/sqlite-book.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };

function event(
  eventId: string,
  orders: [orderId: string, sellerId: string, amount: string, fee?: string][],
  currency = 'USD',
  token = 'tok_visa',
) {
  return JSON.stringify({
    eventId,
    type: 'pay_in',
    occurredAt: '2026-11-23T09:00:00Z',
    currency,
    payer: { id: 'buyer_1' },
    paymentToken: token,
    orders: orders.map(([orderId, sellerId, amount, platformFee]) => ({
      orderId,
      sellerId,
      amount,
      ...(platformFee ? { platformFee } : {}),
    })),
  });
}

describe('PayinExecutor', () => {
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let now: number;
  let psp: FakePsp;
  let dir: string;
  const clock = () => now;
  const executor = (
    options: Partial<ConstructorParameters<typeof PayinExecutor>[1]> = {},
    on: Database = db,
  ) =>
    new PayinExecutor(sqliteBook(on), {
      psp,
      retry: POLICY,
      clock,
      random: () => 1,
      leaseMs: 60_000,
      ...options,
    });
  const load = async (...lines: string[]) => {
    const input = path.join(dir, `events-${Math.random()}.ndjson`);
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };
  const status = async (orderId: string) =>
    (await showOrder(new SqliteOrderReads(db), orderId)).status;

  beforeEach(() => {
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
    now = T0;
    psp = new FakePsp();
  });
  afterEach(() => cleanup());

  it('captures an order: status, capture and fee postings and the wallet move together', async () => {
    await load(
      event('chk_1', [
        ['ord_1', 'seller_7', '25.00', '2.50'],
        ['ord_2', 'seller_9', '10.00'],
      ]),
    );
    const tally = await executor().runDue();
    expect(tally).toMatchObject({ attempted: 2, succeeded: 2, retryScheduled: 0 });
    expect(await status('ord_1')).toBe('succeeded');
    const byAccount = Object.fromEntries(
      balances(db).map((row) => [row.account, row.balanceMinor]),
    );
    expect(byAccount).toEqual({
      'assets:psp:sim:receivable': 3500n - 60n,
      'expenses:psp-fees': 60n,
      'liabilities:sellers:seller_7:pending': 2250n,
      'liabilities:sellers:seller_9:pending': 1000n,
      'revenue:platform-fees': 250n,
    });
    expect(new Wallets(db).all()).toEqual([
      expect.objectContaining({ sellerId: 'seller_7', pendingMinor: 2250n }),
      expect.objectContaining({ sellerId: 'seller_9', pendingMinor: 1000n }),
    ]);
    expect(psp.calls.map((call) => call.idempotencyKey)).toEqual([
      'payops-ord_1-charge',
      'payops-ord_2-charge',
    ]);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('dead-letters after the maximum attempts, and an operator requeue gets a fresh budget with the same key', async () => {
    psp.script('ord_1', timeout, timeout, timeout, timeout);
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    for (let i = 0; i < 3; i++) {
      await executor().runDue();
      now += 10_000;
    }
    expect(await status('ord_1')).toBe('dead_lettered');
    expect(statusCounts(db).dead_lettered).toBe(1);
    await executor().runDue();
    expect(psp.callsFor('ord_1')).toBe(3); // dead letters are not retried by themselves
    await executor().requeue(['ord_1'], 'test operator');
    expect(await status('ord_1')).toBe('retry_scheduled'); // 4th scripted timeout, first of a new budget
    now += 10_000;
    await executor().runDue();
    expect(await status('ord_1')).toBe('succeeded');
    expect(
      (await showOrder(new SqliteOrderReads(db), 'ord_1')).transitions.some(
        (t) => t.from === 'dead_lettered' && /requeued by test operator/.test(t.cause),
      ),
    ).toBe(true);
  });

  it('dead-letters a request the PSP rejects (key reused with other parameters) and says so: never a decline, nothing posted', async () => {
    psp.script('ord_1', {
      status: 'rejected',
      reason: 'idempotency_key_reused',
      detail: 'idempotency key payops-ord_1-charge was already used with different parameters',
    });
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    const tally = await executor().runDue();
    expect(tally).toMatchObject({ deadLettered: 1, failed: 0, retryScheduled: 0 });
    expect(tally.rejections).toEqual([
      expect.stringMatching(
        /^the PSP rejected the charge of ord_1 \(key payops-ord_1-charge\): idempotency_key_reused .*payops broke an invariant/,
      ),
    ]);
    expect(await showOrder(new SqliteOrderReads(db), 'ord_1')).toMatchObject({
      status: 'dead_lettered',
      lastError: expect.stringMatching(/^rejected: idempotency_key_reused/),
    });
    expect(balances(db)).toEqual([]);
    now += 60_000;
    await executor().runDue();
    expect(psp.callsFor('ord_1')).toBe(1);
  });

  it('leaves a pending order waiting, then books it when a sync finds it settled', async () => {
    psp.script('ord_1', { status: 'pending', pspReference: 'ch_p' });
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    await executor().runDue();
    expect(await status('ord_1')).toBe('pending');
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'pending', pspReference: 'ch_p' },
    });
    await executor().syncPending();
    expect(await status('ord_1')).toBe('pending');
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_p', feeMinor: 45n },
    });
    await executor().syncPending();
    expect(await showOrder(new SqliteOrderReads(db), 'ord_1')).toMatchObject({
      status: 'succeeded',
      pspReference: 'ch_p',
      pspFeeMinor: 45n,
    });
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('refuses an illegal transition loudly', () => {
    const store = new PaymentsStore(db);
    expect(() =>
      store.finish(
        { id: 1n, orderId: 'ord_x', attempts: 1 },
        'succeeded',
        null,
        { to: 'executing' },
        new Date(T0).toISOString(),
        'test',
      ),
    ).toThrow(/illegal transition succeeded → executing/);
  });
});

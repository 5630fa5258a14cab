import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/index.js';
import { balances, verifyLedger } from '../../src/ledger/index.js';
import { PayinExecutor } from '../../src/payments/executor.js';
import { ingest } from '../../src/payments/intake/intake.js';
import { showOrder, statusCounts } from '../../src/payments/queries.js';
import { PaymentsStore } from '../../src/payments/store.js';
import { Wallets } from '../../src/wallet/wallet.js';
import { runChecks } from '../../src/check/check.js';
import { tempDatabase } from '../helpers/db.js';
import fs from 'node:fs';
import path from 'node:path';
import { FakePsp, timeout } from './fake-psp.js';

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
    new PayinExecutor(on, {
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
    return ingest(db, [input], { psp: 'sim' });
  };
  const status = (orderId: string) => showOrder(db, orderId).status;

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
    expect(status('ord_1')).toBe('succeeded');
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
    expect(runChecks(db).ok).toBe(true);
  });

  it('schedules a retry with backoff, does not retry early, and retries later with the same key', async () => {
    psp.script('ord_1', timeout, timeout);
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    await executor().runDue();
    const first = showOrder(db, 'ord_1');
    expect(first.status).toBe('retry_scheduled');
    expect(Date.parse(first.nextAttemptAt as string) - T0).toBe(1_000); // base × 2^0, jitter at its top
    await executor().runDue();
    expect(psp.callsFor('ord_1')).toBe(1);
    now += 1_000;
    await executor().runDue();
    expect(Date.parse(showOrder(db, 'ord_1').nextAttemptAt as string) - now).toBe(2_000); // doubled
    now += 2_000;
    await executor().runDue();
    expect(status('ord_1')).toBe('succeeded');
    expect(new Set(psp.calls.map((call) => call.idempotencyKey))).toEqual(
      new Set(['payops-ord_1-charge']),
    );
    expect(showOrder(db, 'ord_1').transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'null>created',
      'created>executing',
      'executing>retry_scheduled',
      'retry_scheduled>executing',
      'executing>retry_scheduled',
      'retry_scheduled>executing',
      'executing>succeeded',
    ]);
  });

  it('waits at least as long as a 429 Retry-After asks', async () => {
    psp.script('ord_1', {
      status: 'retryable',
      kind: 'rate_limited',
      sent: true,
      retryAfterMs: 30_000,
      detail: '429',
    });
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    await executor().runDue();
    expect(Date.parse(showOrder(db, 'ord_1').nextAttemptAt as string) - T0).toBe(30_000);
  });

  it('dead-letters after the maximum attempts, and an operator requeue gets a fresh budget with the same key', async () => {
    psp.script('ord_1', timeout, timeout, timeout, timeout);
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    for (let i = 0; i < 3; i++) {
      await executor().runDue();
      now += 10_000;
    }
    expect(status('ord_1')).toBe('dead_lettered');
    expect(statusCounts(db).dead_lettered).toBe(1);
    await executor().runDue();
    expect(psp.callsFor('ord_1')).toBe(3); // dead letters are not retried by themselves
    await executor().requeue(['ord_1'], 'test operator');
    expect(status('ord_1')).toBe('retry_scheduled'); // 4th scripted timeout, first of a new budget
    now += 10_000;
    await executor().runDue();
    expect(status('ord_1')).toBe('succeeded');
    expect(
      showOrder(db, 'ord_1').transitions.some(
        (t) => t.from === 'dead_lettered' && /requeued by test operator/.test(t.cause),
      ),
    ).toBe(true);
  });

  it('records a decline as final, with the reason, and posts nothing', async () => {
    psp.script('ord_1', { status: 'declined', pspReference: 'ch_x', reason: 'insufficient_funds' });
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    await executor().runDue();
    expect(showOrder(db, 'ord_1')).toMatchObject({
      status: 'failed',
      lastError: 'insufficient_funds',
    });
    expect(balances(db)).toEqual([]);
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
    expect(showOrder(db, 'ord_1')).toMatchObject({
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
    expect(status('ord_1')).toBe('pending');
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'pending', pspReference: 'ch_p' },
    });
    await executor().syncPending();
    expect(status('ord_1')).toBe('pending');
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_p', feeMinor: 45n },
    });
    await executor().syncPending();
    expect(showOrder(db, 'ord_1')).toMatchObject({
      status: 'succeeded',
      pspReference: 'ch_p',
      pspFeeMinor: 45n,
    });
    expect(runChecks(db).ok).toBe(true);
  });

  it('recovers an order a crashed process left executing, once its lease expires, with the same key', async () => {
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    // The "crashed" process claimed and never came back.
    db.transaction(() =>
      new PaymentsStore(db).claimDue(
        'sim',
        'crashed-process',
        new Date(T0 + 60_000).toISOString(),
        new Date(T0).toISOString(),
        10,
      ),
    ).immediate();
    expect(status('ord_1')).toBe('executing');
    await executor().runDue();
    expect(psp.calls).toHaveLength(0); // lease still valid: hands off
    now += 60_001;
    const tally = await executor().runDue();
    expect(tally).toMatchObject({ recoveredLeases: 1, succeeded: 1 });
    expect(psp.calls.map((call) => call.idempotencyKey)).toEqual(['payops-ord_1-charge']);
    expect(
      showOrder(db, 'ord_1')
        .transitions.map((t) => t.cause)
        .join('\n'),
    ).toMatch(/lease expired; recovered/);
  });

  it('writes nothing twice when a process finishes after its lease was taken over', async () => {
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    let release!: () => void;
    psp.gate = new Promise<void>((resolve) => (release = resolve));
    const slow = executor({ leaseMs: 1_000 }).runDue();
    await new Promise((resolve) => setTimeout(resolve, 50)); // slow is now inside the PSP call
    now += 2_000;
    psp.gate = undefined;
    const other = openDatabase(file);
    const fast = await executor({}, other).runDue();
    other.close();
    expect(fast).toMatchObject({ recoveredLeases: 1, succeeded: 1 });
    release();
    const late = await slow;
    expect(late).toMatchObject({ succeeded: 0, lostLease: 1 });
    expect(verifyLedger(db).ok).toBe(true);
    expect(
      balances(db).find((row) => row.account === 'liabilities:sellers:seller_7:pending')
        ?.balanceMinor,
    ).toBe(500n);
    expect(runChecks(db).ok).toBe(true);
  });

  it('looks a payment up by order id, instead of charging again, when the key has expired at the PSP', async () => {
    psp.script('ord_1', timeout);
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    await executor().runDue();
    now += psp.keyLifetimeMs + 1;
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_found', feeMinor: null },
    });
    await executor().runDue();
    expect(psp.lookups).toEqual(['ord_1']);
    expect(psp.callsFor('ord_1')).toBe(1); // never sent again
    expect(showOrder(db, 'ord_1')).toMatchObject({ status: 'succeeded', pspReference: 'ch_found' });
  });

  it('charges again after an expired key only when the PSP has no record of the payment', async () => {
    psp.script('ord_1', timeout);
    await load(event('chk_1', [['ord_1', 'seller_7', '5.00']]));
    await executor().runDue();
    now += psp.keyLifetimeMs + 1;
    await executor().runDue();
    expect(psp.lookups).toEqual(['ord_1']);
    expect(psp.callsFor('ord_1')).toBe(2);
    expect(status('ord_1')).toBe('succeeded');
  });

  it('never executes one order twice when two executors work the same database', async () => {
    const lines = Array.from({ length: 60 }, (_, i) =>
      event(`chk_${i}`, [[`ord_${i}`, `seller_${i % 5}`, '3.00']]),
    );
    await load(...lines);
    const other = openDatabase(file);
    const [a, b] = await Promise.all([
      executor({ batchSize: 7 }).runDue(),
      executor({ batchSize: 5 }, other).runDue(),
    ]);
    other.close();
    expect(a.succeeded + b.succeeded).toBe(60);
    for (let i = 0; i < 60; i++) expect(psp.callsFor(`ord_${i}`)).toBe(1);
    expect(runChecks(db).ok).toBe(true);
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

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Applied } from '../../src/db/port.js';
import { UnrecordedAnswers } from '../../src/payments/unrecorded-answers-store.js';
import type { ClaimedOrder } from '../../src/payments/store.js';
import type { ChargeResult, RetryableFailure } from '../../src/psp/port.js';
import { chargeRules, emptyChargeTally } from '../../src/work/kinds/charge.js';
import { chargeKind } from './kinds.js';
import { thisProcessOwner } from '../../src/work/leases/lease-owner.js';
import { guardedFinish } from '../../src/work/record.js';
import { recordOrSetAside } from '../../src/work/set-aside.js';
import { SqliteWorkStore } from '../../src/work/sqlite-store.js';
import type { RecordBatch } from '../../src/work/work-store.js';
import { tempDatabase } from '../helpers/db.js';
import { checkouts } from './books.js';
import { type Context, POLICY, T0 } from './executor-suite.js';
import { WorkPsp } from './work-psp.js';

const AT = new Date(T0).toISOString();
const rules = chargeRules();
const how = { owner: 'A', at: AT, psp: 'sim', retry: POLICY, random: () => 1 };
const captured = (order: ClaimedOrder): ChargeResult => ({
  status: 'succeeded',
  pspReference: `ch_${order.orderId}`,
  feeMinor: null,
});
const timeout: RetryableFailure = {
  status: 'retryable',
  kind: 'timeout',
  sent: true,
  detail: 'test timeout',
};

/** The SQLite work store, except that recording a batch holding `bad` throws `error` inside its transaction, before the commit. */
class FailingStore extends SqliteWorkStore<ClaimedOrder> {
  constructor(
    ctx: Context,
    private readonly bad: string,
    private readonly error: Error,
  ) {
    super(ctx.db, chargeKind(ctx.db));
  }

  override async record(
    batch: RecordBatch<ClaimedOrder>,
    beforeCommit?: () => void,
  ): Promise<Applied> {
    return super.record(batch, () => {
      beforeCommit?.();
      if (batch.moves.some((move) => move.item.orderId === this.bad)) throw this.error;
    });
  }
}

describe('recordOrSetAside', () => {
  let ctx: Context;
  let cleanup: () => void;
  const status = (orderId: string) =>
    ctx.db.prepare('SELECT status FROM orders WHERE order_id = ?').pluck().get(orderId);
  const statuses = () => ['ord_0', 'ord_1', 'ord_2'].map(status);
  /** Orders ord_0, ord_1, ord_2 claimed by 'A' through `store`. */
  const claim = async (store: SqliteWorkStore<ClaimedOrder>) => {
    const { claimed } = await store.claimDue(
      {
        psp: 'sim',
        owner: 'A',
        leaseUntil: new Date(T0 + 60_000).toISOString(),
        at: AT,
        limit: 10,
        judge: { self: thisProcessOwner() },
      },
      {
        check: () => {},
        altered: (item, mismatch) =>
          guardedFinish(rules, item, 'executing', '', { to: 'dead_lettered' }, AT, mismatch),
      },
    );
    expect(claimed.map((order) => order.orderId)).toEqual(['ord_0', 'ord_1', 'ord_2']);
    return claimed;
  };

  beforeEach(async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    ctx = { db: temp.db, file: temp.file, psp: new WorkPsp(), now: () => T0 };
    await checkouts(ctx, 3);
  });
  afterEach(() => cleanup());

  it('records the others and throws after them when an answer that is not final cannot be recorded (left executing for a retry)', async () => {
    const store = new FailingStore(ctx, 'ord_1', new Error('boom'));
    const orders = await claim(store);
    const results = orders.map((order) => (order.orderId === 'ord_1' ? timeout : captured(order)));
    await expect(
      recordOrSetAside(store, rules, orders, results, emptyChargeTally(), how),
    ).rejects.toThrow('boom');
    expect(statuses()).toEqual(['succeeded', 'executing', 'succeeded']);
    expect(new UnrecordedAnswers(ctx.db).openCount()).toBe(0);
  });

  it('sets nothing aside when the storage fails: every item stays executing', async () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const store = new FailingStore(ctx, 'ord_1', full);
    const orders = await claim(store);
    await expect(
      recordOrSetAside(store, rules, orders, orders.map(captured), emptyChargeTally(), how),
    ).rejects.toThrow('database or disk is full');
    expect(statuses()).toEqual(['executing', 'executing', 'executing']);
    expect(new UnrecordedAnswers(ctx.db).openCount()).toBe(0);
  });

  it('counts in the tally only what committed, not what a rolled-back batch had planned', async () => {
    const store = new FailingStore(ctx, 'ord_1', new Error('cannot'));
    const orders = await claim(store);
    const tally = emptyChargeTally();
    expect(await recordOrSetAside(store, rules, orders, orders.map(captured), tally, how)).toBe(1);
    expect(tally.succeeded).toBe(2);
    expect(statuses()).toEqual(['succeeded', 'needs_attention', 'succeeded']);
    expect(new UnrecordedAnswers(ctx.db).openCount()).toBe(1);
  });
});

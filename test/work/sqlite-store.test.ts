import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { balances } from '../../src/ledger/index.js';
import { UnrecordedAnswers } from '../../src/payments/unrecorded-answers-store.js';
import type { ClaimedOrder } from '../../src/payments/store.js';
import type { ChargeResult } from '../../src/psp/port.js';
import { WorkEngine } from '../../src/work/engine.js';
import { type ChargeTally, chargeRules, emptyChargeTally } from '../../src/work/kinds/charge.js';
import { chargeKind } from './kinds.js';
import { thisProcessOwner } from '../../src/work/leases/lease-owner.js';
import { guardedFinish, planRecord } from '../../src/work/record.js';
import { SqliteWorkStore } from '../../src/work/sqlite-store.js';
import type { ClaimChecks, WorkStore } from '../../src/work/work-store.js';
import { tempDatabase } from '../helpers/db.js';
import { checkouts } from './books.js';
import { type Context, POLICY, T0 } from './executor-suite.js';
import { WorkPsp } from './work-psp.js';

const AT = new Date(T0).toISOString();
const judge = { self: thisProcessOwner() };
const LEASE_UNTIL = new Date(T0 + 60_000).toISOString();
const rules = chargeRules();
const options = { psp: 'sim', retry: POLICY, random: () => 1 };
const captured = (id: string): ChargeResult => ({
  status: 'succeeded',
  pspReference: `ch_${id}`,
  feeMinor: null,
});
const noChecks: ClaimChecks<ClaimedOrder> = {
  check: () => {},
  altered: (item, mismatch) =>
    guardedFinish(rules, item, 'executing', '', { to: 'dead_lettered' }, AT, mismatch),
};

describe('the SQLite work store', () => {
  let ctx: Context;
  let cleanup: () => void;
  let store: SqliteWorkStore<ClaimedOrder>;
  const status = (orderId: string) =>
    ctx.db.prepare('SELECT status FROM orders WHERE order_id = ?').pluck().get(orderId);
  const claim = (owner: string, checks = noChecks) =>
    store.claimDue(
      {
        psp: 'sim',
        owner,
        leaseUntil: LEASE_UNTIL,
        at: AT,
        limit: 10,
        judge,
      },
      checks,
    );

  beforeEach(async () => {
    const temp = tempDatabase();
    cleanup = temp.cleanup;
    ctx = { db: temp.db, file: temp.file, psp: new WorkPsp(), now: () => T0 };
    await checkouts(ctx, 3);
    store = new SqliteWorkStore(ctx.db, chargeKind(ctx.db));
  });
  afterEach(() => cleanup());

  it('applies a record batch in one transaction: a throw before its commit rolls back every move, posting and wallet change', async () => {
    const { claimed } = await claim('A');
    const plan = planRecord(
      rules,
      claimed,
      claimed.map((o) => captured(o.orderId)),
      'A',
      AT,
      options,
    );
    await expect(
      store.record(plan.batch, () => {
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(['ord_0', 'ord_1', 'ord_2'].map(status)).toEqual([
      'executing',
      'executing',
      'executing',
    ]);
    expect(balances(ctx.db)).toEqual([]);
    expect(ctx.db.prepare('SELECT COUNT(*) FROM wallets').pluck().get()).toBe(0n);
    expect(ctx.db.inTransaction).toBe(false);

    const moved = await store.record(plan.batch);
    expect(moved).toEqual([true, true, true]);
    expect(['ord_0', 'ord_1', 'ord_2'].map(status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(balances(ctx.db)).not.toEqual([]);
  });

  it('reports a move whose row another process moved first as not applied, writes nothing for it, and the plan counts it as a lost lease', async () => {
    const { claimed } = await claim('A');
    const [first] = claimed;
    if (first === undefined) throw new Error('nothing claimed');
    const once = planRecord(rules, [first], [captured(first.orderId)], 'A', AT, options);
    expect(await store.record(once.batch)).toEqual([true]);
    const pendingOfSeller0 = () =>
      balances(ctx.db).find((row) => row.account === 'liabilities:sellers:seller_0:pending')
        ?.balanceMinor;
    expect(pendingOfSeller0()).toBe(2250n);

    const again = planRecord(
      rules,
      claimed,
      claimed.map((o) => captured(o.orderId)),
      'A',
      AT,
      options,
    );
    const tally: ChargeTally = emptyChargeTally();
    const moved = await store.record(again.batch);
    expect(moved).toEqual([false, true, true]);
    again.count(moved, tally);
    expect(tally).toMatchObject({ succeeded: 2, lostLease: 1 });
    expect(pendingOfSeller0()).toBe(2250n); // captured once
  });

  it('applies a claim in one transaction: a check that throws leaves nothing claimed and no lease recovered', async () => {
    const refuse: ClaimChecks<ClaimedOrder> = {
      ...noChecks,
      check: () => {
        throw new Error('illegal');
      },
    };
    const expired = new Date(T0 - 1).toISOString();
    await store.claimDue(
      { psp: 'sim', owner: 'X', leaseUntil: expired, at: expired, limit: 10, judge },
      noChecks,
    );
    const leases = () =>
      ctx.db.prepare('SELECT status, lease_owner FROM orders ORDER BY id').raw().all();
    const before = leases();
    await expect(claim('A', refuse)).rejects.toThrow('illegal');
    expect(leases()).toEqual(before);
    expect(['ord_0', 'ord_1', 'ord_2'].map(status)).toEqual([
      'executing',
      'executing',
      'executing',
    ]);
    const { claimed, recoveredLeases, lookUpFirst } = await claim('A');
    expect(recoveredLeases).toBe(3);
    expect(claimed.map((o) => o.orderId)).toEqual(['ord_0', 'ord_1', 'ord_2']);
    expect(lookUpFirst).toBe(false);
  });

  it('sets an answer aside only if its item moved: the fact and the move commit together', async () => {
    const { claimed } = await claim('A');
    const [first] = claimed;
    if (first === undefined) throw new Error('nothing claimed');
    const fact = {
      kind: 'charge' as const,
      itemId: first.orderId,
      psp: 'sim',
      answerStatus: 'succeeded' as const,
      pspReference: 'ch_x',
      amountMinor: first.amountMinor,
      currency: first.currency,
      pspFeeMinor: null,
      declineReason: null,
      error: 'cannot record',
      answeredAt: AT,
    };
    const aside = (owner: string) =>
      guardedFinish(rules, first, 'executing', owner, { to: 'needs_attention' }, AT, 'kept');
    expect(await store.setAside(aside('B'), fact)).toBe(false);
    expect(new UnrecordedAnswers(ctx.db).openCount()).toBe(0);
    expect(await store.setAside(aside('A'), fact)).toBe(true);
    expect(new UnrecordedAnswers(ctx.db).openCount()).toBe(1);
    expect(status(first.orderId)).toBe('needs_attention');
  });

  it('is called once per unit of work by the engine: one claim, one record, whatever the batch holds', async () => {
    const calls: string[] = [];
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return Reflect.apply(value, target, args);
        };
      },
    }) satisfies WorkStore<ClaimedOrder>;
    const engine = new WorkEngine(counted, rules, {
      psp: ctx.psp,
      retry: POLICY,
      clock: () => T0,
      random: () => 1,
    });
    const tally = await engine.runDue();
    expect(tally).toMatchObject({ attempted: 3, succeeded: 3, lostLease: 0 });
    expect(calls).toEqual([
      'openMark',
      'claimDue',
      'advanceMark',
      'record',
      'settleMark',
      'claimDue',
    ]);
    expect(await engine.nextRetryAt()).toBeUndefined();
    expect(await engine.held()).toEqual([]);
  });
});

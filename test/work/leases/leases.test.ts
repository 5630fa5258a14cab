import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/index.js';
import { ingest } from '../../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../../src/intake/sqlite-intake-store.js';
import { runPayin } from '../../../src/work/executors/payin.js';
import { createPayouts } from '../../../src/payouts/plan.js';
import { SqlitePayoutsStore } from '../../../src/payouts/sqlite-payouts-store.js';
import { retryDue } from '../../../src/queue/retry.js';
import {
  formatLeaseOwner,
  probeProcess,
  thisProcessOwner,
} from '../../../src/work/leases/lease-owner.js';
import { tempDatabase } from '../../helpers/db.js';
import { eventsFile } from '../../helpers/events.js';
import { FakePsp } from '../../payments/fake-psp.js';
import { checkBooks } from '../../helpers/check.js';
import { sqliteBook } from '../../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 5 };
const T0 = Date.parse('2026-11-23T10:00:00Z');
const LEASE_MS = 5 * 60_000;
const TABLES = ['orders', 'refunds', 'payouts'] as const;

/** A lease owner string naming this host and the given process (its real start time). */
function ownerOf(pid: number, host = thisProcessOwner().host): string {
  const seen = probeProcess(pid);
  return formatLeaseOwner({
    ...thisProcessOwner(),
    host,
    pid,
    startTicks: seen.alive ? seen.startTicks : null,
  });
}

function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout,
  );
}

/**
 * Issue 14 item 8: a SIGKILLed run left its orders, refunds and payouts in `executing` under a
 * five-minute lease; the next run skipped them silently ("succeeded 0", exit 0). Now a lease
 * names its owner: gone from this host, recovered at once; alive or remote, reported as held.
 */
describe('leases of orders, refunds and payouts alike', () => {
  let db: Database;
  let dir: string;
  let cleanup: () => void;
  let now: number;
  let psp: FakePsp;
  let sleeper: ChildProcess | undefined;
  const clock = () => now;
  const execution = () => ({ psp, retry: POLICY, clock });
  const statuses = () =>
    Object.fromEntries(
      TABLES.map((table) => [
        table,
        (db.prepare(`SELECT status FROM ${table} ORDER BY id`).all() as { status: string }[]).map(
          (row) => row.status,
        ),
      ]),
    );
  /** One order, one refund and one payout in `executing`, as a claim by `owner` left them. */
  const leaveExecuting = (
    owner: string,
    leaseExpiresAt = new Date(now + LEASE_MS).toISOString(),
  ) => {
    for (const table of TABLES) {
      db.prepare(
        `UPDATE ${table} SET status = 'executing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?, first_attempt_at = ? WHERE status = 'created'`,
      ).run(owner, leaseExpiresAt, new Date(now).toISOString());
    }
  };

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
    now = T0;
    psp = new FakePsp();
    const file_ = (name: string, ...events: unknown[]) => eventsFile(dir, name, ...events);
    await runPayin(
      sqliteBook(db),
      [
        file_('checkout.ndjson', {
          eventId: 'chk_1',
          type: 'pay_in',
          occurredAt: '2026-11-23T09:00:00Z',
          currency: 'USD',
          payer: { id: 'buyer_1' },
          paymentToken: 'tok_visa',
          orders: [
            { orderId: 'ord_1', sellerId: 'seller_1', amount: '40.00', platformFee: '4.00' },
            { orderId: 'ord_2', sellerId: 'seller_1', amount: '10.00' },
          ],
        }),
      ],
      {},
      execution(),
    );
    await runPayin(
      sqliteBook(db),
      [
        file_('delivery.ndjson', {
          eventId: 'dlv_1',
          type: 'pay_out',
          occurredAt: '2026-11-24T09:00:00Z',
          orderId: 'ord_1',
          seller: { id: 'seller_1', name: 'Seller 1', account: { iban: 'DE89370400440532013000' } },
        }),
      ],
      {},
      execution(),
    );
    // Work created but not executed: a new order, a refund of ord_2 and a payout of ord_1's share.
    await ingest(
      new SqliteIntakeStore(db),
      [
        file_(
          'more.ndjson',
          {
            eventId: 'chk_2',
            type: 'pay_in',
            occurredAt: '2026-11-23T09:00:00Z',
            currency: 'USD',
            payer: { id: 'buyer_1' },
            paymentToken: 'tok_visa',
            orders: [{ orderId: 'ord_3', sellerId: 'seller_1', amount: '7.00' }],
          },
          {
            eventId: 'rf_1',
            type: 'refund',
            occurredAt: '2026-11-24T10:00:00Z',
            orderId: 'ord_2',
            amount: '10.00',
          },
        ),
      ],
      { psp: 'sim' },
    );
    await createPayouts(new SqlitePayoutsStore(db), {}, 'sim', new Date(now).toISOString());
    expect(statuses()).toEqual({
      orders: ['succeeded', 'succeeded', 'created'],
      refunds: ['created'],
      payouts: ['created'],
    });
  });
  afterEach(() => {
    sleeper?.kill('SIGKILL');
    sleeper = undefined;
    cleanup();
  });

  const startSleeper = async () => {
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await new Promise((resolve) => sleeper?.once('spawn', resolve));
    return sleeper.pid as number;
  };

  it('recovers at once the work of a process gone from this host, lease unexpired, with the same keys', async () => {
    const keys = {
      charge: 'payops-ord_3-charge',
      refund: (db.prepare('SELECT refund_key AS k FROM refunds').get() as { k: string }).k,
      payout: (db.prepare('SELECT payout_key AS k FROM payouts').get() as { k: string }).k,
    };
    leaveExecuting(ownerOf(deadPid()));
    const summary = await retryDue(sqliteBook(db), execution()); // the clock has not moved: every lease is still valid
    expect(statuses()).toEqual({
      orders: ['succeeded', 'succeeded', 'succeeded'],
      refunds: ['succeeded'],
      payouts: ['succeeded'],
    });
    expect([
      summary.charges.recoveredLeases,
      summary.refunds.recoveredLeases,
      summary.payouts.recoveredLeases,
    ]).toEqual([1, 1, 1]);
    expect(summary.held).toEqual([]);
    expect(psp.calls.map((call) => call.idempotencyKey)).toContain(keys.charge);
    expect(psp.refundCalls.map((call) => call.idempotencyKey)).toEqual([keys.refund]);
    expect(psp.payoutCalls.map((call) => call.idempotencyKey)).toEqual([keys.payout]);
    const cause = (
      db
        .prepare("SELECT cause FROM order_transitions WHERE to_status = 'retry_scheduled'")
        .get() as { cause: string }
    ).cause;
    expect(cause).toMatch(
      /^lease owner pid \d+ on this host is gone; recovered for retry with the same idempotency key$/,
    );
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('recovers at once a lease whose pid now belongs to a process started at another time', async () => {
    const pid = await startSleeper();
    const seen = probeProcess(pid);
    const reused = formatLeaseOwner({
      ...thisProcessOwner(),
      pid,
      startTicks: `${BigInt(seen.alive ? (seen.startTicks ?? '0') : '0') + 1n}`,
    });
    leaveExecuting(reused);
    const summary = await retryDue(sqliteBook(db), execution());
    expect([
      summary.charges.recoveredLeases,
      summary.refunds.recoveredLeases,
      summary.payouts.recoveredLeases,
    ]).toEqual([1, 1, 1]);
    expect(summary.held).toEqual([]);
  });

  it.each([
    [
      'a live process of this host',
      'alive',
      async (start: () => Promise<number>) => ownerOf(await start()),
    ],
    ['a process of another host', 'remote', async () => ownerOf(process.pid, 'some-other-host')],
    [
      'an owner it cannot read (an older payops)',
      'unrecognized',
      async () => 'web-1:4242:ab12cd34',
    ],
  ] as const)(
    'leaves alone the work leased to %s, and reports it as held',
    async (_name, state, owner) => {
      leaveExecuting(await owner(startSleeper));
      const summary = await retryDue(sqliteBook(db), execution());
      expect(statuses()).toEqual({
        orders: ['succeeded', 'succeeded', 'executing'],
        refunds: ['executing'],
        payouts: ['executing'],
      });
      expect(psp.refundCalls).toEqual([]);
      expect(psp.payoutCalls).toEqual([]);
      expect(
        summary.held.map((group) => [group.table, group.state, group.count, group.leaseExpiresAt]),
      ).toEqual(TABLES.map((table) => [table, state, 1, new Date(T0 + LEASE_MS).toISOString()]));
    },
  );

  it('--wait waits for held work, says so on stderr, and takes it over once the owner is gone', async () => {
    leaveExecuting(ownerOf(await startSleeper()));
    const messages: string[] = [];
    let sleeps = 0;
    const sleep = async (ms: number) => {
      sleeps++;
      now += ms;
      if (sleeps === 3) {
        const exited = new Promise((resolve) => sleeper?.once('exit', resolve));
        sleeper?.kill('SIGKILL');
        await exited;
      }
    };
    const summary = await retryDue(sqliteBook(db), {
      ...execution(),
      wait: true,
      sleep,
      onWait: (message) => messages.push(message),
    });
    expect(statuses()).toEqual({
      orders: ['succeeded', 'succeeded', 'succeeded'],
      refunds: ['succeeded'],
      payouts: ['succeeded'],
    });
    expect(summary.held).toEqual([]);
    expect(sleeps).toBe(3); // once the owner exits, the next round recovers: no waiting for the lease
    expect(messages).toEqual([
      expect.stringMatching(
        /^waiting for 1 order leased to pid \d+ on this host \(alive\) until .*; 1 refund .*; 1 payout .*: until their leases expire or their owners exit$/,
      ),
    ]);
  });

  it('--wait waits until a remote lease expires, then takes the work over', async () => {
    leaveExecuting(ownerOf(process.pid, 'some-other-host'));
    const sleep = async (ms: number) => {
      now += ms;
    };
    const summary = await retryDue(sqliteBook(db), {
      ...execution(),
      wait: true,
      sleep,
      onWait: () => undefined,
    });
    expect(summary.held).toEqual([]);
    expect([
      summary.charges.recoveredLeases,
      summary.refunds.recoveredLeases,
      summary.payouts.recoveredLeases,
    ]).toEqual([1, 1, 1]);
    expect(now).toBeGreaterThan(T0 + LEASE_MS);
  });

  it('--wait stops waiting for held work after its bound, says why, and still reports it', async () => {
    leaveExecuting(
      ownerOf(process.pid, 'some-other-host'),
      new Date(T0 + 24 * 3_600_000).toISOString(),
    );
    const messages: string[] = [];
    const sleep = async (ms: number) => {
      now += ms;
    };
    const summary = await retryDue(sqliteBook(db), {
      ...execution(),
      wait: true,
      sleep,
      maxHeldWaitMs: 10_000,
      onWait: (message) => messages.push(message),
    });
    expect(summary.held.map((group) => group.state)).toEqual(['remote', 'remote', 'remote']);
    expect(messages.at(-1)).toMatch(
      /^stopped waiting after 10 s for 1 order leased to pid \d+ on host some-other-host until .*: their owners still hold them/,
    );
  });
});

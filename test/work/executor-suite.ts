import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, inTransaction, openDatabase } from '../../src/db/index.js';
import { InvariantError } from '../../src/errors.js';
import { markFileOf, writeMarkFile } from '../../src/payments/book-mark.js';
import type { PspRejection, RetryableFailure } from '../../src/psp/port.js';
import { DEFAULT_BATCH_SIZE, type ExecutorOptions } from '../../src/work/engine.js';
import type { WorkItem, WorkKind, WorkResult, WorkTally } from '../../src/work/kind.js';
import { formatLeaseOwner, thisProcessOwner } from '../../src/work/leases/lease-owner.js';
import type { HeldGroup } from '../../src/work/leases/leases.js';
import { guardedFinish } from '../../src/work/record.js';
import { tempDatabase } from '../helpers/db.js';
import { WorkPsp } from './work-psp.js';
import { checkBooks, verifyBooks } from '../helpers/check.js';

export const T0 = Date.parse('2026-11-26T12:00:00Z');
export const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };

/** What a test holds: the book, its file (for a second connection), the PSP and the clock. */
export interface Context {
  db: Database;
  file: string;
  psp: WorkPsp;
  now: () => number;
}

/** An executor as the suite drives it. */
export interface Executor<Tally extends WorkTally> {
  runDue(): Promise<Tally>;
  requeue(ids: readonly string[], actor: string): Promise<Tally>;
  held(): Promise<HeldGroup[]>;
}

/** One kind of work as the suite sees it: how to make items, run them and read what happened. */
export interface KindFixture<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
> {
  name: 'charge' | 'refund' | 'payout';
  /** `orders`, `refunds`, `payouts`: the table, and `<table minus s>_transitions`. */
  table: 'orders' | 'refunds' | 'payouts';
  idColumn: 'order_id' | 'refund_id' | 'payout_id';
  /** Makes `count` items ready to execute; their ids, in claim order. */
  prepare(ctx: Context, count: number): Promise<string[]>;
  executor(db: Database, options: ExecutorOptions): Executor<Tally>;
  kind(db: Database): WorkKind<Item, Result, Tally>;
  /** The PSP answers the item's key with these, in order (then succeeds). */
  script(psp: WorkPsp, key: string, ...results: (Result | RetryableFailure | PspRejection)[]): void;
  /** The keys sent to the PSP, in order. */
  sentKeys(psp: WorkPsp): string[];
  batches(psp: WorkPsp): number;
  /** A look-up by the item's id finds this answer. */
  found(psp: WorkPsp, id: string, pspReference: string): void;
  lookups(psp: WorkPsp): string[];
  declined: Result;
  /** Charges only: an answer that leaves the item waiting. */
  pending?: Result;
  /** What success wrote beside the status: postings, wallet, the order's totals. */
  expectSucceeded(db: Database, id: string): void;
  /** What a decline wrote (or did not). */
  expectDeclined(db: Database, id: string): void;
  /** A request the PSP refused as such is never a decline: nothing booked, nothing released. */
  expectRejected(db: Database, id: string): void;
}

/** A row as the database gives it, for expectations (not for code that trusts its types). */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error(`not a row: ${String(value)}`);
  return { ...value };
}

const timeout: RetryableFailure = {
  status: 'retryable',
  kind: 'timeout',
  sent: true,
  detail: 'test timeout',
};

/** The executor tests every kind of work passes: DESIGN.md §4 and §5, one kind at a time. */
export function executorSuite<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
>(fixture: KindFixture<Item, Result, Tally>): void {
  describe(`the work engine with ${fixture.name}s`, () => {
    let ctx: Context;
    let now: number;
    let cleanup: () => void;
    const executor = (options: Partial<ExecutorOptions> = {}, on: Database = ctx.db) =>
      fixture.executor(on, {
        psp: ctx.psp,
        retry: POLICY,
        clock: () => now,
        random: () => 1,
        leaseMs: 60_000,
        ...options,
      });
    const row = (id: string) =>
      fieldsOf(
        ctx.db
          .prepare(
            `SELECT status, last_error, next_attempt_at, psp_reference FROM ${fixture.table} WHERE ${fixture.idColumn} = ?`,
          )
          .get(id),
      );
    const transitions = (id: string) =>
      ctx.db
        .prepare(
          `SELECT t.from_status, t.to_status, t.cause FROM ${fixture.table.slice(0, -1)}_transitions t
           JOIN ${fixture.table} x ON x.id = t.${fixture.idColumn} WHERE x.${fixture.idColumn} = ? ORDER BY t.id`,
        )
        .all(id)
        .map(fieldsOf);
    const keyOf = (id: string) =>
      String(
        ctx.db
          .prepare(`SELECT ${fixture.name}_key FROM ${fixture.table} WHERE ${fixture.idColumn} = ?`)
          .pluck()
          .get(id),
      );
    const prepareOne = async () => {
      const [id] = await fixture.prepare(ctx, 1);
      if (id === undefined) throw new Error('the fixture made no item');
      return { id, key: keyOf(id) };
    };
    const claimAs = (owner: string, leaseUntilMs: number) =>
      inTransaction(ctx.db, () =>
        fixture
          .kind(ctx.db)
          .claimDue(
            'sim',
            owner,
            new Date(leaseUntilMs).toISOString(),
            new Date(now).toISOString(),
            10,
          ),
      );

    beforeEach(() => {
      const temp = tempDatabase();
      cleanup = temp.cleanup;
      now = T0;
      ctx = { db: temp.db, file: temp.file, psp: new WorkPsp(), now: () => now };
    });
    afterEach(() => cleanup());

    it('succeeds: status, postings and wallet together, sent once with its fixed key', async () => {
      const { id, key } = await prepareOne();
      const tally = await executor().runDue();
      expect(tally).toMatchObject({ attempted: 1, succeeded: 1, retryScheduled: 0 });
      expect(row(id).status).toBe('succeeded');
      expect(fixture.sentKeys(ctx.psp)).toEqual([key]);
      fixture.expectSucceeded(ctx.db, id);
      expect((await checkBooks(ctx.db)).ok).toBe(true);
    });

    it('records a decline as final, with its reason', async () => {
      const { id, key } = await prepareOne();
      fixture.script(ctx.psp, key, fixture.declined);
      const tally = await executor().runDue();
      expect(tally).toMatchObject({ attempted: 1, failed: 1, succeeded: 0 });
      expect(row(id)).toMatchObject({ status: 'failed', last_error: 'insufficient_funds' });
      fixture.expectDeclined(ctx.db, id);
      expect((await checkBooks(ctx.db)).ok).toBe(true);
    });

    // Refunds and payouts have no pending state: the case exists only for kinds that do.
    const pending = fixture.pending;
    if (pending !== undefined)
      it('leaves a pending answer waiting, posting nothing', async () => {
        const { id, key } = await prepareOne();
        fixture.script(ctx.psp, key, pending);
        const tally = await executor().runDue();
        expect(tally).toMatchObject({ pending: 1, succeeded: 0 });
        expect(row(id).status).toBe('pending');
        await executor().runDue();
        expect(fixture.sentKeys(ctx.psp)).toEqual([key]);
      });

    it('dead-letters a request the PSP rejects and names it: never a decline, never sent again', async () => {
      const { id, key } = await prepareOne();
      fixture.script(ctx.psp, key, {
        status: 'rejected',
        reason: 'idempotency_key_reused',
        detail: `key ${key} was used with other parameters`,
      });
      const tally = await executor().runDue();
      expect(tally).toMatchObject({ deadLettered: 1, failed: 0, retryScheduled: 0 });
      expect(tally.rejections).toEqual([
        expect.stringMatching(
          /^the PSP rejected .*idempotency_key_reused .*payops broke an invariant/,
        ),
      ]);
      expect(tally.rejections[0]).toContain(`(key ${key})`);
      expect(row(id)).toMatchObject({
        status: 'dead_lettered',
        last_error: `rejected: idempotency_key_reused: key ${key} was used with other parameters`,
      });
      fixture.expectRejected(ctx.db, id);
      now += 60_000;
      await executor().runDue();
      expect(fixture.sentKeys(ctx.psp)).toEqual([key]);
    });

    it('looks an item up instead of sending it again once the PSP may have forgotten its key', async () => {
      const { id, key } = await prepareOne();
      fixture.script(ctx.psp, key, timeout);
      await executor().runDue();
      now += ctx.psp.keyLifetimeMs + 1;
      fixture.found(ctx.psp, id, 'found_k');
      await executor().runDue();
      expect(fixture.lookups(ctx.psp)).toEqual([id]);
      expect(fixture.sentKeys(ctx.psp)).toEqual([key]); // never sent again
      expect(row(id)).toMatchObject({ status: 'succeeded', psp_reference: 'found_k' });
    });

    it('sends again after a forgotten key only when the PSP has no record of the item', async () => {
      const { id, key } = await prepareOne();
      fixture.script(ctx.psp, key, timeout);
      await executor().runDue();
      now += ctx.psp.keyLifetimeMs + 1;
      await executor().runDue();
      expect(fixture.lookups(ctx.psp)).toEqual([id]);
      expect(fixture.sentKeys(ctx.psp)).toEqual([key, key]);
      expect(row(id).status).toBe('succeeded');
    });

    it('never executes one item twice when two executors work the same database', async () => {
      const ids = await fixture.prepare(ctx, 60);
      const other = openDatabase(ctx.file);
      const [a, b] = await Promise.all([
        executor({ batchSize: 7 }).runDue(),
        executor({ batchSize: 5 }, other).runDue(),
      ]);
      other.close();
      expect(a.succeeded + b.succeeded).toBe(60);
      const sent = fixture.sentKeys(ctx.psp);
      expect(sent).toHaveLength(60);
      expect(new Set(sent).size).toBe(60);
      for (const id of ids) expect(row(id).status).toBe('succeeded');
      expect((await checkBooks(ctx.db)).ok).toBe(true);
    }, 30_000);

    it('schedules a retry after a timeout with backoff, not early, and retries with the same key', async () => {
      const { id, key } = await prepareOne();
      fixture.script(ctx.psp, key, timeout, timeout);
      await executor().runDue();
      expect(row(id).status).toBe('retry_scheduled');
      expect(Date.parse(String(row(id).next_attempt_at)) - T0).toBe(1_000); // base × 2^0, jitter at its top
      await executor().runDue();
      expect(fixture.sentKeys(ctx.psp)).toEqual([key]);
      now += 1_000;
      await executor().runDue();
      expect(Date.parse(String(row(id).next_attempt_at)) - now).toBe(2_000); // doubled
      now += 2_000;
      await executor().runDue();
      expect(row(id).status).toBe('succeeded');
      expect(fixture.sentKeys(ctx.psp)).toEqual([key, key, key]);
      expect(transitions(id).map((t) => `${t.from_status}>${t.to_status}`)).toEqual([
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
      const { id, key } = await prepareOne();
      const rateLimited: RetryableFailure = {
        status: 'retryable',
        kind: 'rate_limited',
        sent: true,
        retryAfterMs: 30_000,
        detail: '429',
      };
      fixture.script(ctx.psp, key, rateLimited);
      const tally = await executor().runDue();
      expect(tally).toMatchObject({
        retryScheduled: 1,
        retriesByReason: [{ reason: '429', count: 1 }],
      });
      expect(Date.parse(String(row(id).next_attempt_at)) - T0).toBe(30_000);
    });

    it('dead-letters after the maximum attempts; a requeue gets a fresh budget with the same key', async () => {
      const { id, key } = await prepareOne();
      fixture.script(ctx.psp, key, timeout, timeout, timeout, timeout);
      for (let i = 0; i < 3; i++) {
        await executor().runDue();
        now += 10_000;
      }
      expect(row(id)).toMatchObject({
        status: 'dead_lettered',
        last_error: 'timeout: test timeout',
      });
      await executor().runDue();
      expect(fixture.sentKeys(ctx.psp)).toHaveLength(3); // dead letters are not retried by themselves
      await executor().requeue([id], 'test operator');
      expect(row(id).status).toBe('retry_scheduled'); // 4th scripted timeout, first of a new budget
      now += 10_000;
      await executor().runDue();
      expect(row(id).status).toBe('succeeded');
      expect(new Set(fixture.sentKeys(ctx.psp))).toEqual(new Set([key]));
      expect(
        transitions(id).some(
          (t) =>
            t.from_status === 'dead_lettered' && /requeued by test operator/.test(String(t.cause)),
        ),
      ).toBe(true);
      expect((await checkBooks(ctx.db)).ok).toBe(true);
    });

    it('resumes a crash after the call and before the record with the same key: the PSP answers the original, booked once', async () => {
      const { id, key } = await prepareOne();
      ctx.psp.gate = new Promise<void>(() => {}); // the crashed process never comes back
      void executor({ leaseMs: 1_000 }).runDue();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fixture.sentKeys(ctx.psp)).toEqual([key]);
      expect(row(id).status).toBe('executing');
      ctx.psp.gate = undefined;
      now += 2_000;
      const other = openDatabase(ctx.file);
      const tally = await executor({}, other).runDue();
      other.close();
      expect(tally).toMatchObject({ recoveredLeases: 1, succeeded: 1 });
      expect(fixture.sentKeys(ctx.psp)).toEqual([key, key]);
      fixture.expectSucceeded(ctx.db, id);
      expect((await verifyBooks(ctx.db)).ok).toBe(true);
      expect((await checkBooks(ctx.db)).ok).toBe(true);
    });

    it('recovers an item a crashed process left executing once its lease expires, with the same key', async () => {
      const { id, key } = await prepareOne();
      claimAs('crashed-process', T0 + 60_000);
      expect(row(id).status).toBe('executing');
      await executor().runDue();
      expect(fixture.sentKeys(ctx.psp)).toEqual([]); // lease still valid: hands off
      now += 60_001;
      const tally = await executor().runDue();
      expect(tally).toMatchObject({ recoveredLeases: 1, succeeded: 1 });
      expect(fixture.sentKeys(ctx.psp)).toEqual([key]);
      expect(
        transitions(id)
          .map((t) => t.cause)
          .join('\n'),
      ).toMatch(/lease expired; recovered/);
    });

    it('reports work under a live lease of another executor and never takes it', async () => {
      const { id } = await prepareOne();
      const live = formatLeaseOwner({ ...thisProcessOwner(), run: '0badc0de' });
      claimAs(live, T0 + 60_000);
      const tally = await executor().runDue();
      expect(tally).toMatchObject({ recoveredLeases: 0, attempted: 0 });
      expect(fixture.sentKeys(ctx.psp)).toEqual([]);
      expect(row(id).status).toBe('executing');
      expect(await executor().held()).toEqual([
        expect.objectContaining({ table: fixture.table, owner: live, state: 'alive', count: 1 }),
      ]);
    });

    it('refuses an illegal transition loudly, with a typed error naming the item', async () => {
      const { id } = await prepareOne();
      const kind = fixture.kind(ctx.db);
      const [item] = claimAs('someone', T0 + 60_000);
      if (item === undefined) throw new Error('nothing claimed');
      const at = new Date(T0).toISOString();
      const move = () =>
        inTransaction(ctx.db, () =>
          guardedFinish(kind, item, 'succeeded', null, { to: 'executing' }, at, 'test'),
        );
      expect(move).toThrow(InvariantError);
      expect(move).toThrow(`${kind.noun} ${id}: illegal transition succeeded → executing`);
      expect(row(id).status).toBe('executing');
    });

    it('counts a lost lease and writes nothing twice when a process finishes after its lease was taken over', async () => {
      const { id } = await prepareOne();
      let release!: () => void;
      ctx.psp.gate = new Promise<void>((resolve) => (release = resolve));
      const slow = executor({ leaseMs: 1_000 }).runDue();
      await new Promise((resolve) => setTimeout(resolve, 50)); // slow is now inside the PSP call
      now += 2_000;
      ctx.psp.gate = undefined;
      const other = openDatabase(ctx.file);
      const fast = await executor({}, other).runDue();
      other.close();
      expect(fast).toMatchObject({ recoveredLeases: 1, succeeded: 1 });
      release();
      expect(await slow).toMatchObject({ succeeded: 0, lostLease: 1 });
      fixture.expectSucceeded(ctx.db, id);
      expect((await verifyBooks(ctx.db)).ok).toBe(true);
      expect((await checkBooks(ctx.db)).ok).toBe(true);
    });

    it('looks every item up first while the book is behind its mark, and books what the PSP found without sending', async () => {
      const { id } = await prepareOne();
      const bookId = String(ctx.db.prepare('SELECT book_id FROM book_mark').pluck().get());
      const sends = BigInt(String(ctx.db.prepare('SELECT sends FROM book_mark').pluck().get()));
      const markFile = markFileOf(ctx.file);
      if (markFile === null) throw new Error('a file book has a mark file');
      writeMarkFile(markFile, { bookId, sends: sends + 100n });
      fixture.found(ctx.psp, id, 'found_1');
      const sentBefore = fixture.sentKeys(ctx.psp).length;
      const other = openDatabase(ctx.file); // a fresh process's view of the mark
      const tally = await executor({}, other).runDue();
      other.close();
      expect(tally.bookBehind).not.toBeNull();
      expect(fixture.lookups(ctx.psp)).toContain(id);
      expect(fixture.sentKeys(ctx.psp)).toHaveLength(sentBefore);
      expect(row(id)).toMatchObject({ status: 'succeeded', psp_reference: 'found_1' });
      expect(fs.existsSync(markFile)).toBe(true);
    });

    it(`claims up to ${DEFAULT_BATCH_SIZE} at once: more than a thousand items in one PSP call`, async () => {
      const ids = await fixture.prepare(ctx, 1_001);
      const before = fixture.batches(ctx.psp);
      const tally = await executor().runDue();
      expect(tally).toMatchObject({ attempted: 1_001, succeeded: 1_001 });
      expect(fixture.batches(ctx.psp) - before).toBe(1);
      expect(row(ids[1_000] ?? '').status).toBe('succeeded');
    }, 60_000);
  });
}

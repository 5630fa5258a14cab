import type { RetryPolicy } from '../payments/retry-policy.js';
import type { PaymentServiceProvider } from '../psp/port.js';
import { ALTERED_REASON, noteDeadLetter } from './reasons.js';
import type { Clock } from '../time.js';
import type { WorkItem, KindRules, WorkResult, WorkTally } from './kind.js';
import { formatLeaseOwner, thisProcessOwner } from './leases/lease-owner.js';
import { sendOrLookUpCounted } from './lookup-first.js';
import type { HeldGroup, LeaseJudge } from './leases/leases.js';
import { type RecordOptions, guardedFinish, planRecord, recordPlanned } from './record.js';
import { recordOrSetAside } from './set-aside.js';
import { assertAllowed } from '../payments/order-state.js';
import type { ClaimChecks, ClaimedBatch, WorkStore } from './work-store.js';

export interface ExecutorOptions {
  psp: PaymentServiceProvider;
  retry: RetryPolicy;
  clock: Clock;
  batchSize?: number;
  /** How long a claim is ours; must outlast one batch of PSP calls. */
  leaseMs?: number;
  random?: () => number;
  onBatch?: (done: number) => void;
}

// Each batch costs three durable commits (claim, PSP state, record): large batches amortize them.
export const DEFAULT_BATCH_SIZE = 4_000;
const DEFAULT_LEASE_MS = 5 * 60_000;

/** A final answer kept in unrecorded_answers, as `attention resolve` books it. */
export interface KeptAnswer {
  id: bigint;
  itemId: string;
  answerStatus: 'succeeded' | 'declined';
  pspReference: string | null;
  declineReason: string | null;
}

/**
 * The claim → call → record protocol of DESIGN.md §5, once for every kind of PSP work, a batch
 * at a time:
 *   1. before: one transaction recovers expired leases (and those of processes gone from this
 *      host) and claims the batch (`executing`, lease owner and expiry, attempt);
 *   2. call: the PSP, outside any transaction, with each item's fixed idempotency key (looked up
 *      first when the key may be forgotten or the book is behind its mark);
 *   3. after: one transaction writes each item's status, ledger postings and wallet together.
 * A crash between any two steps leaves items that the next run recovers and retries with the
 * same key, so the PSP answers with the original result instead of acting twice.
 */
export class WorkEngine<Item extends WorkItem, Result extends WorkResult, Tally extends WorkTally> {
  protected readonly judge: LeaseJudge = { self: thisProcessOwner() };
  protected readonly owner = formatLeaseOwner(this.judge.self);
  protected readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly recordOptions: RecordOptions;
  private readonly checks: ClaimChecks<Item>;

  constructor(
    protected readonly workStore: WorkStore<Item>,
    protected readonly kind: KindRules<Item, Result, Tally>,
    protected readonly options: ExecutorOptions,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.recordOptions = {
      psp: options.psp.name,
      retry: options.retry,
      random: options.random ?? Math.random,
    };
    this.checks = {
      check: (items) => {
        for (const item of items)
          assertAllowed(kind.transitions, kind.noun, kind.idOf(item), item.fromStatus, 'executing');
      },
      // Never sent: dead-lettered and named, and the run exits 5.
      altered: (item, mismatch) =>
        guardedFinish(
          kind,
          item,
          'executing',
          this.owner,
          { to: 'dead_lettered', error: `altered: ${mismatch}` },
          '',
          kind.alteredMessage?.(item, mismatch) ?? mismatch,
        ),
    };
  }

  /** Recovers expired leases and those of processes gone from this host, then executes everything new or due, until none is left. */
  async runDue(tally: Tally = this.kind.emptyTally()): Promise<Tally> {
    if (!this.kind.available(this.options.psp)) return tally;
    const psp = this.options.psp.name;
    tally.bookBehind ??= await this.workStore.openMark(this.now());
    for (;;) {
      const request = { psp, owner: this.owner, leaseUntil: this.leaseUntil(), at: this.now() };
      const claim = await this.workStore.claimDue(
        { ...request, limit: this.batchSize, judge: this.judge },
        this.checks,
      );
      tally.recoveredLeases += claim.recoveredLeases;
      countAltered(claim, tally);
      if (claim.claimed.length === 0) return tally;
      await this.execute(claim, tally);
    }
  }

  /** Gives dead-lettered items one more round (with a fresh retry budget), by an operator. */
  async requeue(
    ids: readonly string[],
    actor: string,
    tally: Tally = this.kind.emptyTally(),
  ): Promise<Tally> {
    if (!this.kind.available(this.options.psp)) return tally;
    tally.bookBehind ??= await this.workStore.openMark(this.now());
    // An id named twice is claimed once: a second claim of the same row in one transaction throws.
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += this.batchSize) {
      const claim = await this.workStore.claimDeadLettered(
        {
          ids: unique.slice(start, start + this.batchSize),
          psp: this.options.psp.name,
          owner: this.owner,
          leaseUntil: this.leaseUntil(),
          at: this.now(),
          cause: `requeued by ${actor}`,
        },
        this.checks,
      );
      countAltered(claim, tally);
      if (claim.claimed.length > 0) await this.execute(claim, tally);
    }
    return tally;
  }

  /** Items of this PSP in `executing` that are not this executor's to take now (see `heldIn`). */
  held(): Promise<HeldGroup[]> {
    return this.workStore.held(this.options.psp.name, this.now(), this.judge);
  }

  /** When the earliest item scheduled for retry is due, if any is. */
  nextRetryAt(): Promise<string | undefined> {
    return this.workStore.nextRetryAt(this.options.psp.name);
  }

  /**
   * Books an answer kept in unrecorded_answers (the item is in needs_attention) through the same
   * record as the executor's, in one unit of work with the fact's resolution. Throws, changing
   * nothing, while the cause still stands.
   */
  async bookKept(fact: KeptAnswer, actor: string, tally: Tally): Promise<boolean> {
    const at = this.now();
    const request = { itemId: fact.itemId, factId: fact.id, actor, at };
    let plan: ReturnType<typeof planRecord<Item, Result, Tally>> | undefined;
    const booked = await this.workStore.bookKept(request, (item) => {
      plan = this.keptPlan(item, fact, at);
      return plan.batch;
    });
    if (booked === undefined) return false;
    plan?.count(booked.moved, tally);
    return booked.resolved;
  }

  /** The record of a kept answer, as the PSP gave it. */
  protected keptPlan(item: Item, fact: KeptAnswer, at: string) {
    const pspReference = fact.pspReference;
    const result: WorkResult =
      fact.answerStatus === 'succeeded'
        ? { status: 'succeeded', pspReference: pspReference ?? '' }
        : { status: 'declined', pspReference, reason: fact.declineReason ?? 'declined' };
    return planRecord(this.kind, [item], [result], null, at, this.recordOptions);
  }

  /** Records answers that are not replies to this executor's calls (look-ups of pending items), in one unit of work. */
  protected recordAnswers(items: readonly Item[], results: readonly Result[], tally: Tally) {
    const plan = planRecord(this.kind, items, results, null, this.now(), this.recordOptions);
    return recordPlanned(this.workStore, plan, tally);
  }

  private async execute(claim: ClaimedBatch<Item>, tally: Tally): Promise<void> {
    const { failpoints } = this.kind;
    const { claimed } = claim;
    // The mark is written after the claim commits and before the PSP call: a crash between the two sends nothing.
    await this.workStore.advanceMark(claim.sends);
    failpoints.afterClaim();
    const { results, lostWorkFound } = await this.call(claimed, claim.lookUpFirst);
    failpoints.afterPspCall();
    tally.needsAttention += await recordOrSetAside(
      this.workStore,
      this.kind,
      claimed,
      results,
      tally,
      {
        ...this.recordOptions,
        owner: this.owner,
        at: this.now(),
        beforeCommit: () => failpoints.beforeRecordCommit(),
      },
    );
    failpoints.afterRecord?.();
    await this.workStore.settleMark(lostWorkFound);
    tally.attempted += claimed.length;
    this.options.onBatch?.(claimed.length);
  }

  /** Phase 2, outside any transaction; an item first tried a key lifetime ago is looked up before anything is sent again. */
  private call(claimed: readonly Item[], bookBehind: boolean) {
    const { psp } = this.options;
    return sendOrLookUpCounted<Item, Result>(claimed, {
      keyLifetimeMs: psp.keyLifetimeMs,
      nowMs: this.options.clock(),
      bookBehind,
      ...(this.kind.holdWhileBehind === undefined
        ? {}
        : { holdWhileBehind: this.kind.holdWhileBehind }),
      lookUp: (item) => this.kind.lookUp(psp, item),
      send: (items) => this.kind.send(psp, items),
    });
  }

  protected now(): string {
    return new Date(this.options.clock()).toISOString();
  }

  private leaseUntil(): string {
    return new Date(this.options.clock() + this.leaseMs).toISOString();
  }
}

/** Altered items the claim dead-lettered: each named among the run's rejections. */
function countAltered<Item>(claim: ClaimedBatch<Item>, tally: WorkTally): void {
  for (const { move, moved } of claim.altered) {
    if (!moved) continue;
    noteDeadLetter(tally, ALTERED_REASON);
    tally.rejections.push(move.cause);
  }
}

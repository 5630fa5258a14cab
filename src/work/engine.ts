import { type Database, inTransaction } from '../db/index.js';
import { UnrecordedAnswers, recordOrSetAside } from '../payments/attention.js';
import { BookMark } from '../payments/book-mark.js';
import { sendOrLookUpCounted } from './lookup-first.js';
import type { RetryPolicy } from '../payments/retry-policy.js';
import type { PaymentServiceProvider } from '../psp/port.js';
import { ALTERED_REASON, noteDeadLetter } from './reasons.js';
import type { Clock } from '../time.js';
import type { WorkItem, WorkKind, WorkResult, WorkTally } from './kind.js';
import { formatLeaseOwner, thisProcessOwner } from './leases/lease-owner.js';
import { type HeldGroup, type LeaseJudge, heldIn } from './leases/leases.js';
import { OutcomeRecorder, guardedFinish } from './record.js';
import { assertAllowed } from '../payments/order-state.js';

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

/** A claimed batch, the book's count of first-time sends after it, and whether it is behind its mark. */
interface Claim<Item> {
  claimed: Item[];
  lookUpFirst: boolean;
  sends: bigint;
}

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
  protected readonly recorder: OutcomeRecorder<Item, Result, Tally>;
  protected readonly judge: LeaseJudge = { self: thisProcessOwner() };
  protected readonly owner = formatLeaseOwner(this.judge.self);
  protected readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly mark: BookMark;

  constructor(
    protected readonly db: Database,
    protected readonly kind: WorkKind<Item, Result, Tally>,
    protected readonly options: ExecutorOptions,
  ) {
    this.mark = BookMark.of(db);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.recorder = new OutcomeRecorder(db, kind, {
      psp: options.psp.name,
      retry: options.retry,
      random: options.random ?? Math.random,
    });
  }

  /** Recovers expired leases and those of processes gone from this host, then executes everything new or due, until none is left. */
  async runDue(tally: Tally = this.kind.emptyTally()): Promise<Tally> {
    if (!this.kind.available(this.options.psp)) return tally;
    const psp = this.options.psp.name;
    tally.bookBehind ??= this.mark.open(this.now());
    for (;;) {
      const claim = inTransaction(this.db, () => {
        const now = this.now();
        tally.recoveredLeases += this.kind.recoverLeases(psp, now, this.judge);
        const items = this.kind.claimDue(psp, this.owner, this.leaseUntil(), now, this.batchSize);
        return this.claimed(items, tally, now);
      });
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
    tally.bookBehind ??= this.mark.open(this.now());
    // An id named twice is claimed once: a second claim of the same row in one transaction throws.
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += this.batchSize) {
      const slice = unique.slice(start, start + this.batchSize);
      const claim = inTransaction(this.db, () => {
        const now = this.now();
        const items = this.kind.claimDeadLettered(
          slice,
          this.options.psp.name,
          this.owner,
          this.leaseUntil(),
          now,
          `requeued by ${actor}`,
        );
        return this.claimed(items, tally, now);
      });
      if (claim.claimed.length > 0) await this.execute(claim, tally);
    }
    return tally;
  }

  /** Items of this PSP in `executing` that are not this executor's to take now (see `heldIn`). */
  held(): HeldGroup[] {
    return heldIn(this.db, this.kind.table, this.options.psp.name, this.now(), this.judge);
  }

  /** When the earliest item scheduled for retry is due, if any is. */
  nextRetryAt(): string | undefined {
    return this.kind.nextRetryAt(this.options.psp.name);
  }

  /**
   * Books an answer kept in unrecorded_answers (the item is in needs_attention) through the same
   * record as the executor's, in one transaction with the fact's resolution. Throws, changing
   * nothing, while the cause still stands.
   */
  resolveKept(fact: KeptAnswer, actor: string, tally: Tally): boolean {
    return inTransaction(this.db, () => {
      const item = this.kind.needingAttention?.(fact.itemId);
      if (item === undefined) return false;
      const pspReference = fact.pspReference;
      const result: WorkResult =
        fact.answerStatus === 'succeeded'
          ? { status: 'succeeded', pspReference: pspReference ?? '' }
          : { status: 'declined', pspReference, reason: fact.declineReason ?? 'declined' };
      const at = this.now();
      this.recorder.record([item], [result], tally, null, at);
      return new UnrecordedAnswers(this.db).resolve(fact.id, at, actor);
    });
  }

  /**
   * Inside the claim's transaction: checks every claim against the kind's transitions, sets
   * aside altered items (never sent) and counts first-time sends for the book's mark.
   */
  private claimed(items: Item[], tally: Tally, now: string): Claim<Item> {
    const { kind } = this;
    for (const item of items)
      assertAllowed(kind.transitions, kind.noun, kind.idOf(item), item.fromStatus, 'executing');
    const claimed = this.withoutAltered(items, tally, now);
    const firstSends = claimed.filter((item) => item.fromStatus === 'created').length;
    return { claimed, ...this.mark.claimed(firstSends) };
  }

  /**
   * An item whose fields no longer match the hash recorded at intake (edited behind the schema's
   * triggers) is never sent; it is dead-lettered and named, and the run exits 5. A batch in which
   * none was altered costs one key look-up per item.
   */
  private withoutAltered(items: Item[], tally: Tally, at: string): Item[] {
    const { kind } = this;
    if (kind.birthMismatch === undefined) return items;
    const intact: Item[] = [];
    for (const item of items) {
      const mismatch = kind.birthMismatch(item);
      if (mismatch === undefined) {
        intact.push(item);
        continue;
      }
      const message = kind.alteredMessage?.(item, mismatch) ?? mismatch;
      const outcome = { to: 'dead_lettered' as const, error: `altered: ${mismatch}` };
      if (guardedFinish(kind, item, 'executing', this.owner, outcome, at, message)) {
        noteDeadLetter(tally, ALTERED_REASON);
        tally.rejections.push(message);
      }
    }
    return intact;
  }

  private async execute(claim: Claim<Item>, tally: Tally): Promise<void> {
    const { failpoints } = this.kind;
    const { claimed } = claim;
    // The mark is written after the claim commits and before the PSP call: a crash between the two sends nothing.
    this.mark.advance(claim.sends);
    failpoints.afterClaim();
    const { results, lostWorkFound } = await this.call(claimed, claim.lookUpFirst);
    failpoints.afterPspCall();
    const recorder = this.recorder.answerRecorder(tally, this.owner, this.now());
    const setAside = recordOrSetAside(this.db, claimed, results, tally, recorder, () =>
      failpoints.beforeRecordCommit(),
    );
    tally.needsAttention += setAside;
    failpoints.afterRecord?.();
    this.mark.settle(lostWorkFound);
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

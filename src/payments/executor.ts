import { ALTERED_REASON, type ReasonCount, noteDeadLetter } from '../queue/reasons.js';
import { mapConcurrently } from '../concurrency.js';
import { type Database, inTransaction } from '../db/index.js';
import { failpoint } from '../failpoints.js';
import type { Currency } from '../money/index.js';
import { type ChargeResult, type PaymentServiceProvider, isRetryable } from '../psp/port.js';
import type { Clock } from '../time.js';
import { formatLeaseOwner, thisProcessOwner } from '../work/lease-owner.js';
import { type HeldGroup, type LeaseJudge, heldIn } from '../work/leases.js';
import { recordOrSetAside } from './attention.js';
import { type BehindNotice, BookMark } from './book-mark.js';
import { sendOrLookUpCounted } from './lookup-first.js';
import { nextRetryAt } from './queries.js';
import { ChargeRecorder } from './record.js';
import type { RetryPolicy } from './retry-policy.js';
import { type ClaimedOrder, PaymentsStore } from './store.js';

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

export interface ExecutionTally {
  attempted: number;
  succeeded: number;
  pending: number;
  failed: number;
  retryScheduled: number;
  deadLettered: number;
  /** Why this run scheduled retries and dead-lettered work, by reason (src/queue/reasons.ts). */
  retriesByReason: ReasonCount[];
  deadLettersByReason: ReasonCount[];
  /** Final PSP answers payops could not record: kept as facts, the orders in needs_attention. */
  needsAttention: number;
  /** Outcomes another process recorded first (our lease had expired): nothing was written twice. */
  lostLease: number;
  recoveredLeases: number;
  capturedMinor: Map<Currency, bigint>;
  /** Requests the PSP refused as such (key reused, malformed): payops broke an invariant. Dead-lettered, one line each. */
  rejections: string[];
  /** The book was behind its high-water mark when this run began: its sends were looked up first. */
  bookBehind: BehindNotice | null;
}

export function emptyTally(): ExecutionTally {
  return {
    attempted: 0,
    succeeded: 0,
    pending: 0,
    failed: 0,
    retryScheduled: 0,
    deadLettered: 0,
    retriesByReason: [],
    deadLettersByReason: [],
    needsAttention: 0,
    lostLease: 0,
    recoveredLeases: 0,
    capturedMinor: new Map(),
    rejections: [],
    bookBehind: null,
  };
}

// Each batch costs three durable commits (claim, PSP state, record): large batches amortize them.
export const DEFAULT_BATCH_SIZE = 4_000;
export const DEFAULT_LEASE_MS = 5 * 60_000;
const LOOKUP_CONCURRENCY = 16;

/**
 * Charges orders through the PSP following DESIGN.md §5 to the letter, a batch at a time:
 *   1. before: one transaction claims the batch (`executing`, lease owner and expiry, attempt);
 *   2. call: the PSP, outside any transaction, with each order's fixed idempotency key;
 *   3. after: one transaction writes each order's status, ledger postings and wallet together.
 * A crash between any two steps leaves orders that the next run recovers and retries with the
 * same key, so the PSP answers with the original result instead of charging again.
 */
export class PayinExecutor {
  private readonly store: PaymentsStore;
  private readonly recorder: ChargeRecorder;
  private readonly judge: LeaseJudge = { self: thisProcessOwner() };
  private readonly owner = formatLeaseOwner(this.judge.self);
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly mark: BookMark;

  constructor(
    private readonly db: Database,
    private readonly options: ExecutorOptions,
  ) {
    this.store = new PaymentsStore(db);
    this.mark = BookMark.of(db);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.recorder = new ChargeRecorder(db, {
      psp: options.psp.name,
      retry: options.retry,
      random: options.random ?? Math.random,
    });
  }

  /** Recovers expired leases and those of processes gone from this host, then executes every order that is new or due, until none is left. */
  async runDue(tally: ExecutionTally = emptyTally()): Promise<ExecutionTally> {
    const psp = this.options.psp.name;
    tally.bookBehind ??= this.mark.open(this.now());
    for (;;) {
      const { claimed, ...claim } = inTransaction(this.db, () => {
        const now = this.now();
        tally.recoveredLeases += this.store.recoverLeases(psp, now, this.judge);
        const orders = this.withoutAltered(
          this.store.claimDue(psp, this.owner, this.leaseUntil(), now, this.batchSize),
          tally,
          now,
        );
        return {
          claimed: orders,
          ...this.mark.claimed(orders.filter((order) => order.fromStatus === 'created').length),
        };
      });
      if (claimed.length === 0) return tally;
      await this.execute(claimed, tally, claim);
    }
  }

  /** Orders of this PSP in `executing` that are not this executor's to take now (see `heldIn`). */
  held(): HeldGroup[] {
    return heldIn(this.db, 'orders', this.options.psp.name, this.now(), this.judge);
  }

  /** When the earliest charge scheduled for retry is due, if any is. */
  nextRetryAt(): string | undefined {
    return nextRetryAt(this.db, this.options.psp.name);
  }

  /** Gives dead-lettered orders one more round (with a fresh retry budget), by an operator. */
  async requeue(
    orderIds: readonly string[],
    actor: string,
    tally: ExecutionTally = emptyTally(),
  ): Promise<ExecutionTally> {
    tally.bookBehind ??= this.mark.open(this.now());
    for (let start = 0; start < orderIds.length; start += this.batchSize) {
      const slice = orderIds.slice(start, start + this.batchSize);
      const { claimed, ...claim } = inTransaction(this.db, () => ({
        claimed: this.withoutAltered(
          this.store.claimDeadLettered(
            slice,
            this.options.psp.name,
            this.owner,
            this.leaseUntil(),
            this.now(),
            `requeued by ${actor}`,
          ),
          tally,
          this.now(),
        ),
        ...this.mark.claimed(0),
      }));
      if (claimed.length > 0) await this.execute(claimed, tally, claim);
    }
    return tally;
  }

  /** Asks the PSP about every pending order and records what it settled to. */
  async syncPending(tally: ExecutionTally = emptyTally()): Promise<ExecutionTally> {
    let afterId = 0n;
    for (;;) {
      const pending = inTransaction(this.db, () =>
        this.store.pendingOrders(this.options.psp.name, this.batchSize, afterId),
      );
      if (pending.length === 0) return tally;
      afterId = (pending[pending.length - 1] as ClaimedOrder).id;
      // A few look-ups at a time: over HTTP each is a round trip, and they are independent.
      const results = await mapConcurrently(
        pending,
        LOOKUP_CONCURRENCY,
        async (order): Promise<ChargeResult> => {
          const lookup = await this.options.psp.lookupCharge(order.orderId);
          return isRetryable(lookup)
            ? lookup
            : lookup.found
              ? lookup.result
              : { status: 'pending', pspReference: '' };
        },
      );
      inTransaction(this.db, () => this.recorder.record(pending, results, tally, null, this.now()));
    }
  }

  /** `claim`: the book's count of first-time sends after this claim, and whether it is behind its mark. */
  private async execute(
    claimed: ClaimedOrder[],
    tally: ExecutionTally,
    claim: { lookUpFirst: boolean; sends: bigint },
  ): Promise<void> {
    // The mark is written after the claim commits and before the PSP call: a crash between the two sends nothing.
    this.mark.advance(claim.sends);
    failpoint('executor.after-claim');
    const { results, lostWorkFound } = await this.call(claimed, claim.lookUpFirst);
    failpoint('executor.after-psp-call');
    const recorder = this.recorder.answerRecorder(tally, this.owner, this.now());
    const setAside = recordOrSetAside(this.db, claimed, results, tally, recorder, () =>
      failpoint('executor.before-record-commit'),
    );
    tally.needsAttention += setAside;
    failpoint('executor.after-record');
    this.mark.settle(lostWorkFound);
    tally.attempted += claimed.length;
    this.options.onBatch?.(claimed.length);
  }

  /** Phase 2, outside any transaction; an order first tried a key lifetime ago is looked up before anything is sent again. */
  private call(
    claimed: readonly ClaimedOrder[],
    bookBehind: boolean,
  ): Promise<{ results: ChargeResult[]; lostWorkFound: number }> {
    const psp = this.options.psp;
    return sendOrLookUpCounted(claimed, {
      keyLifetimeMs: psp.keyLifetimeMs,
      nowMs: this.options.clock(),
      bookBehind,
      lookUp: (order) => psp.lookupCharge(order.orderId),
      send: (orders) =>
        psp.charge(
          orders.map((order) => ({
            idempotencyKey: order.chargeKey,
            merchantReference: order.orderId,
            amountMinor: order.amountMinor,
            currency: order.currency,
            paymentToken: order.paymentToken,
          })),
        ),
    });
  }

  /**
   * Inside the claim's transaction: an order whose fields no longer match the hash recorded at
   * intake (edited behind the schema's triggers) is never sent; it is dead-lettered and named,
   * and the run exits 5. A batch in which none was altered costs one key look-up per order.
   */
  private withoutAltered(
    claimed: ClaimedOrder[],
    tally: ExecutionTally,
    at: string,
  ): ClaimedOrder[] {
    const intact: ClaimedOrder[] = [];
    for (const order of claimed) {
      const mismatch = this.store.birthMismatch(order.id);
      if (mismatch === undefined) {
        intact.push(order);
        continue;
      }
      const message = `order ${order.orderId} was not charged: ${mismatch}; it was dead-lettered (compare it with its event; \`payops check\` lists every such order)`;
      if (
        this.store.finish(
          order,
          'executing',
          this.owner,
          { to: 'dead_lettered', error: `altered: ${mismatch}` },
          at,
          message,
        )
      ) {
        noteDeadLetter(tally, ALTERED_REASON);
        tally.rejections.push(message);
      }
    }
    return intact;
  }

  private now(): string {
    return new Date(this.options.clock()).toISOString();
  }

  private leaseUntil(): string {
    return new Date(this.options.clock() + this.leaseMs).toISOString();
  }
}

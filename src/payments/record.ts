import { noteDeadLetter, noteRetry, reasonOf } from '../queue/reasons.js';
import { type Database, inTransaction } from '../db/index.js';
import { Ledger, type PostingRequest } from '../ledger/index.js';
import type { AnswerRecorder, UnrecordedAnswer } from './attention.js';
import {
  type ChargeResult,
  type PspRejection,
  type RetryableFailure,
  rejectionMessage,
} from '../psp/port.js';
import { Wallets, type WalletDelta } from '../wallet/wallet.js';
import { type ExecutionTally, emptyTally } from './executor.js';
import { captureTransaction, pspFeeTransaction } from './postings.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from './retry-policy.js';
import { type ClaimedOrder, type OrderOutcome, PaymentsStore } from './store.js';

export interface RecorderOptions {
  /** The PSP the orders were charged through: names its receivable account. */
  psp: string;
  retry: RetryPolicy;
  random: () => number;
}

/**
 * Phase 3 of DESIGN.md §5, the one place where a PSP's answer about a charge becomes an order
 * transition, its ledger postings and the seller's wallet. The executor (answers to its calls),
 * `orders sync` (look-ups of pending orders) and webhooks (events the PSP pushes) all record
 * through it, inside a transaction their caller holds, so the posting rules exist once.
 *
 * An order is moved only from the state it was read in (`fromStatus`: `executing` under `owner`'s
 * lease, or `pending`); if it moved meanwhile the answer is dropped and counted as `lostLease`.
 */
export class ChargeRecorder {
  private readonly store: PaymentsStore;
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;

  constructor(
    db: Database,
    private readonly options: RecorderOptions,
  ) {
    this.store = new PaymentsStore(db);
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
  }

  record(
    orders: readonly ClaimedOrder[],
    results: readonly ChargeResult[],
    tally: ExecutionTally,
    owner: string | null,
    at: string,
  ): void {
    const psp = this.options.psp;
    const postings: PostingRequest[] = [];
    const deltas: WalletDelta[] = [];
    orders.forEach((order, index) => {
      const result = results[index] as ChargeResult;
      // `needs_attention`: `attention resolve` books the answer kept when it could not be recorded.
      const from =
        order.fromStatus === 'pending' || order.fromStatus === 'needs_attention'
          ? order.fromStatus
          : 'executing';
      // A pending order waits for a final answer; nothing else about it is news.
      if (from !== 'executing' && result.status !== 'succeeded' && result.status !== 'declined')
        return;
      const move = (outcome: OrderOutcome, cause: string): boolean => {
        const moved = this.store.finish(order, from, owner, outcome, at, cause);
        if (!moved) tally.lostLease++;
        return moved;
      };
      switch (result.status) {
        case 'succeeded': {
          if (
            !move(
              { to: 'succeeded', pspReference: result.pspReference, pspFeeMinor: result.feeMinor },
              `PSP ${psp} captured it as ${result.pspReference}`,
            )
          )
            return;
          tally.succeeded++;
          tally.capturedMinor.set(
            order.currency,
            (tally.capturedMinor.get(order.currency) ?? 0n) + order.amountMinor,
          );
          postings.push(captureTransaction(order, psp, result.pspReference, at));
          if (result.feeMinor !== null && result.feeMinor > 0n)
            postings.push(pspFeeTransaction(order, psp, result.feeMinor, result.pspReference, at));
          deltas.push({
            sellerId: order.sellerId,
            currency: order.currency,
            pendingMinor: order.amountMinor - order.platformFeeMinor,
            payableMinor: 0n,
            paidOutMinor: 0n,
          });
          return;
        }
        case 'pending':
          if (
            move(
              { to: 'pending', pspReference: result.pspReference },
              `PSP ${psp} accepted it as pending (${result.pspReference}); awaiting webhook or sync`,
            )
          )
            tally.pending++;
          return;
        case 'declined':
          if (
            move(
              { to: 'failed', pspReference: result.pspReference, error: result.reason },
              `PSP ${psp} declined it: ${result.reason}`,
            )
          )
            tally.failed++;
          return;
        case 'rejected':
          this.deadLetterRejected(order, result, tally, move);
          return;
        case 'retryable':
          this.scheduleRetry(order, result, at, tally, move);
      }
    });
    // Every caller runs this inside a transaction function and lets errors out of it.
    if (postings.length > 0)
      this.ledger.postBatchWithin(
        postings,
        (index) => `order ${postings[index]?.metadata?.orderId ?? index}`,
      );
    if (deltas.length > 0) this.wallets.apply(deltas, at);
  }

  /**
   * This recorder for `recordOrSetAside`: a capture or a decline that cannot be recorded is kept
   * as a fact and the order moves to `needs_attention` under `owner`'s lease.
   */
  answerRecorder(
    tally: ExecutionTally,
    owner: string,
    at: string,
  ): AnswerRecorder<ClaimedOrder, ChargeResult> {
    const psp = this.options.psp;
    return {
      record: (orders, results) => this.record(orders, results, tally, owner, at),
      factOf: (order, result, error) => chargeFact(order, result, psp, error, at),
      setAside: (order, fact) =>
        this.store.finish(
          order,
          'executing',
          owner,
          {
            to: 'needs_attention',
            pspReference: fact.pspReference,
            pspFeeMinor: fact.pspFeeMinor,
            error: `not recorded: ${fact.error}`,
          },
          at,
          `PSP ${psp} answered ${fact.answerStatus} (${fact.pspReference}) and payops could not record it: ${fact.error}; kept for \`payops attention resolve\``,
        ),
    };
  }

  private deadLetterRejected(
    order: ClaimedOrder,
    rejection: PspRejection,
    tally: ExecutionTally,
    move: (outcome: OrderOutcome, cause: string) => boolean,
  ): void {
    const message = rejectionMessage(
      `the charge of ${order.orderId} (key ${order.chargeKey})`,
      rejection,
    );
    if (
      !move(
        { to: 'dead_lettered', error: `rejected: ${rejection.reason}: ${rejection.detail}` },
        message,
      )
    )
      return;
    noteDeadLetter(tally, `rejected by the PSP: ${rejection.reason}`);
    tally.rejections.push(message);
  }

  private scheduleRetry(
    order: ClaimedOrder,
    failure: RetryableFailure,
    at: string,
    tally: ExecutionTally,
    move: (outcome: OrderOutcome, cause: string) => boolean,
  ): void {
    const policy = this.options.retry;
    const used = order.attempts - order.requeuedAtAttempt;
    const unknown = failure.sent ? 'outcome unknown' : 'not sent';
    const reason = reasonOf(failure.detail, [order.chargeKey, order.orderId]);
    if (used >= policy.maxAttempts) {
      if (
        move(
          { to: 'dead_lettered', error: `${failure.kind}: ${failure.detail}` },
          `${failure.detail} (${unknown}); ${used} attempts used: dead-lettered`,
        )
      )
        noteDeadLetter(tally, reason);
      return;
    }
    const delayMs = retryDelayMs(policy, used, failure.retryAfterMs, this.options.random);
    const nextAttemptAt = new Date(Date.parse(at) + delayMs).toISOString();
    if (
      move(
        { to: 'retry_scheduled', error: `${failure.kind}: ${failure.detail}`, nextAttemptAt },
        `${failure.detail} (${unknown}); retry ${used + 1} at ${nextAttemptAt}`,
      )
    ) {
      noteRetry(tally, reason);
    }
  }
}

/** The fact to keep for a final charge answer; null for answers that are not final (left for a retry). */
function chargeFact(
  order: ClaimedOrder,
  result: ChargeResult,
  psp: string,
  error: string,
  at: string,
): UnrecordedAnswer | null {
  if (result.status !== 'succeeded' && result.status !== 'declined') return null;
  return {
    kind: 'charge',
    itemId: order.orderId,
    psp,
    answerStatus: result.status,
    pspReference: result.pspReference,
    amountMinor: order.amountMinor,
    currency: order.currency,
    pspFeeMinor: result.status === 'succeeded' ? result.feeMinor : null,
    declineReason: result.status === 'declined' ? result.reason : null,
    error,
    answeredAt: at,
  };
}

/** A capture the PSP reported outside a charge call (its settlement file). */
export interface ReportedCapture {
  orderId: string;
  pspReference: string;
  feeMinor: bigint | null;
}

/**
 * Records captures the PSP reported without being asked (listed in its settlement file) for
 * orders still waiting in `pending`, through the same recorder as the executor, `orders sync` and
 * webhooks: status, capture and fee postings and the wallet, in one transaction. Orders no longer
 * pending are left alone (another path got there first).
 */
export function recordReportedCaptures(
  db: Database,
  psp: string,
  at: string,
  captures: readonly ReportedCapture[],
): ExecutionTally {
  const tally = emptyTally();
  const byOrder = new Map(captures.map((capture) => [capture.orderId, capture]));
  inTransaction(db, () => {
    const pending = new PaymentsStore(db).pendingOrdersByIds(psp, [...byOrder.keys()]);
    const results: ChargeResult[] = pending.map((order) => {
      const capture = byOrder.get(order.orderId) as ReportedCapture;
      return {
        status: 'succeeded',
        pspReference: capture.pspReference,
        feeMinor: capture.feeMinor,
      };
    });
    // A succeeded outcome never schedules a retry: the policy is never consulted.
    new ChargeRecorder(db, { psp, retry: DEFAULT_RETRY_POLICY, random: Math.random }).record(
      pending,
      results,
      tally,
      null,
      at,
    );
  });
  return tally;
}

import type { Database } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import type { AnswerRecorder } from '../payments/attention.js';
import { type RetryPolicy, retryDelayMs } from '../payments/retry-policy.js';
import { type PspRejection, type RetryableFailure, rejectionMessage } from '../psp/port.js';
import { noteDeadLetter, noteRetry, reasonOf } from './reasons.js';
import { Wallets } from '../wallet/wallet.js';
import type {
  Effects,
  Outcome,
  WorkItem,
  WorkKind,
  WorkResult,
  WorkStatus,
  WorkTally,
} from './kind.js';
import { assertAllowed } from '../payments/order-state.js';

export interface RecordOptions {
  psp: string;
  retry: RetryPolicy;
  random: () => number;
}

const NO_RESULT: RetryableFailure = {
  status: 'retryable',
  kind: 'server_error',
  sent: true,
  detail: 'the PSP adapter returned no result',
};

/**
 * Moves an item from `from` to `outcome.to` after checking the kind's transition table; the
 * lease owner is compared only for an item in `executing`. False when another process got there first.
 */
export function guardedFinish<Item extends WorkItem>(
  kind: WorkKind<Item, WorkResult, WorkTally>,
  item: Item,
  from: WorkStatus,
  owner: string | null,
  outcome: Outcome,
  at: string,
  cause: string,
): boolean {
  assertAllowed(kind.transitions, kind.noun, kind.idOf(item), from, outcome.to);
  return kind.finish(item, from, from === 'executing' ? (owner ?? '') : '', outcome, at, cause);
}

/**
 * Phase 3 of DESIGN.md §5, the one place where a PSP's answer about a charge, refund or payout
 * becomes a transition, its ledger postings and the seller's wallet, inside a transaction the
 * caller holds. An item is moved only from the state it was read in (`executing` under `owner`'s
 * lease, `pending` or `needs_attention`); if it moved meanwhile the answer is dropped and counted
 * as `lostLease`. Successes post together after every move, then the wallet changes.
 */
export class OutcomeRecorder<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
> {
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;

  constructor(
    db: Database,
    private readonly kind: WorkKind<Item, Result, Tally>,
    private readonly options: RecordOptions,
  ) {
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
  }

  /** `results` are the PSP's answers (or kept answers being booked), the i-th for the i-th item. */
  record(
    items: readonly Item[],
    results: readonly WorkResult[],
    tally: Tally,
    owner: string | null,
    at: string,
  ): void {
    const effects: Effects = { postings: [], deltas: [] };
    items.forEach((item, index) => {
      this.recordOne(item, results[index] ?? NO_RESULT, tally, owner, at, effects);
    });
    const { postings, deltas } = effects;
    // Every caller runs this inside a transaction function and lets errors out of it.
    if (postings.length > 0)
      this.ledger.postBatchWithin(postings, (index) =>
        this.kind.postingLabel(postings[index], index),
      );
    if (deltas.length > 0) this.wallets.apply(deltas, at);
  }

  /** This recorder for `recordOrSetAside`: a final answer that cannot be recorded is kept and the item moves to `needs_attention`. */
  answerRecorder(tally: Tally, owner: string, at: string): AnswerRecorder<Item, Result> {
    const { kind } = this;
    const psp = this.options.psp;
    return {
      record: (items, results) => this.record(items, results, tally, owner, at),
      factOf: (item, result, error) => kind.factOf(item, result, psp, error, at),
      setAside: (item, fact) =>
        guardedFinish(
          kind,
          item,
          'executing',
          owner,
          {
            to: 'needs_attention',
            pspReference: fact.pspReference,
            pspFeeMinor: fact.pspFeeMinor,
            error: `not recorded: ${fact.error}`,
          },
          at,
          kind.causes.setAside(psp, fact),
        ),
    };
  }

  private recordOne(
    item: Item,
    result: WorkResult,
    tally: Tally,
    owner: string | null,
    at: string,
    effects: Effects,
  ): void {
    const { kind } = this;
    const psp = this.options.psp;
    const from =
      item.fromStatus === 'pending' || item.fromStatus === 'needs_attention'
        ? item.fromStatus
        : 'executing';
    // A pending or kept answer waits for a final one; nothing else about it is news.
    if (from !== 'executing' && result.status !== 'succeeded' && result.status !== 'declined')
      return;
    const move = (outcome: Outcome, cause: string): boolean => {
      const moved = guardedFinish(kind, item, from, owner, outcome, at, cause);
      if (!moved) tally.lostLease++;
      return moved;
    };
    switch (result.status) {
      case 'succeeded': {
        // Only a charge's answer carries the PSP's fee; refunds and payouts store none.
        const answer = {
          pspReference: result.pspReference,
          feeMinor: 'feeMinor' in result ? result.feeMinor : null,
        };
        const { pspReference, feeMinor } = answer;
        const outcome = { to: 'succeeded' as const, pspReference, pspFeeMinor: feeMinor };
        if (!move(outcome, kind.causes.succeeded(psp, result.pspReference))) return;
        tally.succeeded++;
        kind.onSucceeded(item, answer, psp, at, effects, tally);
        return;
      }
      case 'pending':
        if (
          move(
            { to: 'pending', pspReference: result.pspReference },
            kind.causes.pending?.(psp, result.pspReference) ?? 'pending',
          )
        )
          kind.onPending?.(tally);
        return;
      case 'declined': {
        const outcome = {
          to: 'failed' as const,
          pspReference: result.pspReference,
          error: result.reason,
        };
        if (!move(outcome, kind.causes.declined(psp, result.reason))) return;
        kind.onDeclined?.(item, at, tally);
        tally.failed++;
        return;
      }
      case 'rejected':
        this.deadLetterRejected(item, result, tally, move);
        return;
      case 'retryable':
        this.scheduleRetry(item, result, at, tally, move);
    }
  }

  private deadLetterRejected(
    item: Item,
    rejection: PspRejection,
    tally: Tally,
    move: (outcome: Outcome, cause: string) => boolean,
  ): void {
    const message = rejectionMessage(this.kind.causes.request(item), rejection);
    const error = `rejected: ${rejection.reason}: ${rejection.detail}`;
    if (!move({ to: 'dead_lettered', error }, message)) return;
    noteDeadLetter(tally, `rejected by the PSP: ${rejection.reason}`);
    tally.rejections.push(message);
  }

  /** Retry with exponential backoff and jitter (a 429's Retry-After believed); dead-lettered once the budget since the last requeue is used. */
  private scheduleRetry(
    item: Item,
    failure: RetryableFailure,
    at: string,
    tally: Tally,
    move: (outcome: Outcome, cause: string) => boolean,
  ): void {
    const policy = this.options.retry;
    const used = item.attempts - item.requeuedAtAttempt;
    const what = this.kind.causes.failure(failure);
    const error = `${failure.kind}: ${failure.detail}`;
    const reason = reasonOf(failure.detail, [this.kind.keyOf(item), this.kind.idOf(item)]);
    if (used >= policy.maxAttempts) {
      if (move({ to: 'dead_lettered', error }, `${what}; ${used} attempts used: dead-lettered`))
        noteDeadLetter(tally, reason);
      return;
    }
    const delayMs = retryDelayMs(policy, used, failure.retryAfterMs, this.options.random);
    const nextAttemptAt = new Date(Date.parse(at) + delayMs).toISOString();
    if (
      move(
        { to: 'retry_scheduled', error, nextAttemptAt },
        `${what}; retry ${used + 1} at ${nextAttemptAt}`,
      )
    )
      noteRetry(tally, reason);
  }
}

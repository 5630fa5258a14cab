import type { Applied } from '../db/port.js';
import { type RetryPolicy, retryDelayMs } from '../payments/retry-policy.js';
import { type PspRejection, type RetryableFailure, rejectionMessage } from '../psp/port.js';
import { noteDeadLetter, noteRetry, reasonOf } from './reasons.js';
import type { Outcome, WorkItem, KindRules, WorkResult, WorkStatus, WorkTally } from './kind.js';
import { assertAllowed } from '../payments/order-state.js';
import type { PlannedMove, RecordBatch, WorkStore } from './work-store.js';

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
 * The guarded move of an item from `from` to `outcome.to`, checked against the kind's transition
 * table (an illegal one throws, naming the item) and planned for a store to apply; the lease
 * owner is compared only for an item in `executing`. The store reports false when another
 * process moved it first, and dates the move with its unit of work (`_at` is the caller's moment,
 * kept so that a check and its move read alike).
 */
export function guardedFinish<Item extends WorkItem>(
  kind: KindRules<Item, WorkResult, WorkTally>,
  item: Item,
  from: WorkStatus,
  owner: string | null,
  outcome: Outcome,
  _at: string,
  cause: string,
): PlannedMove<Item> {
  assertAllowed(kind.transitions, kind.noun, kind.idOf(item), from, outcome.to);
  return {
    item,
    from,
    owner: from === 'executing' ? (owner ?? '') : '',
    outcome,
    cause,
    effects: null,
  };
}

/** A record batch and what to count once the store has said which of its moves happened. */
export interface RecordPlan<Item, Tally> {
  batch: RecordBatch<Item>;
  /** After the unit of work committed: its successes, failures, retries, dead letters and lost leases. */
  count(moved: Applied, tally: Tally): void;
}

/**
 * Phase 3 of DESIGN.md §5, the decision: which transition each answer (or kept answer) makes,
 * what a success posts and changes in the wallet, and what it counts. Pure: a store applies the
 * batch in one unit of work. An item moves only from the state it was read in (`executing` under
 * `owner`'s lease, `pending` or `needs_attention`); a move the store reports not taken was lost to
 * another process and counts as `lostLease`. `results` answer the items, the i-th for the i-th.
 */
export function planRecord<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
>(
  kind: KindRules<Item, Result, Tally>,
  items: readonly Item[],
  results: readonly WorkResult[],
  owner: string | null,
  at: string,
  options: RecordOptions,
): RecordPlan<Item, Tally> {
  const moves: PlannedMove<Item>[] = [];
  const onMoved: ((tally: Tally) => void)[] = [];
  items.forEach((item, index) => {
    const planned = planOne(kind, item, results[index] ?? NO_RESULT, owner, at, options);
    if (planned === null) return;
    moves.push(planned.move);
    onMoved.push(planned.onMoved);
  });
  return {
    batch: { psp: options.psp, at, moves, postingLabel: kind.postingLabel },
    count: (moved, tally) => {
      onMoved.forEach((count, index) => {
        if (moved[index] === true) count(tally);
        else tally.lostLease++;
      });
    },
  };
}

interface PlannedOne<Item, Tally> {
  move: PlannedMove<Item>;
  onMoved(tally: Tally): void;
}

function planOne<Item extends WorkItem, Result extends WorkResult, Tally extends WorkTally>(
  kind: KindRules<Item, Result, Tally>,
  item: Item,
  result: WorkResult,
  owner: string | null,
  at: string,
  options: RecordOptions,
): PlannedOne<Item, Tally> | null {
  const { psp } = options;
  const from =
    item.fromStatus === 'pending' || item.fromStatus === 'needs_attention'
      ? item.fromStatus
      : 'executing';
  // A pending or kept answer waits for a final one; nothing else about it is news.
  if (from !== 'executing' && result.status !== 'succeeded' && result.status !== 'declined')
    return null;
  const move = (outcome: Outcome, cause: string) =>
    guardedFinish(kind, item, from, owner, outcome, at, cause);
  switch (result.status) {
    case 'succeeded': {
      // Only a charge's answer carries the PSP's fee; refunds and payouts store none.
      const answer = {
        pspReference: result.pspReference,
        feeMinor: 'feeMinor' in result ? result.feeMinor : null,
      };
      const outcome = { to: 'succeeded' as const, ...pspFields(answer) };
      const planned = move(outcome, kind.causes.succeeded(psp, result.pspReference));
      planned.effects = kind.succeededEffects(item, answer, psp, at);
      return {
        move: planned,
        onMoved: (tally) => {
          tally.succeeded++;
          kind.onSucceeded(item, tally);
        },
      };
    }
    case 'pending':
      return {
        move: move(
          { to: 'pending', pspReference: result.pspReference },
          kind.causes.pending?.(psp, result.pspReference) ?? 'pending',
        ),
        onMoved: (tally) => kind.onPending?.(tally),
      };
    case 'declined': {
      const outcome = {
        to: 'failed' as const,
        pspReference: result.pspReference,
        error: result.reason,
      };
      return {
        move: move(outcome, kind.causes.declined(psp, result.reason)),
        onMoved: (tally) => {
          tally.failed++;
        },
      };
    }
    case 'rejected':
      return deadLetterRejected(kind, item, result, move);
    case 'retryable':
      return scheduleRetry(kind, item, result, at, options.retry, options.random, move);
  }
}

function pspFields(answer: { pspReference: string; feeMinor: bigint | null }) {
  return { pspReference: answer.pspReference, pspFeeMinor: answer.feeMinor };
}

type Move<Item> = (outcome: Outcome, cause: string) => PlannedMove<Item>;

function deadLetterRejected<Item extends WorkItem, Tally extends WorkTally>(
  kind: KindRules<Item, WorkResult, WorkTally>,
  item: Item,
  rejection: PspRejection,
  move: Move<Item>,
): PlannedOne<Item, Tally> {
  const message = rejectionMessage(kind.causes.request(item), rejection);
  const error = `rejected: ${rejection.reason}: ${rejection.detail}`;
  return {
    move: move({ to: 'dead_lettered', error }, message),
    onMoved: (tally) => {
      noteDeadLetter(tally, `rejected by the PSP: ${rejection.reason}`);
      tally.rejections.push(message);
    },
  };
}

/** Retry with exponential backoff and jitter (a 429's Retry-After believed); dead-lettered once the budget since the last requeue is used. */
function scheduleRetry<Item extends WorkItem, Tally extends WorkTally>(
  kind: KindRules<Item, WorkResult, WorkTally>,
  item: Item,
  failure: RetryableFailure,
  at: string,
  policy: RetryPolicy,
  random: () => number,
  move: Move<Item>,
): PlannedOne<Item, Tally> {
  const used = item.attempts - item.requeuedAtAttempt;
  const what = kind.causes.failure(failure);
  const error = `${failure.kind}: ${failure.detail}`;
  const reason = reasonOf(failure.detail, [kind.keyOf(item), kind.idOf(item)]);
  if (used >= policy.maxAttempts)
    return {
      move: move({ to: 'dead_lettered', error }, `${what}; ${used} attempts used: dead-lettered`),
      onMoved: (tally) => noteDeadLetter(tally, reason),
    };
  const delayMs = retryDelayMs(policy, used, failure.retryAfterMs, random);
  const nextAttemptAt = new Date(Date.parse(at) + delayMs).toISOString();
  return {
    move: move(
      { to: 'retry_scheduled', error, nextAttemptAt },
      `${what}; retry ${used + 1} at ${nextAttemptAt}`,
    ),
    onMoved: (tally) => noteRetry(tally, reason),
  };
}

/** Applies a plan in one unit of work and counts what moved; `tally` is untouched if it throws. */
export async function recordPlanned<Item extends WorkItem, Tally extends WorkTally>(
  store: WorkStore<Item>,
  plan: RecordPlan<Item, Tally>,
  tally: Tally,
  beforeCommit?: () => void,
): Promise<void> {
  const moved = await store.record(plan.batch, beforeCommit);
  plan.count(moved, tally);
}

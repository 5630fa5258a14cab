import { heldOf, runQueues } from '../work/drain.js';
import { type ExecutionTally, PayinExecutor, emptyTally } from '../work/executors/charge.js';
import { type ExecutionOptions, chargeQueue, refundQueue } from '../work/executors/payin.js';
import type { OrderStatus } from '../payments/order-state.js';
import type { OpenWork } from '../payments/queries.js';
import { type HeldSettlement, settleHeldPayOuts } from '../payouts/settle-held.js';
import { PayoutExecutor, type PayoutTally, emptyPayoutTally } from '../work/executors/payout.js';
import { listPayouts } from '../payouts/queries.js';
import { RefundExecutor, type RefundTally, emptyRefundTally } from '../work/executors/refund.js';
import { type RefundReads, listRefunds } from '../refunds/queries.js';
import type { PayinBook } from '../work/executors/book-ports.js';
import type { HeldGroup } from '../work/leases/leases.js';
import { assertDeadLettersOf } from './named-work.js';
import type { QueueReadStore } from './queue-read-store.js';

/** What `retry run` and `dlq requeue` take from a Book (src/book/book.ts). */
export interface RetryBook extends Omit<PayinBook, 'intake'> {
  refundReads(): RefundReads;
  queueReads(): QueueReadStore;
}

export interface RetryRunSummary {
  charges: ExecutionTally;
  refunds: RefundTally;
  payouts: PayoutTally;
  /** Every order of this PSP by status, after the run. */
  queue: Record<OrderStatus, number>;
  /** This PSP's refunds and payouts still scheduled for retry or dead-lettered after the run. */
  open: { refunds: OpenWork; payouts: OpenWork };
  /** Charges, refunds and payouts left in `executing` under another process's lease after the run. */
  held: HeldGroup[];
  /** Held pay_outs released (their order now captured) or rejected (declined, dead-lettered) by this run. */
  heldPayOuts: HeldSettlement;
}

/**
 * `retry run`: recovers work left executing by crashed runs and executes every charge, refund and
 * payout that is due; with `wait`, until none of the three has a retry scheduled.
 */
export async function retryDue(
  book: RetryBook,
  execution: ExecutionOptions,
): Promise<RetryRunSummary> {
  const charges = emptyTally();
  const refunds = emptyRefundTally();
  const payouts = emptyPayoutTally();
  const payoutExecutor = new PayoutExecutor(book, execution);
  const queues = [
    chargeQueue(book, execution, charges),
    refundQueue(book, execution, refunds),
    {
      runDue: () => payoutExecutor.runDue(payouts),
      nextRetryAt: () => payoutExecutor.nextRetryAt(),
      held: () => payoutExecutor.held(),
    },
  ];
  await runQueues(queues, execution);
  const psp = execution.psp.name;
  const held = await heldOf(queues);
  const heldPayOuts = await settleHeldPayOuts(book.payouts());
  return { charges, refunds, payouts, ...(await afterRun(book, psp)), held, heldPayOuts };
}

/** Which dead letters to requeue: these ids (orders, refunds, payouts), or all of this PSP's. */
export type DeadLetters = { all: true } | { ids: readonly string[] };

/**
 * `dlq requeue`: gives dead-lettered charges, refunds and payouts another round now, with a fresh
 * retry budget and the same idempotency keys, by an operator (`actor`, recorded with each).
 */
export async function requeueDeadLetters(
  book: RetryBook,
  execution: ExecutionOptions,
  which: DeadLetters,
  actor: string,
): Promise<RetryRunSummary> {
  const psp = execution.psp.name;
  if (!('all' in which)) await assertDeadLettersOf(book.queueReads(), psp, which.ids);
  const deadRefunds = (await listRefunds(book.refundReads(), { status: 'dead_lettered' })).map(
    (refund) => refund.refundId,
  );
  const deadPayouts = (await listPayouts(book.payouts(), { status: 'dead_lettered' })).map(
    (payout) => payout.payoutId,
  );
  const named = (list: readonly string[]) =>
    'all' in which ? list : which.ids.filter((id) => list.includes(id));
  const orderIds =
    'all' in which
      ? await book.workReads().deadLetteredOrderIds(psp)
      : which.ids.filter((id) => !deadRefunds.includes(id) && !deadPayouts.includes(id));
  const chargeExecutor = new PayinExecutor(book, execution);
  const refundExecutor = new RefundExecutor(book, execution);
  const payoutExecutor = new PayoutExecutor(book, execution);
  const charges = await chargeExecutor.requeue(orderIds, actor);
  const refunds = await refundExecutor.requeue(named(deadRefunds), actor);
  const payouts = await payoutExecutor.requeue(named(deadPayouts), actor);
  const held = await heldOf([chargeExecutor, refundExecutor, payoutExecutor]);
  const heldPayOuts = await settleHeldPayOuts(book.payouts());
  return { charges, refunds, payouts, ...(await afterRun(book, psp)), held, heldPayOuts };
}

/** The queue and what is left open after a run, read in this order. */
async function afterRun(
  book: RetryBook,
  psp: string,
): Promise<Pick<RetryRunSummary, 'queue' | 'open'>> {
  const reads = book.workReads();
  const queue = await reads.statusCounts(psp);
  const refunds = await reads.openWork('refunds', psp);
  const payouts = await reads.openWork('payouts', psp);
  return { queue, open: { refunds, payouts } };
}

import type { Database } from '../db/index.js';
import { heldOf, runQueues } from '../work/drain.js';
import { type ExecutionTally, PayinExecutor, emptyTally } from '../work/executors/charge.js';
import { type ExecutionOptions, chargeQueue, refundQueue } from '../work/executors/payin.js';
import type { OrderStatus } from '../payments/order-state.js';
import type { OpenWork } from '../payments/queries.js';
import { openWorkIn, statusCounts } from '../payments/sqlite-order-reads.js';
import { PaymentsStore } from '../payments/store.js';
import { type HeldSettlement, settleHeldPayOuts } from '../payouts/settle-held.js';
import { SqlitePayoutsStore } from '../payouts/sqlite-payouts-store.js';
import { PayoutExecutor, type PayoutTally, emptyPayoutTally } from '../work/executors/payout.js';
import { listPayouts } from '../payouts/queries.js';
import { RefundExecutor, type RefundTally, emptyRefundTally } from '../work/executors/refund.js';
import { listRefunds } from '../refunds/queries.js';
import { SqliteRefundReads } from '../refunds/sqlite-refund-reads.js';
import type { HeldGroup } from '../work/leases/leases.js';
import { assertDeadLettersOf } from './named-work.js';
import { SqliteQueueReadStore } from './sqlite-queue-read-store.js';

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
  db: Database,
  execution: ExecutionOptions,
): Promise<RetryRunSummary> {
  const charges = emptyTally();
  const refunds = emptyRefundTally();
  const payouts = emptyPayoutTally();
  const payoutExecutor = new PayoutExecutor(db, execution);
  const queues = [
    chargeQueue(db, execution, charges),
    refundQueue(db, execution, refunds),
    {
      runDue: () => payoutExecutor.runDue(payouts),
      nextRetryAt: () => payoutExecutor.nextRetryAt(),
      held: () => payoutExecutor.held(),
    },
  ];
  await runQueues(queues, execution);
  const psp = execution.psp.name;
  const held = await heldOf(queues);
  const heldPayOuts = await settleHeldPayOuts(new SqlitePayoutsStore(db));
  return {
    charges,
    refunds,
    payouts,
    queue: statusCounts(db, psp),
    open: { refunds: openWorkIn(db, 'refunds', psp), payouts: openWorkIn(db, 'payouts', psp) },
    held,
    heldPayOuts,
  };
}

/** Which dead letters to requeue: these ids (orders, refunds, payouts), or all of this PSP's. */
export type DeadLetters = { all: true } | { ids: readonly string[] };

/**
 * `dlq requeue`: gives dead-lettered charges, refunds and payouts another round now, with a fresh
 * retry budget and the same idempotency keys, by an operator (`actor`, recorded with each).
 */
export async function requeueDeadLetters(
  db: Database,
  execution: ExecutionOptions,
  which: DeadLetters,
  actor: string,
): Promise<RetryRunSummary> {
  const psp = execution.psp.name;
  if (!('all' in which)) await assertDeadLettersOf(new SqliteQueueReadStore(db), psp, which.ids);
  const deadRefunds = (
    await listRefunds(new SqliteRefundReads(db), { status: 'dead_lettered' })
  ).map((refund) => refund.refundId);
  const deadPayouts = (
    await listPayouts(new SqlitePayoutsStore(db), { status: 'dead_lettered' })
  ).map((payout) => payout.payoutId);
  const named = (list: readonly string[]) =>
    'all' in which ? list : which.ids.filter((id) => list.includes(id));
  const orderIds =
    'all' in which
      ? new PaymentsStore(db).deadLetteredOrderIds(psp)
      : which.ids.filter((id) => !deadRefunds.includes(id) && !deadPayouts.includes(id));
  const chargeExecutor = new PayinExecutor(db, execution);
  const refundExecutor = new RefundExecutor(db, execution);
  const payoutExecutor = new PayoutExecutor(db, execution);
  const charges = await chargeExecutor.requeue(orderIds, actor);
  const refunds = await refundExecutor.requeue(named(deadRefunds), actor);
  const payouts = await payoutExecutor.requeue(named(deadPayouts), actor);
  const held = await heldOf([chargeExecutor, refundExecutor, payoutExecutor]);
  const heldPayOuts = await settleHeldPayOuts(new SqlitePayoutsStore(db));
  return {
    charges,
    refunds,
    payouts,
    queue: statusCounts(db, psp),
    open: { refunds: openWorkIn(db, 'refunds', psp), payouts: openWorkIn(db, 'payouts', psp) },
    held,
    heldPayOuts,
  };
}

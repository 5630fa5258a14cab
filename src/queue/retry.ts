import type { Database } from '../db/index.js';
import { runQueues } from '../payments/drain.js';
import { type ExecutionTally, emptyTally } from '../payments/executor.js';
import { type ExecutionOptions, chargeQueue, refundQueue } from '../payments/payin.js';
import type { OrderStatus } from '../payments/order-state.js';
import { type OpenWork, openWorkIn, statusCounts } from '../payments/queries.js';
import { PayoutExecutor, type PayoutTally, emptyPayoutTally } from '../payouts/executor.js';
import { type RefundTally, emptyRefundTally } from '../refunds/executor.js';

export interface RetryRunSummary {
  charges: ExecutionTally;
  refunds: RefundTally;
  payouts: PayoutTally;
  /** Every order of this PSP by status, after the run. */
  queue: Record<OrderStatus, number>;
  /** This PSP's refunds and payouts still scheduled for retry or dead-lettered after the run. */
  open: { refunds: OpenWork; payouts: OpenWork };
}

/**
 * `retry run`: recovers work left executing by crashed runs and executes every charge, refund and
 * payout that is due; with `wait`, until none of the three has a retry scheduled.
 */
export async function retryDue(db: Database, execution: ExecutionOptions): Promise<RetryRunSummary> {
  const charges = emptyTally();
  const refunds = emptyRefundTally();
  const payouts = emptyPayoutTally();
  const payoutExecutor = new PayoutExecutor(db, execution);
  await runQueues(
    [
      chargeQueue(db, execution, charges),
      refundQueue(db, execution, refunds),
      { runDue: () => payoutExecutor.runDue(payouts), nextRetryAt: () => payoutExecutor.nextRetryAt() },
    ],
    execution,
  );
  const psp = execution.psp.name;
  return { charges, refunds, payouts, queue: statusCounts(db, psp), open: { refunds: openWorkIn(db, 'refunds', psp), payouts: openWorkIn(db, 'payouts', psp) } };
}

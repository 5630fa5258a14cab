import type { PaymentServiceProvider, RefundResult } from '../../psp/port.js';
import type { RetryPolicy } from '../../payments/retry-policy.js';
import type { Clock } from '../../time.js';
import { WorkEngine } from '../engine.js';
import { type RefundTally, emptyRefundTally, refundRules } from '../kinds/refund.js';
import type { ClaimedRefund } from '../../refunds/store.js';
import type { ExecutorBook } from './book-ports.js';

export type { ClaimedRefund, RefundTally };
export { emptyRefundTally };

/**
 * Refunds through the PSP with the work engine (src/work/engine.ts: lease; call outside any
 * transaction with the refund's fixed key; status + ledger + wallet + the order's refund totals
 * in one transaction). A declined refund releases its reservation on the order.
 */
export class RefundExecutor extends WorkEngine<ClaimedRefund, RefundResult, RefundTally> {
  constructor(
    book: ExecutorBook,
    options: {
      psp: PaymentServiceProvider;
      retry: RetryPolicy;
      clock: Clock;
      leaseMs?: number;
      batchSize?: number;
      random?: () => number;
    },
  ) {
    // `payin run` passes the charges' options, progress callback included: refunds report none.
    super(book.work.refunds(), refundRules(), { ...options, onBatch: undefined });
  }
}

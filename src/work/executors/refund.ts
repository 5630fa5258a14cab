import type { Database } from '../../db/index.js';
import type { PaymentServiceProvider, RefundResult } from '../../psp/port.js';
import type { RetryPolicy } from '../../payments/retry-policy.js';
import type { Clock } from '../../time.js';
import { type RefundTally, emptyRefundTally } from '../kinds/refund.js';
import { refundKind } from '../kinds/sqlite-kinds.js';
import type { ClaimedRefund } from '../../refunds/store.js';
import { SqliteWorkEngine } from '../sqlite-engine.js';

export type { ClaimedRefund, RefundTally };
export { emptyRefundTally };

/**
 * Refunds through the PSP with the work engine (src/work/engine.ts: lease; call outside any
 * transaction with the refund's fixed key; status + ledger + wallet + the order's refund totals
 * in one transaction). A declined refund releases its reservation on the order.
 */
export class RefundExecutor extends SqliteWorkEngine<ClaimedRefund, RefundResult, RefundTally> {
  constructor(
    db: Database,
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
    super(db, refundKind(db), { ...options, onBatch: undefined });
  }
}

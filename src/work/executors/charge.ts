import { mapConcurrently } from '../../concurrency.js';
import { type ChargeResult, isRetryable } from '../../psp/port.js';
import { type ExecutorOptions, WorkEngine } from '../engine.js';
import { type ChargeTally, chargeRules, emptyChargeTally } from '../kinds/charge.js';
import type { ClaimedOrder } from '../../payments/store.js';
import type { ExecutorBook } from './book-ports.js';
import type { PendingChargesStore } from './pending-charges-store.js';

export type ExecutionTally = ChargeTally;

export function emptyTally(): ExecutionTally {
  return emptyChargeTally();
}

const LOOKUP_CONCURRENCY = 16;

/**
 * Charges orders through the PSP with the work engine (src/work/engine.ts: claim under a lease,
 * call with each order's fixed key, record status, postings and wallet in one transaction), and
 * asks the PSP what became of pending orders.
 */
export class PayinExecutor extends WorkEngine<ClaimedOrder, ChargeResult, ChargeTally> {
  private readonly pending: PendingChargesStore;

  constructor(book: ExecutorBook, options: ExecutorOptions) {
    super(book.work.charges(), chargeRules(), options);
    this.pending = book.pendingCharges();
  }

  /** Asks the PSP about every pending order and records what it settled to. */
  async syncPending(tally: ExecutionTally = emptyTally()): Promise<ExecutionTally> {
    let afterId = 0n;
    for (;;) {
      const pending = await this.pending.pendingOrders(
        this.options.psp.name,
        this.batchSize,
        afterId,
      );
      const last = pending.at(-1);
      if (last === undefined) return tally;
      afterId = last.id;
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
      await this.recordAnswers(pending, results, tally);
    }
  }
}

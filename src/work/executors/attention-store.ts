import type { StoredAnswer } from '../../payments/attention.js';
import type { ChargeResult, PaymentServiceProvider } from '../../psp/port.js';
import type { Clock } from '../../time.js';

/**
 * `attention list|resolve`'s storage port (DESIGN.md §10): the kept answers, and booking one, one
 * unit of work each. SQLite's implementation is src/work/executors/sqlite-attention-store.ts.
 */
export interface AttentionStore {
  /** The answers payops could not record, not booked yet, oldest first. */
  open(): Promise<StoredAnswer[]>;
  /** Every answer kept for this order, refund or payout id, booked or not. */
  keptFor(itemId: string): Promise<StoredAnswer[]>;
  /**
   * One unit of work: the order read, and only if it is in needs_attention, `result` recorded
   * (status, postings, wallet; `clock` read for its time) and the fact resolved by `actor`. False
   * when the order is not there, not moved, or the fact was resolved meanwhile.
   */
  bookCharge(
    fact: StoredAnswer,
    result: ChargeResult,
    actor: string,
    clock: Clock,
  ): Promise<boolean>;
  /** A refund's or payout's kept answer booked by its work engine's `bookKept` (one unit of work), through `psp`, which is never called. */
  bookTransfer(
    fact: StoredAnswer,
    actor: string,
    options: { psp: PaymentServiceProvider; clock: Clock },
  ): Promise<boolean>;
}

import type { Currency } from '../money/index.js';

/** Charges, refunds and payouts in the retry queue or the dead letters, one list, for `retry list` and `dlq list`. */
export interface QueuedWork {
  kind: 'charge' | 'refund' | 'payout';
  id: string;
  /** The order a charge or refund belongs to; null for a payout. */
  orderId: string | null;
  /** The seller of a charge or payout; null for a refund. */
  sellerId: string | null;
  currency: Currency;
  amountMinor: bigint;
  attempts: number;
  lastError: string | null;
  /** When the next attempt is due (retry queue); null for a dead letter. */
  nextAttemptAt: string | null;
  /** When it entered this state (its last change). */
  since: string;
  psp: string;
}

/** An order, refund or payout an operator named by its id. */
export interface NamedWork {
  kind: 'order' | 'refund' | 'payout';
  psp: string;
  status: string;
}

/**
 * The queue commands' read port (DESIGN.md §10): plain reads, no transaction (none reads in a
 * snapshot today). SQLite's implementation is src/queue/sqlite-queue-read-store.ts.
 */
export interface QueueReadStore {
  /** Every charge, refund and payout now in `status`: charges first, each kind in the order it was accepted; `nextAttemptAt` as stored. */
  queuedWork(status: 'retry_scheduled' | 'dead_lettered'): Promise<QueuedWork[]>;
  /** Per id, every order, refund and payout with that id (orders, then refunds, then payouts). */
  workNamed(ids: readonly string[]): Promise<Map<string, NamedWork[]>>;
}

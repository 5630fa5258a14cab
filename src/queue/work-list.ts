import type { Database } from '../db/index.js';
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

interface Row {
  kind: QueuedWork['kind'];
  id: string;
  order_id: string | null;
  seller_id: string | null;
  currency: string;
  amount_minor: bigint;
  attempts: bigint;
  last_error: string | null;
  next_attempt_at: string | null;
  updated_at: string;
  psp: string;
}

const SQL = `
SELECT 'charge' AS kind, order_id AS id, order_id, seller_id, currency, amount_minor, attempts, last_error, next_attempt_at, updated_at, psp, 1 AS rank, id AS row_id
  FROM orders WHERE status = @status
UNION ALL
SELECT 'refund', refund_id, order_id, NULL, currency, amount_minor, attempts, last_error, next_attempt_at, updated_at, psp, 2, id
  FROM refunds WHERE status = @status
UNION ALL
SELECT 'payout', payout_id, NULL, seller_id, currency, amount_minor, attempts, last_error, next_attempt_at, updated_at, psp, 3, id
  FROM payouts WHERE status = @status
ORDER BY rank, row_id`;

/** Every charge, refund and payout now in `status`: charges first, each kind in the order it was accepted. */
export function queuedWork(
  db: Database,
  status: 'retry_scheduled' | 'dead_lettered',
): QueuedWork[] {
  return (db.prepare(SQL).all({ status }) as Row[]).map((row) => ({
    kind: row.kind,
    id: row.id,
    orderId: row.order_id,
    sellerId: row.seller_id,
    currency: row.currency as Currency,
    amountMinor: BigInt(row.amount_minor),
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAttemptAt: status === 'retry_scheduled' ? row.next_attempt_at : null,
    since: row.updated_at,
    psp: row.psp,
  }));
}

import type { Database } from '../db/index.js';
import type { Currency } from '../money/index.js';
import type { NamedWork, QueueReadStore, QueuedWork } from './queue-read-store.js';

const FIND = `SELECT 'order' AS kind, psp, status FROM orders WHERE order_id = @id
              UNION ALL SELECT 'refund', psp, status FROM refunds WHERE refund_id = @id
              UNION ALL SELECT 'payout', psp, status FROM payouts WHERE payout_id = @id`;

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

/** The queue commands' reads on SQLite: plain reads, no transaction. */
export class SqliteQueueReadStore implements QueueReadStore {
  constructor(private readonly db: Database) {}

  async queuedWork(status: 'retry_scheduled' | 'dead_lettered'): Promise<QueuedWork[]> {
    return (this.db.prepare(SQL).all({ status }) as Row[]).map((row) => ({
      kind: row.kind,
      id: row.id,
      orderId: row.order_id,
      sellerId: row.seller_id,
      currency: row.currency as Currency,
      amountMinor: BigInt(row.amount_minor),
      attempts: Number(row.attempts),
      lastError: row.last_error,
      nextAttemptAt: row.next_attempt_at,
      since: row.updated_at,
      psp: row.psp,
    }));
  }

  async workNamed(ids: readonly string[]): Promise<Map<string, NamedWork[]>> {
    const find = this.db.prepare(FIND);
    return new Map(ids.map((id) => [id, find.all({ id }) as NamedWork[]]));
  }
}

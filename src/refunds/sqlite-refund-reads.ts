import type { Database } from '../db/index.js';
import { type ChargebackRecord, ChargebackStore } from './chargebacks-store.js';
import type { RefundReads, RefundSummary } from './queries.js';
import { RefundReadStore } from './read-store.js';

/** The refunds' and chargebacks' reads on SQLite: plain reads, no transaction (as before the port). */
export class SqliteRefundReads implements RefundReads {
  constructor(private readonly db: Database) {}

  async refunds(status: string | undefined): Promise<RefundSummary[]> {
    return new RefundReadStore(this.db).refunds(status).map((row) => ({
      refundId: row.refund_id,
      orderId: row.order_id,
      currency: row.currency,
      amountMinor: row.amount_minor,
      status: row.status,
      attempts: Number(row.attempts),
      lastError: row.last_error,
      updatedAt: row.updated_at,
    }));
  }

  async chargebacks(): Promise<ChargebackRecord[]> {
    return new ChargebackStore(this.db).list();
  }
}

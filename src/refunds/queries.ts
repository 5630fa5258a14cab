import type { Database } from '../db/index.js';
import type { Currency } from '../money/index.js';
import { type ChargebackRecord, ChargebackStore } from './chargebacks-store.js';
import { RefundReadStore } from './read-store.js';

export type { ChargebackRecord } from './chargebacks-store.js';

/** Every chargeback booked, in the order booked. */
export function listChargebacks(db: Database): ChargebackRecord[] {
  return new ChargebackStore(db).list();
}

export interface RefundSummary {
  refundId: string;
  orderId: string;
  currency: Currency;
  amountMinor: bigint;
  status: string;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

/** Refunds in the order they were accepted, optionally only those in one status. */
export function listRefunds(db: Database, filter: { status?: string } = {}): RefundSummary[] {
  const rows = new RefundReadStore(db).refunds(filter.status);
  return rows.map((row) => ({
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

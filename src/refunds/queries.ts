import type { Currency } from '../money/index.js';
import type { ChargebackRecord } from './chargebacks-store.js';

export type { ChargebackRecord } from './chargebacks-store.js';

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

/**
 * The refunds' and chargebacks' read port (DESIGN.md §10): plain reads, no transaction. SQLite's
 * implementation is src/refunds/sqlite-refund-reads.ts.
 */
export interface RefundReads {
  /** Refunds in the order they were accepted, only those in `status` when it is given. */
  refunds(status: string | undefined): Promise<RefundSummary[]>;
  /** Every chargeback booked, in the order booked. */
  chargebacks(): Promise<ChargebackRecord[]>;
}

/** Every chargeback booked, in the order booked. */
export function listChargebacks(reads: RefundReads): Promise<ChargebackRecord[]> {
  return reads.chargebacks();
}

/** Refunds in the order they were accepted, optionally only those in one status. */
export function listRefunds(
  reads: RefundReads,
  filter: { status?: string } = {},
): Promise<RefundSummary[]> {
  return reads.refunds(filter.status);
}

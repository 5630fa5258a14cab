import type { Currency } from '../../money/index.js';

/**
 * What every settlement parser produces, whatever the PSP's format: one normalized row per
 * money movement the PSP reports. The matcher never sees a provider's own columns.
 *
 * Sign convention: every amount is a signed movement of *our balance at the PSP*, in minor units
 * of `currency`:
 * - capture: gross > 0 (the buyer's money), fee ≥ 0 (what the PSP kept), net = gross − fee;
 * - refund: gross < 0, fee usually 0 (a refunded fee is a negative fee);
 * - chargeback: gross < 0 (the disputed amount), fee ≥ 0 (the dispute fee), net = gross − fee;
 * - chargeback_reversal: gross > 0 (a dispute won back);
 * - fee: gross = 0, fee > 0, net = −fee (a fee not tied to one payment, e.g. a monthly fee);
 * - adjustment: any sign (the PSP corrected something);
 * - payout: the PSP paying our bank account the batch: gross = net < 0, fee = 0.
 * So within one payout batch, Σ net of its non-payout rows + net of its payout row = 0, and the
 * bridge reads gross − fees − refunds − chargebacks ± adjustments = payout.
 */
export const SETTLEMENT_ROW_TYPES = [
  'capture',
  'refund',
  'chargeback',
  'chargeback_reversal',
  'fee',
  'adjustment',
  'payout',
] as const;
export type SettlementRowType = (typeof SETTLEMENT_ROW_TYPES)[number];

export interface SettlementRow {
  /** 1-based physical line of the file the row was read from (error messages, review). */
  line: number;
  type: SettlementRowType;
  /** The PSP's own id of the charge, refund, dispute or payout (`ch_…`, `re_…`, `dp_…`, `po_…`). */
  pspReference: string | null;
  /** Our reference, which payops sends to every PSP: the order id. */
  merchantReference: string | null;
  /** The payout batch this row is paid out in (Stripe's automatic_payout_id, Adyen's batch number). */
  batchId: string | null;
  currency: Currency;
  grossMinor: bigint;
  feeMinor: bigint;
  /** gross − fee; a parser that reads a stated net refuses a row where they disagree. */
  netMinor: bigint;
  /** When the PSP says the movement happened, ISO 8601 UTC with milliseconds. */
  occurredAt: string;
  /** The day the funds became available or were paid out (YYYY-MM-DD), when the format says. */
  availableOn: string | null;
  /** The provider's own type or category text, shown in the review (e.g. "Settled", "T0006"). */
  providerType: string;
}

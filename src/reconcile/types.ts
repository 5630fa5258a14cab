import type { Currency } from '../money/index.js';

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

/** A row the parser could not read: reported with its line, and the file goes on (unless --strict). */
export interface SettlementRowError {
  line: number;
  field: string;
  reason: string;
}

export const SETTLEMENT_FORMATS = ['payops', 'stripe', 'adyen', 'paypal', 'generic'] as const;
export type SettlementFormat = (typeof SETTLEMENT_FORMATS)[number];

/**
 * payops' own settlement format: what `payops psp settle` writes from the simulated PSP's state.
 * A CSV (RFC 4180, UTF-8, "\n" line ends) whose first line is exactly this header:
 *
 *   record_type,psp_reference,merchant_reference,batch_id,currency,gross,fee,net,occurred_at,available_on
 *
 * - record_type: capture | refund | chargeback | chargeback_reversal | fee | adjustment | payout
 * - amounts: signed decimal strings in major units of `currency`, with exactly the currency's
 *   number of decimals ("25.00", "-4.00", "1500" for JPY), signs as in the convention above;
 * - occurred_at: ISO 8601 UTC ("2026-11-23T10:15:00.000Z"); available_on: YYYY-MM-DD;
 * - merchant_reference empty on payout and fee rows; batch_id on every row of a batch.
 */
export const PAYOPS_SETTLEMENT_HEADER = [
  'record_type',
  'psp_reference',
  'merchant_reference',
  'batch_id',
  'currency',
  'gross',
  'fee',
  'net',
  'occurred_at',
  'available_on',
] as const;

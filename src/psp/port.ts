import type { Currency } from '../money/index.js';

/**
 * The one boundary payops cannot put inside a database transaction. Every adapter (sim, http,
 * stripe) answers with the same normalized results, and never throws for a per-request failure:
 * a failure is a result the executor classifies.
 */
export interface ChargeRequest {
  /** Stable across every retry of one order, e.g. `payops-ord_0001-charge`. */
  idempotencyKey: string;
  /** Our order id, sent to the PSP so settlement files and look-ups can find the charge. */
  merchantReference: string;
  amountMinor: bigint;
  currency: Currency;
  /** From the external card vendor; payops never sees card numbers. */
  paymentToken: string;
}

export type ChargeResult =
  | { status: 'succeeded'; pspReference: string; feeMinor: bigint | null }
  | { status: 'pending'; pspReference: string }
  | { status: 'declined'; pspReference: string | null; reason: string }
  | RetryableFailure
  | PspRejection;

/**
 * The outcome is unknown or the PSP asked us to come back: retry with the same key.
 * `sent: false` means the request provably never reached the PSP (connection refused).
 * `conflict`: a request with the same key is still being processed at the PSP.
 * `held`: payops itself did not send it (a book behind its high-water mark holds payouts the PSP
 * has no record of); nothing reached the PSP.
 */
export interface RetryableFailure {
  status: 'retryable';
  kind: 'timeout' | 'server_error' | 'rate_limited' | 'connection' | 'conflict' | 'held';
  sent: boolean;
  retryAfterMs?: number;
  detail: string;
}

/**
 * The PSP refused the request itself, not the payment: the idempotency key was already used with
 * other parameters, or the request was malformed. Either way payops broke one of its own
 * invariants, so this is never a decline (nothing was charged, nothing must be booked) and never
 * retried: executors dead-letter it and say so loudly.
 */
export interface PspRejection {
  status: 'rejected';
  reason: 'idempotency_key_reused' | 'invalid_request';
  detail: string;
}

/** A result the PSP gave about the payment itself (not about our request). */
export type ChargeOutcome = Exclude<ChargeResult, RetryableFailure | PspRejection>;

/** What a PSP look-up by payops' own id answers: the outcome of the earlier request, nothing, or a retryable failure. */
export type Lookup<Outcome> =
  | { found: false }
  | { found: true; result: Outcome }
  | RetryableFailure;

/** What the PSP knows of a charge, looked up by our order id (merchant reference). */
export type ChargeLookup = Lookup<ChargeOutcome>;

/** One transfer to one seller, with a key fixed when payops created the payout. */
export interface PayoutRequest {
  idempotencyKey: string;
  payoutId: string;
  sellerId: string;
  /** IBAN of the seller's account. */
  destination: string;
  amountMinor: bigint;
  currency: Currency;
}

export type PayoutResult =
  | { status: 'succeeded'; pspReference: string }
  | { status: 'declined'; pspReference: string | null; reason: string }
  | RetryableFailure
  | PspRejection;

/** Money back to the buyer, against the charge of one order; key fixed per refund. */
export interface RefundRequest {
  idempotencyKey: string;
  refundId: string;
  merchantReference: string;
  chargeReference: string;
  amountMinor: bigint;
  currency: Currency;
}

export type RefundResult =
  | { status: 'succeeded'; pspReference: string }
  | { status: 'declined'; pspReference: string | null; reason: string }
  | RetryableFailure
  | PspRejection;

/** What the PSP answered about a refund or a payout itself (not about our request). */
export type RefundOutcome = Extract<RefundResult, { status: 'succeeded' | 'declined' }>;
export type PayoutOutcome = Extract<PayoutResult, { status: 'succeeded' | 'declined' }>;

/** A buyer's dispute the PSP lost on our behalf: the amount went back, plus the PSP's dispute fee. */
export interface Dispute {
  disputeId: string;
  chargeReference: string;
  merchantReference: string;
  amountMinor: bigint;
  disputeFeeMinor: bigint;
  currency: Currency;
  createdAt: string;
}

export interface PaymentServiceProvider {
  /** Names the PSP in accounts (`assets:psp:<name>:receivable`) and on orders. */
  readonly name: string;
  /** How long the PSP remembers an idempotency key; a retry later than this looks up first. */
  readonly keyLifetimeMs: number;
  /**
   * False when payops cannot send seller transfers through this PSP: `payout run` refuses before it
   * claims anything. True only for a PSP whose transfers debit payops' operating bank account (the
   * bank statement's debit clears liabilities:payouts:in-transit); a PSP that pays sellers from its
   * own balance is not supported (docs/RECONCILIATION.md, "Money in transit").
   */
  readonly supportsPayouts: boolean;
  /** Charges many orders; the i-th result answers the i-th request. */
  charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]>;
  /** Finds the charge made for an order, whatever key it was made with. */
  lookupCharge(merchantReference: string): Promise<ChargeLookup>;
  /** Refunds captured charges; the i-th result answers the i-th request. */
  refund(requests: readonly RefundRequest[]): Promise<RefundResult[]>;
  /** Finds the refund made for payops' refund id (of that charge), whatever key it was made with. */
  lookupRefund(refund: {
    refundId: string;
    chargeReference: string;
  }): Promise<Lookup<RefundOutcome>>;
  /** Every dispute the PSP has recorded (payops keeps each once, by its id). */
  listDisputes(): Promise<Dispute[]>;
  /** Sends transfers to sellers (only when `supportsPayouts`); the i-th result answers the i-th request. */
  payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]>;
  /** Finds the transfer made for payops' payout id, whatever key it was made with (only when `supportsPayouts`). */
  lookupPayout(payoutId: string): Promise<Lookup<PayoutOutcome>>;
  /** Adapters that time their calls (http) report it; `payin run --json` prints it. */
  callStats?(): PspCallStats;
  close(): void;
}

/** How the PSP calls of one process went: count and latency percentiles in milliseconds. */
export interface PspCallStats {
  calls: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Wall time with at least one call in flight: calls / busyMs is the PSP's throughput for us. */
  busyMs: number;
}

/** The one line an executor's caller prints for a rejection: payops broke an invariant. */
export function rejectionMessage(what: string, rejection: PspRejection): string {
  return `the PSP rejected ${what}: ${rejection.reason} (${rejection.detail}); payops broke an invariant, so it was dead-lettered and nothing was booked`;
}

export function isRetryable(result: ChargeResult | Lookup<unknown>): result is RetryableFailure {
  return 'status' in result && result.status === 'retryable';
}

/** One refund at the PSP, with the payops refund id it carries (what `payops check` reads of Stripe's record). */
export interface PspRefundRecord {
  refundId: string;
  reference: string;
  status: string;
}

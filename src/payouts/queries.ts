import { NotFoundError, StorageError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { maskIban } from '../payments/events.js';
import type { OpenWork } from '../payments/queries.js';
import { payoutSentKey } from '../postings/index.js';
import { isTransferStatus } from '../payments/order-state.js';
import type { PayoutsStore } from './payouts-store.js';
import type { PayoutListRow, SellerReportRow } from './read-store.js';
import type { PayoutStatus } from './store.js';

export interface PayoutSummary {
  payoutId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  status: PayoutStatus;
  attempts: number;
  /** Masked: the full account number never leaves the database in a report. */
  destination: string;
  pspReference: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PayoutDetail extends PayoutSummary {
  payoutKey: string;
  transitions: {
    from: PayoutStatus | null;
    to: PayoutStatus;
    attempt: number;
    at: string;
    cause: string;
  }[];
  ledgerTxId: number | null;
}

function toSummary(row: PayoutListRow): PayoutSummary {
  return {
    payoutId: row.payout_id,
    sellerId: row.seller_id,
    currency: row.currency,
    amountMinor: row.amount_minor,
    status: row.status,
    attempts: Number(row.attempts),
    destination: maskIban(row.destination),
    pspReference: row.psp_reference,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listPayouts(
  store: PayoutsStore,
  query: { sellerId?: string; status?: string } = {},
): Promise<PayoutSummary[]> {
  return (await store.payouts(query)).map(toSummary);
}

export async function showPayout(store: PayoutsStore, payoutId: string): Promise<PayoutDetail> {
  const row = await store.payout(payoutId);
  if (!row)
    throw new NotFoundError(`payout ${payoutId} does not exist`, {
      hint: 'see `payops payout list`',
    });
  const transitions = (await store.transitions(row.id)).map((t) => ({
    from: t.from_status === null ? null : payoutStatus(t.from_status),
    to: t.to_status,
    attempt: Number(t.attempt),
    at: t.at,
    cause: t.cause,
  }));
  const txId = await store.transactionId(payoutSentKey(payoutId));
  return {
    ...toSummary(row),
    payoutKey: row.payout_key,
    transitions,
    ledgerTxId: txId === undefined ? null : Number(txId),
  };
}

export interface SellerReport {
  sellerId: string;
  name: string | null;
  account: string | null;
  currency: Currency;
  pendingMinor: bigint;
  payableMinor: bigint;
  paidOutMinor: bigint;
  negative: boolean;
  lastPayout: { payoutId: string; amountMinor: bigint; status: PayoutStatus; at: string } | null;
}

/** Per seller and currency: pending, payable, paid out, and the last payout. */
export async function sellerReports(
  store: PayoutsStore,
  sellerId?: string,
): Promise<SellerReport[]> {
  const rows = await store.sellers(sellerId);
  return rows.map((row) => ({
    sellerId: row.seller_id,
    name: row.name,
    account: row.iban === null ? null : maskIban(row.iban),
    currency: row.currency,
    pendingMinor: row.pending_minor,
    payableMinor: row.payable_minor,
    paidOutMinor: row.paid_out_minor,
    negative: row.pending_minor < 0n || row.payable_minor < 0n,
    lastPayout: lastPayoutOf(row),
  }));
}

/** The LEFT JOIN's payout columns: all NULL (no payout yet) or a whole payout. */
function lastPayoutOf(row: SellerReportRow): SellerReport['lastPayout'] {
  if (row.last_payout_id === null) return null;
  if (row.last_amount === null || row.last_status === null || row.last_at === null)
    throw new StorageError(`payouts: payout ${row.last_payout_id} has an empty column`);
  return {
    payoutId: row.last_payout_id,
    amountMinor: row.last_amount,
    status: payoutStatus(row.last_status),
    at: row.last_at,
  };
}

function payoutStatus(value: string): PayoutStatus {
  if (!isTransferStatus(value)) throw new StorageError(`payouts: unknown status ${value}`);
  return value;
}

/** Payouts (of one PSP, or all) scheduled for retry or dead-lettered now. */
export function openPayouts(store: PayoutsStore, psp?: string): Promise<OpenWork> {
  return store.openPayouts(psp);
}

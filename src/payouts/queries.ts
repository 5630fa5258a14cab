import type { Database } from '../db/index.js';
import { NotFoundError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { maskIban } from '../payments/events.js';
import { type OpenWork, openWorkIn } from '../payments/queries.js';
import { payoutSentKey } from '../postings/index.js';
import type { PayoutRow, PayoutStatus } from './store.js';

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

function toSummary(row: PayoutRow): PayoutSummary {
  return {
    payoutId: row.payout_id,
    sellerId: row.seller_id,
    currency: row.currency as Currency,
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

export function listPayouts(
  db: Database,
  query: { sellerId?: string; status?: string } = {},
): PayoutSummary[] {
  return (
    db
      .prepare(
        'SELECT * FROM payouts WHERE (? IS NULL OR seller_id = ?) AND (? IS NULL OR status = ?) ORDER BY id',
      )
      .all(
        query.sellerId ?? null,
        query.sellerId ?? null,
        query.status ?? null,
        query.status ?? null,
      ) as PayoutRow[]
  ).map(toSummary);
}

export function showPayout(db: Database, payoutId: string): PayoutDetail {
  const row = db.prepare('SELECT * FROM payouts WHERE payout_id = ?').get(payoutId) as
    | PayoutRow
    | undefined;
  if (!row)
    throw new NotFoundError(`payout ${payoutId} does not exist`, {
      hint: 'see `payops payout list`',
    });
  const transitions = (
    db
      .prepare(
        'SELECT from_status, to_status, attempt, at, cause FROM payout_transitions WHERE payout_id = ? ORDER BY id',
      )
      .all(row.id) as {
      from_status: PayoutStatus | null;
      to_status: PayoutStatus;
      attempt: bigint;
      at: string;
      cause: string;
    }[]
  ).map((t) => ({
    from: t.from_status,
    to: t.to_status,
    attempt: Number(t.attempt),
    at: t.at,
    cause: t.cause,
  }));
  const tx = db
    .prepare('SELECT id FROM ledger_transactions WHERE idempotency_key = ?')
    .get(payoutSentKey(payoutId)) as { id: bigint } | undefined;
  return {
    ...toSummary(row),
    payoutKey: row.payout_key,
    transitions,
    ledgerTxId: tx ? Number(tx.id) : null,
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
export function sellerReports(db: Database, sellerId?: string): SellerReport[] {
  const rows = db
    .prepare(
      `SELECT w.seller_id, w.currency, w.pending_minor, w.payable_minor, w.paid_out_minor, s.name, s.iban,
              p.payout_id AS last_payout_id, p.amount_minor AS last_amount, p.status AS last_status, p.updated_at AS last_at
       FROM wallets w
       LEFT JOIN sellers s ON s.seller_id = w.seller_id
       LEFT JOIN payouts p ON p.id = (SELECT MAX(id) FROM payouts q WHERE q.seller_id = w.seller_id AND q.currency = w.currency)
       WHERE (? IS NULL OR w.seller_id = ?)
       ORDER BY w.seller_id, w.currency`,
    )
    .all(sellerId ?? null, sellerId ?? null) as {
    seller_id: string;
    currency: string;
    pending_minor: bigint;
    payable_minor: bigint;
    paid_out_minor: bigint;
    name: string | null;
    iban: string | null;
    last_payout_id: string | null;
    last_amount: bigint | null;
    last_status: PayoutStatus | null;
    last_at: string | null;
  }[];
  return rows.map((row) => ({
    sellerId: row.seller_id,
    name: row.name,
    account: row.iban === null ? null : maskIban(row.iban),
    currency: row.currency as Currency,
    pendingMinor: row.pending_minor,
    payableMinor: row.payable_minor,
    paidOutMinor: row.paid_out_minor,
    negative: row.pending_minor < 0n || row.payable_minor < 0n,
    lastPayout:
      row.last_payout_id === null
        ? null
        : {
            payoutId: row.last_payout_id,
            amountMinor: row.last_amount as bigint,
            status: row.last_status as PayoutStatus,
            at: row.last_at as string,
          },
  }));
}

/** Payouts (of one PSP, or all) scheduled for retry or dead-lettered now. */
export function openPayouts(db: Database, psp?: string): OpenWork {
  return openWorkIn(db, 'payouts', psp);
}

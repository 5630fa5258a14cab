import { createHash } from 'node:crypto';
import type { Currency } from '../money/index.js';
import type { SettlementRow, SettlementRowType } from './types.js';

/**
 * The classes every settlement row and every internal record expected in the period ends in,
 * exactly one each (docs/RECONCILIATION.md). `matched` needs nothing; every other class is an item
 * with a stable id and a life across runs. `pending` is an item too, but a quiet one: a record
 * still inside its grace period is not an exception yet.
 */
export const ITEM_CLASSES = [
  'pending',
  'missing_external',
  'missing_internal',
  'amount_mismatch',
  'fee_mismatch',
  'currency_mismatch',
  'status_mismatch',
  'duplicate',
  'batch_total_mismatch',
  // The bank leg (src/bank/): a statement's entries and balances against the payouts and the books.
  'payout_not_received',
  'unknown_credit',
  'unknown_debit',
  'bank_fee',
  'balance_mismatch',
] as const;
export type ItemClass = (typeof ITEM_CLASSES)[number];
export const CLASSES = ['matched', ...ITEM_CLASSES] as const;
export type ReconClass = (typeof CLASSES)[number];

export function isItemClass(value: string): value is ItemClass {
  return (ITEM_CLASSES as readonly string[]).includes(value);
}

/** The internal records reconciliation expects the PSP to report, one kind per settlement row type. */
export type RecordKind = 'capture' | 'refund' | 'chargeback';

/**
 * One of payops' own records as reconciliation sees it, signed like a settlement row (a capture
 * is positive, a refund or chargeback negative), so the two sides compare field by field.
 */
export interface InternalRecord {
  kind: RecordKind;
  /** The order id, refund id or dispute id. */
  id: string;
  orderId: string;
  pspReference: string | null;
  currency: Currency;
  grossMinor: bigint;
  /** What payops booked as the PSP's fee; null when it never learned it (the file's fee gets booked). */
  feeMinor: bigint | null;
  /** `succeeded` for a capture or refund that happened (a chargeback always has). */
  status: string;
  /** When payops booked it; null when it has not (an order that is not captured). */
  bookedAt: string | null;
}

export function recordKindOf(type: SettlementRowType): RecordKind | undefined {
  return type === 'capture' || type === 'refund' || type === 'chargeback' ? type : undefined;
}

/** "capture:ord_1", "refund:rf_1", "chargeback:dp_1": how items and rows name a record. */
export function internalRef(kind: RecordKind, id: string): string {
  return `${kind}:${id}`;
}

export function parseInternalRef(ref: string): { kind: RecordKind; id: string } | undefined {
  const colon = ref.indexOf(':');
  const kind = ref.slice(0, colon);
  if (colon < 0 || (kind !== 'capture' && kind !== 'refund' && kind !== 'chargeback'))
    return undefined;
  return { kind, id: ref.slice(colon + 1) };
}

/**
 * What an item is about, from which its id derives: the same subject in a later run is the same
 * item (persisting), whatever class it is in then.
 * - a row: its type and PSP reference ("capture:ch_1"), or its file and line when it has none;
 * - a duplicate: the file and line of the repeated row (the original keeps the reference);
 * - a record: its internal reference; a batch: its id and currency.
 */
export function rowSubject(
  row: Pick<SettlementRow, 'type' | 'pspReference' | 'line'>,
  fileSha256: string,
): string {
  return row.pspReference === null
    ? `line:${fileSha256.slice(0, 16)}:${row.line}`
    : `${row.type}:${row.pspReference}`;
}

export function duplicateSubject(fileSha256: string, line: number): string {
  return `duplicate:${fileSha256.slice(0, 16)}:${line}`;
}

export function batchSubject(batchId: string, currency: Currency): string {
  return `batch:${batchId}:${currency}`;
}

/** `rm_` and 12 hex digits of SHA-256 over the PSP and the subject: stable across runs and machines. */
export function itemIdOf(psp: string, subject: string): string {
  return `rm_${createHash('sha256').update(`${psp}\u0000${subject}`).digest('hex').slice(0, 12)}`;
}

export interface PairClass {
  class: ReconClass;
  /** The money the class is about, signed, in the row's currency (the difference for a mismatch). */
  amountMinor: bigint;
}

/**
 * A settlement row against the record it was paired with (by PSP reference, else merchant
 * reference). Checked in order: did it happen for us at all, same currency, same gross, then the
 * same fee when payops knows its fee. Amounts compare exactly, in minor units.
 */
export function classifyPair(
  row: Pick<SettlementRow, 'currency' | 'grossMinor' | 'feeMinor'>,
  record: InternalRecord,
): PairClass {
  if (record.status !== 'succeeded')
    return { class: 'status_mismatch', amountMinor: row.grossMinor };
  if (row.currency !== record.currency)
    return { class: 'currency_mismatch', amountMinor: row.grossMinor };
  if (row.grossMinor !== record.grossMinor)
    return { class: 'amount_mismatch', amountMinor: row.grossMinor - record.grossMinor };
  if (record.feeMinor !== null && row.feeMinor !== record.feeMinor)
    return { class: 'fee_mismatch', amountMinor: row.feeMinor - record.feeMinor };
  return { class: 'matched', amountMinor: row.grossMinor };
}

/** The receivable a record left in the books: its gross less the PSP fee booked with it. */
export function bookedNetOf(record: InternalRecord): bigint {
  return record.grossMinor - (record.feeMinor ?? 0n);
}

import type { Currency } from '../money/index.js';
import type { PayoutResult, RefundResult } from '../psp/port.js';

export type AnswerKind = 'charge' | 'refund' | 'payout';

/** A final PSP answer that payops could not record: kept so that it is booked later, once, and never asked again. */
export interface UnrecordedAnswer {
  kind: AnswerKind;
  itemId: string;
  psp: string;
  answerStatus: 'succeeded' | 'declined';
  pspReference: string | null;
  amountMinor: bigint;
  currency: Currency;
  pspFeeMinor: bigint | null;
  declineReason: string | null;
  error: string;
  answeredAt: string;
}

export interface StoredAnswer extends UnrecordedAnswer {
  id: bigint;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** SQLite could not write at all (locked, read-only, full, I/O, corrupt): a fact could not be written either. */
export function isStorageFailure(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  const code = String((error as { code: unknown }).code);
  return [
    'SQLITE_BUSY',
    'SQLITE_LOCKED',
    'SQLITE_READONLY',
    'SQLITE_FULL',
    'SQLITE_IOERR',
    'SQLITE_CANTOPEN',
    'SQLITE_PERM',
    'SQLITE_NOTADB',
    'SQLITE_CORRUPT',
    'SQLITE_NOMEM',
  ].some((prefix) => code.startsWith(prefix));
}

/** The fact to keep for a final refund or payout answer; null for answers that are not final (left for a retry). */
export function transferFact(
  kind: 'refund' | 'payout',
  itemId: string,
  item: { amountMinor: bigint; currency: Currency },
  result: RefundResult | PayoutResult,
  psp: string,
  error: string,
  at: string,
): UnrecordedAnswer | null {
  if (result.status !== 'succeeded' && result.status !== 'declined') return null;
  return {
    kind,
    itemId,
    psp,
    answerStatus: result.status,
    pspReference: result.pspReference,
    amountMinor: item.amountMinor,
    currency: item.currency,
    pspFeeMinor: null,
    declineReason: result.status === 'declined' ? result.reason : null,
    error,
    answeredAt: at,
  };
}

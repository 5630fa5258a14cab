import type { Database } from '../db/index.js';
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

interface AnswerRow {
  id: bigint;
  kind: AnswerKind;
  item_id: string;
  psp: string;
  answer_status: 'succeeded' | 'declined';
  psp_reference: string | null;
  amount_minor: bigint;
  currency: string;
  psp_fee_minor: bigint | null;
  decline_reason: string | null;
  error: string;
  answered_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

function toStored(row: AnswerRow): StoredAnswer {
  return {
    id: row.id,
    kind: row.kind,
    itemId: row.item_id,
    psp: row.psp,
    answerStatus: row.answer_status,
    pspReference: row.psp_reference,
    amountMinor: row.amount_minor,
    currency: row.currency as Currency,
    pspFeeMinor: row.psp_fee_minor,
    declineReason: row.decline_reason,
    error: row.error,
    answeredAt: row.answered_at,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
  };
}

/** All SQL of unrecorded_answers; callers hold the transaction. */
export class UnrecordedAnswers {
  constructor(private readonly db: Database) {}

  insert(answer: UnrecordedAnswer): void {
    this.db
      .prepare(
        `INSERT INTO unrecorded_answers (kind, item_id, psp, answer_status, psp_reference, amount_minor, currency, psp_fee_minor, decline_reason, error, answered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        answer.kind,
        answer.itemId,
        answer.psp,
        answer.answerStatus,
        answer.pspReference,
        answer.amountMinor,
        answer.currency,
        answer.pspFeeMinor,
        answer.declineReason,
        answer.error,
        answer.answeredAt,
      );
  }

  /** Facts not booked yet, oldest first. */
  open(): StoredAnswer[] {
    return (
      this.db
        .prepare('SELECT * FROM unrecorded_answers WHERE resolved_at IS NULL ORDER BY id')
        .all() as AnswerRow[]
    ).map(toStored);
  }

  /** The fact kept for this order, refund or payout id, resolved or not. */
  byItemId(itemId: string): StoredAnswer[] {
    return (
      this.db
        .prepare('SELECT * FROM unrecorded_answers WHERE item_id = ? ORDER BY id')
        .all(itemId) as AnswerRow[]
    ).map(toStored);
  }

  /** Marks a fact booked; false when it was already (another run got there first). */
  resolve(id: bigint, at: string, by: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE unrecorded_answers SET resolved_at = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL',
        )
        .run(at, by, id).changes === 1
    );
  }

  openCount(): number {
    return Number(
      this.db
        .prepare('SELECT COUNT(*) FROM unrecorded_answers WHERE resolved_at IS NULL')
        .pluck()
        .get() as bigint,
    );
  }
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

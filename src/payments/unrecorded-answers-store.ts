import { type Database, type ShapeRow, readOneRow, readRows, rowShape } from '../db/index.js';
import type { StoredAnswer, UnrecordedAnswer } from './attention.js';

const ANSWER_ROW = rowShape('unrecorded_answers', {
  id: 'bigint',
  kind: ['charge', 'refund', 'payout'],
  item_id: 'text',
  psp: 'text',
  answer_status: ['succeeded', 'declined'],
  psp_reference: 'text?',
  amount_minor: 'bigint',
  currency: 'currency',
  psp_fee_minor: 'bigint?',
  decline_reason: 'text?',
  error: 'text',
  answered_at: 'text',
  resolved_at: 'text?',
  resolved_by: 'text?',
});

const OPEN_COUNT_ROW = rowShape('unrecorded_answers open count', { open_count: 'bigint' });

function toStored(checked: ShapeRow<typeof ANSWER_ROW>): StoredAnswer {
  return {
    id: checked.id,
    kind: checked.kind,
    itemId: checked.item_id,
    psp: checked.psp,
    answerStatus: checked.answer_status,
    pspReference: checked.psp_reference,
    amountMinor: checked.amount_minor,
    currency: checked.currency,
    pspFeeMinor: checked.psp_fee_minor,
    declineReason: checked.decline_reason,
    error: checked.error,
    answeredAt: checked.answered_at,
    resolvedAt: checked.resolved_at,
    resolvedBy: checked.resolved_by,
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
    return readRows(
      ANSWER_ROW,
      this.db
        .prepare('SELECT * FROM unrecorded_answers WHERE resolved_at IS NULL ORDER BY id')
        .all(),
    ).map(toStored);
  }

  /** The fact kept for this order, refund or payout id, resolved or not. */
  byItemId(itemId: string): StoredAnswer[] {
    return readRows(
      ANSWER_ROW,
      this.db.prepare('SELECT * FROM unrecorded_answers WHERE item_id = ? ORDER BY id').all(itemId),
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
      readOneRow(
        OPEN_COUNT_ROW,
        this.db
          .prepare(
            'SELECT COUNT(*) AS open_count FROM unrecorded_answers WHERE resolved_at IS NULL',
          )
          .get(),
      ).open_count,
    );
  }
}

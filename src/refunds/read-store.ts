import { type Database, type ShapeRow, readRows, rowShape } from '../db/index.js';

const REFUND_ROW = rowShape('refunds', {
  refund_id: 'text',
  order_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  status: 'text',
  attempts: 'bigint',
  last_error: 'text?',
  updated_at: 'text',
});
export type RefundListRow = ShapeRow<typeof REFUND_ROW>;

/** The refunds folder's read model: what `refund list` reads. It writes nothing; rows are checked as read. */
export class RefundReadStore {
  constructor(private readonly db: Database) {}

  /** Refunds in the order they were accepted, only those in `status` when it is given. */
  refunds(status: string | undefined): RefundListRow[] {
    const rows = this.db
      .prepare(
        'SELECT refund_id, order_id, currency, amount_minor, status, attempts, last_error, updated_at FROM refunds WHERE (@status IS NULL OR status = @status) ORDER BY id',
      )
      .all({ status: status ?? null });
    return readRows(REFUND_ROW, rows);
  }
}

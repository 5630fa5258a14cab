import {
  type Database,
  type ShapeRow,
  readOneRow,
  readRow,
  readRows,
  rowShape,
} from '../db/index.js';
import { ORDER_STATUSES, type OrderStatus } from './order-state.js';

const ORDER_ROW = rowShape('orders', {
  id: 'bigint',
  order_id: 'text',
  event_id: 'text',
  payer_id: 'text',
  seller_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  platform_fee_minor: 'bigint',
  status: ORDER_STATUSES,
  attempts: 'bigint',
  psp: 'text',
  psp_reference: 'text?',
  psp_fee_minor: 'bigint?',
  last_error: 'text?',
  next_attempt_at: 'text?',
  updated_at: 'text',
  created_at: 'text',
  charge_key: 'text',
  metadata: 'text',
  lease_owner: 'text?',
  lease_expires_at: 'text?',
});
export type OrderRow = ShapeRow<typeof ORDER_ROW>;

const TRANSITION_ROW = rowShape('order_transitions', {
  from_status: 'text?',
  to_status: ORDER_STATUSES,
  attempt: 'bigint',
  at: 'text',
  cause: 'text',
});
export type OrderTransitionRow = ShapeRow<typeof TRANSITION_ROW>;

const LEDGER_TX_ROW = rowShape('ledger_transactions of an order', {
  id: 'bigint',
  kind: 'text',
  idempotency_key: 'text',
});
const STATUS_COUNT = rowShape('orders by status', { status: ORDER_STATUSES, n: 'bigint' });
const OPEN_COUNT = rowShape('open work by status', { status: 'text', n: 'bigint' });
const NEXT_RETRY = rowShape('orders next retry', { at: 'text?' });

const OPEN_WORK_SQL = {
  orders:
    "SELECT status, COUNT(*) AS n FROM orders WHERE status IN ('retry_scheduled', 'dead_lettered', 'needs_attention') AND (@psp IS NULL OR psp = @psp) GROUP BY status",
  refunds:
    "SELECT status, COUNT(*) AS n FROM refunds WHERE status IN ('retry_scheduled', 'dead_lettered', 'needs_attention') AND (@psp IS NULL OR psp = @psp) GROUP BY status",
  payouts:
    "SELECT status, COUNT(*) AS n FROM payouts WHERE status IN ('retry_scheduled', 'dead_lettered', 'needs_attention') AND (@psp IS NULL OR psp = @psp) GROUP BY status",
} as const;
export type OpenWorkTable = keyof typeof OPEN_WORK_SQL;

/**
 * The payments folder's read model: what `orders list|show`, `dlq list` and the queue summaries
 * read of orders, their transitions and postings, and the executors' open work. It writes
 * nothing; rows are checked as read.
 */
export class OrderReadStore {
  constructor(private readonly db: Database) {}

  orders(status: OrderStatus | undefined, limit: number): OrderRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM orders ${status ? 'WHERE status = ?' : ''} ORDER BY id LIMIT ?`)
      .all(...(status ? [status] : []), limit);
    return readRows(ORDER_ROW, rows);
  }

  order(orderId: string): OrderRow | undefined {
    return readRow(
      ORDER_ROW,
      this.db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId),
    );
  }

  transitions(id: bigint): OrderTransitionRow[] {
    const rows = this.db
      .prepare(
        'SELECT from_status, to_status, attempt, at, cause FROM order_transitions WHERE order_id = ? ORDER BY id',
      )
      .all(id);
    return readRows(TRANSITION_ROW, rows);
  }

  /** The ledger transactions posted under these two idempotency keys, oldest first. */
  transactions(
    firstKey: string,
    secondKey: string,
  ): { id: bigint; kind: string; idempotency_key: string }[] {
    const rows = this.db
      .prepare(
        'SELECT id, kind, idempotency_key FROM ledger_transactions WHERE idempotency_key IN (?, ?) ORDER BY id',
      )
      .all(firstKey, secondKey);
    return readRows(LEDGER_TX_ROW, rows);
  }

  /** How many orders (of one PSP, or all) are in each status present. */
  statusCounts(psp: string | undefined): { status: OrderStatus; n: bigint }[] {
    const rows = this.db
      .prepare(
        `SELECT status, COUNT(*) AS n FROM orders ${psp ? 'WHERE psp = ?' : ''} GROUP BY status`,
      )
      .all(...(psp ? [psp] : []));
    return readRows(STATUS_COUNT, rows);
  }

  nextRetryAt(psp: string): string | null {
    const row = this.db
      .prepare(
        "SELECT MIN(next_attempt_at) AS at FROM orders WHERE status = 'retry_scheduled' AND psp = ?",
      )
      .get(psp);
    return readOneRow(NEXT_RETRY, row).at;
  }

  /** Counts of retry_scheduled, dead_lettered and needs_attention rows in an executor's table. */
  openWork(table: OpenWorkTable, psp: string | undefined): { status: string; n: bigint }[] {
    return readRows(OPEN_COUNT, this.db.prepare(OPEN_WORK_SQL[table]).all({ psp: psp ?? null }));
  }
}

import {
  type Database,
  type ShapeRow,
  type Statement,
  readRow,
  readRows,
  rowShape,
} from '../db/index.js';

/**
 * The SQL of reconciliation's reads of payops' own records (orders, refunds, chargebacks and
 * their ledger postings, owned by other stores; this one only reads them) and of the temporary
 * tables a run keeps them in. InternalRecords (records.ts) decides; this store only reads and
 * keeps the run's temporary state. Rows are checked as they are read.
 */
const ORDER_COLUMNS = 'order_id, psp, status, currency, amount_minor, psp_reference, psp_fee_minor';
const PAGE = 2_000;

const TEMP_TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS recon_refund_candidates (
    refund_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
    status TEXT NOT NULL, psp_reference TEXT, taken INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS temp.recon_refund_candidates_by_reference ON recon_refund_candidates (psp_reference);
  CREATE INDEX IF NOT EXISTS temp.recon_refund_candidates_by_order ON recon_refund_candidates (order_id);
  CREATE TEMP TABLE IF NOT EXISTS recon_chargeback_candidates (
    dispute_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
    dispute_fee_minor INTEGER NOT NULL, taken INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS temp.recon_chargeback_candidates_by_order ON recon_chargeback_candidates (order_id);
  CREATE TEMP TABLE IF NOT EXISTS recon_wanted_references (reference TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE TEMP TABLE IF NOT EXISTS recon_found_orders (reference TEXT PRIMARY KEY, order_id TEXT NOT NULL) WITHOUT ROWID;
  CREATE TEMP TABLE IF NOT EXISTS recon_unsettled (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL);
`;

const SQL = {
  order: `SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`,
  ordersByIds: `SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id IN (SELECT value FROM json_each(?))`,
  wantReference: 'INSERT OR IGNORE INTO recon_wanted_references (reference) VALUES (?)',
  // One pass over this PSP's orders, probing the set of wanted references; the answers stay in SQLite.
  findWanted: `INSERT OR IGNORE INTO recon_found_orders (reference, order_id)
         SELECT psp_reference, order_id FROM orders WHERE psp = ? AND psp_reference IN (SELECT reference FROM recon_wanted_references)`,
  foundOrder: 'SELECT order_id FROM recon_found_orders WHERE reference = ?',
  refund:
    'SELECT refund_id, order_id, currency, amount_minor, status, psp_reference FROM refunds WHERE refund_id = ? AND psp = ?',
  refundCandidateByReference:
    'SELECT * FROM recon_refund_candidates WHERE psp_reference = ? AND taken = 0',
  refundCandidatesOfOrder:
    'SELECT * FROM recon_refund_candidates WHERE order_id = ? AND taken = 0 ORDER BY refund_id',
  takeRefund: 'UPDATE recon_refund_candidates SET taken = 1 WHERE refund_id = ?',
  chargeback:
    'SELECT dispute_id, order_id, currency, amount_minor, dispute_fee_minor FROM chargebacks WHERE dispute_id = ? AND psp = ?',
  chargebackCandidate:
    'SELECT * FROM recon_chargeback_candidates WHERE dispute_id = ? AND taken = 0',
  chargebackCandidatesOfOrder:
    'SELECT * FROM recon_chargeback_candidates WHERE order_id = ? AND taken = 0 ORDER BY dispute_id',
  takeChargeback: 'UPDATE recon_chargeback_candidates SET taken = 1 WHERE dispute_id = ?',
  bookedAt: 'SELECT effective_at FROM ledger_transactions WHERE idempotency_key = ?',
  // One pass per kind, each record probing the rows' record index: a record is claimed by the
  // row paired with it, whatever reference that row carries (linked, or paired by its order).
  collectUnsettled: `INSERT INTO recon_unsettled (kind, record_id)
         SELECT 'capture', o.order_id FROM orders o WHERE o.status = 'succeeded' AND o.psp = @psp
           AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = o.psp AND r.internal_ref = 'capture:' || o.order_id AND r.paired = 1)
         UNION ALL
         SELECT 'refund', f.refund_id FROM refunds f WHERE f.status = 'succeeded' AND f.psp = @psp
           AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = f.psp AND r.internal_ref = 'refund:' || f.refund_id AND r.paired = 1)
         UNION ALL
         SELECT 'chargeback', c.dispute_id FROM chargebacks c WHERE c.psp = @psp
           AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = c.psp AND r.internal_ref = 'chargeback:' || c.dispute_id AND r.paired = 1)`,
  unsettledPage: `SELECT id, kind, record_id FROM recon_unsettled WHERE id > ? ORDER BY id LIMIT ${PAGE}`,
  // Only records no earlier row has claimed (paired with it, under whatever reference): a refund or dispute is reported once.
  refundCandidates: `INSERT INTO recon_refund_candidates (refund_id, order_id, currency, amount_minor, status, psp_reference)
       SELECT f.refund_id, f.order_id, f.currency, f.amount_minor, f.status, f.psp_reference FROM refunds f
       WHERE f.psp = ? AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = f.psp AND r.internal_ref = 'refund:' || f.refund_id AND r.paired = 1)`,
  chargebackCandidates: `INSERT INTO recon_chargeback_candidates (dispute_id, order_id, currency, amount_minor, dispute_fee_minor)
       SELECT c.dispute_id, c.order_id, c.currency, c.amount_minor, c.dispute_fee_minor FROM chargebacks c
       WHERE c.psp = ? AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = c.psp AND r.internal_ref = 'chargeback:' || c.dispute_id AND r.paired = 1)`,
} as const;

const ORDER_ROW = rowShape('reconcile: orders', {
  order_id: 'text',
  psp: 'text',
  status: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  psp_reference: 'text?',
  psp_fee_minor: 'bigint?',
});
/** ORDER_COLUMNS read as arrays (`raw`): no object per row on a million-row file. */
const ORDER_TUPLE = rowShape('reconcile: orders by id', {
  0: 'text',
  1: 'text',
  2: 'text',
  3: 'currency',
  4: 'bigint',
  5: 'text?',
  6: 'bigint?',
});
const REFUND_ROW = rowShape('reconcile: refunds', {
  refund_id: 'text',
  order_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  status: 'text',
  psp_reference: 'text?',
});
const CHARGEBACK_ROW = rowShape('reconcile: chargebacks', {
  dispute_id: 'text',
  order_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  dispute_fee_minor: 'bigint',
});
const FOUND_ORDER_ROW = rowShape('reconcile: orders found by reference', { order_id: 'text' });
const BOOKED_AT_ROW = rowShape('reconcile: booking time', { effective_at: 'text' });
const UNSETTLED_ROW = rowShape('reconcile: unsettled records', {
  id: 'bigint',
  kind: ['capture', 'refund', 'chargeback'],
  record_id: 'text',
});

export type OrderRow = ShapeRow<typeof ORDER_ROW>;
export type OrderTuple = ShapeRow<typeof ORDER_TUPLE>;
export type RefundRow = ShapeRow<typeof REFUND_ROW>;
export type ChargebackRow = ShapeRow<typeof CHARGEBACK_ROW>;
export type UnsettledEntry = ShapeRow<typeof UNSETTLED_ROW>;

export class InternalRecordsStore {
  private readonly statements = new Map<string, Statement>();
  readonly pageSize = PAGE;

  constructor(private readonly db: Database) {
    db.exec(TEMP_TABLES);
  }

  /** Each statement prepared once, on first use. */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A run's candidates: the refunds and disputes of the PSP that no earlier row claimed. */
  fillCandidates(psp: string): void {
    this.db.exec(
      'DELETE FROM recon_refund_candidates; DELETE FROM recon_chargeback_candidates; DELETE FROM recon_wanted_references; DELETE FROM recon_found_orders;',
    );
    this.statement(SQL.refundCandidates).run(psp);
    this.statement(SQL.chargebackCandidates).run(psp);
  }

  ordersByIds(orderIds: readonly string[]): OrderTuple[] {
    return readRows(
      ORDER_TUPLE,
      this.statement(SQL.ordersByIds).raw(true).all(JSON.stringify(orderIds)),
    );
  }

  order(orderId: string): OrderRow | undefined {
    return readRow(ORDER_ROW, this.statement(SQL.order).get(orderId));
  }

  wantReference(reference: string): void {
    this.statement(SQL.wantReference).run(reference);
  }

  /** One scan of the PSP's orders for every reference wanted; the wanted list is emptied. */
  findWanted(psp: string): void {
    this.statement(SQL.findWanted).run(psp);
    this.db.exec('DELETE FROM recon_wanted_references');
  }

  foundOrderId(reference: string): string | undefined {
    return readRow(FOUND_ORDER_ROW, this.statement(SQL.foundOrder).get(reference))?.order_id;
  }

  refund(refundId: string, psp: string): RefundRow | undefined {
    return readRow(REFUND_ROW, this.statement(SQL.refund).get(refundId, psp));
  }

  refundCandidateByReference(pspReference: string): RefundRow | undefined {
    return readRow(REFUND_ROW, this.statement(SQL.refundCandidateByReference).get(pspReference));
  }

  refundCandidatesOfOrder(orderId: string): RefundRow[] {
    return readRows(REFUND_ROW, this.statement(SQL.refundCandidatesOfOrder).all(orderId));
  }

  takeRefund(refundId: string): void {
    this.statement(SQL.takeRefund).run(refundId);
  }

  chargeback(disputeId: string, psp: string): ChargebackRow | undefined {
    return readRow(CHARGEBACK_ROW, this.statement(SQL.chargeback).get(disputeId, psp));
  }

  chargebackCandidate(disputeId: string): ChargebackRow | undefined {
    return readRow(CHARGEBACK_ROW, this.statement(SQL.chargebackCandidate).get(disputeId));
  }

  chargebackCandidatesOfOrder(orderId: string): ChargebackRow[] {
    return readRows(CHARGEBACK_ROW, this.statement(SQL.chargebackCandidatesOfOrder).all(orderId));
  }

  takeChargeback(disputeId: string): void {
    this.statement(SQL.takeChargeback).run(disputeId);
  }

  bookedAt(idempotencyKey: string): string | null {
    return (
      readRow(BOOKED_AT_ROW, this.statement(SQL.bookedAt).get(idempotencyKey))?.effective_at ?? null
    );
  }

  /** Fills the run's list of the PSP's records no row has claimed; read it with `unsettledPage`. */
  collectUnsettled(psp: string): void {
    this.db.exec('DELETE FROM recon_unsettled');
    this.statement(SQL.collectUnsettled).run({ psp });
  }

  /** The next page of that list after `afterId`; a page shorter than `pageSize` is the last. */
  unsettledPage(afterId: bigint): UnsettledEntry[] {
    return readRows(UNSETTLED_ROW, this.statement(SQL.unsettledPage).all(afterId));
  }
}

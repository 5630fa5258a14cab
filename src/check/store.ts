import {
  BIRTH_QUERIES,
  type Database,
  ORDER_BIRTH_ROW,
  REFUND_BIRTH_ROW,
  type RowShape,
  type ShapeRow,
  type Statement,
  iterateRows,
  readOneRow,
  readRow,
  readRows,
  rowShape,
} from '../db/index.js';
import { StorageError } from '../errors.js';
import {
  captureKey,
  chargebackKey,
  payoutSentKey,
  pspFeeKey,
  pspFees,
  refundSentKey,
} from '../postings/index.js';

/**
 * check's own read-only store: every query `payops check` makes of the books, with its rows
 * checked as they are read. The auditor asks no service: it recomputes each invariant from the
 * rows with its own SQL, so a bug in a service's reads cannot hide the bug it should find.
 *
 * Read-only by construction: `statement` refuses any statement that returns no rows (an
 * INSERT, UPDATE, DELETE or DDL), a programmer error that fails loudly. The connection itself is
 * the caller's (`payops check` opens the books; runChecks runs on one read snapshot of them):
 * opening it read-only is the CLI's choice, not this store's.
 */
/** Each query that joins a posting by its key binds the key's prefix (the rules' own, src/postings/keys.ts). */
const CAPTURE_KEY = { keyPrefix: captureKey('') };
const PSP_FEE_KEY = { keyPrefix: pspFeeKey('') };
const PAYOUT_SENT_KEY = { keyPrefix: payoutSentKey('') };
const REFUND_SENT_KEY = { keyPrefix: refundSentKey('') };
const CHARGEBACK_KEY = { keyPrefix: chargebackKey('') };

/** The joins whose plans must stay linear; test/check/check.test.ts asserts them. */
export const CHECK_QUERIES = {
  // One grouped pass over orders, then a key lookup per event: no index on event_id needed.
  eventsMissingOrders: `SELECT e.event_id, e.order_count, COALESCE(c.orders, 0) AS orders
    FROM events e LEFT JOIN (SELECT event_id, COUNT(*) AS orders FROM orders GROUP BY event_id) c ON c.event_id = e.event_id
    WHERE COALESCE(c.orders, 0) <> e.order_count LIMIT 50`,
  succeededWithoutCapture: `SELECT o.order_id FROM orders o LEFT JOIN ledger_transactions t ON t.idempotency_key = @keyPrefix || o.order_id
    WHERE o.status = 'succeeded' AND t.id IS NULL LIMIT 50`,
  // Joined on the order id itself so the look-up uses orders' unique index: an expression on
  // o.order_id would scan orders once per capture (a 100,000-order book took over 12 minutes).
  capturesOfUnsucceededOrders: `SELECT t.id, t.idempotency_key, o.status FROM ledger_transactions t
    LEFT JOIN orders o ON o.order_id = substr(t.idempotency_key, length(@keyPrefix) + 1)
    WHERE t.kind = 'payin.capture' AND (o.status IS NULL OR o.status <> 'succeeded') LIMIT 50`,
} as const;

const COUNTS = {
  events: 'SELECT COUNT(*) AS n FROM events',
  succeededOrders: "SELECT COUNT(*) AS n FROM orders WHERE status = 'succeeded'",
  succeededPayouts: "SELECT COUNT(*) AS n FROM payouts WHERE status = 'succeeded'",
  succeededRefunds: "SELECT COUNT(*) AS n FROM refunds WHERE status = 'succeeded'",
  bankMatches: 'SELECT COUNT(*) AS n FROM bank_matches',
} as const;

const PAYOUT_QUERIES = {
  unposted: `SELECT p.payout_id FROM payouts p LEFT JOIN ledger_transactions t ON t.idempotency_key = @keyPrefix || p.payout_id
              WHERE p.status = 'succeeded' AND t.id IS NULL LIMIT 50`,
  strayPostings: `SELECT t.id, t.idempotency_key, p.status FROM ledger_transactions t
              LEFT JOIN payouts p ON p.payout_id = substr(t.idempotency_key, length(@keyPrefix) + 1)
              WHERE t.kind = 'payout.sent' AND (p.status IS NULL OR p.status <> 'succeeded') LIMIT 50`,
  owedBySeller: `SELECT seller_id, currency,
                     SUM(CASE WHEN released_at IS NOT NULL THEN amount_minor - platform_fee_minor - refunded_share_minor ELSE 0 END) AS released_minor,
                     SUM(CASE WHEN released_at IS NULL THEN amount_minor - platform_fee_minor - refunded_share_minor ELSE 0 END) AS unreleased_minor,
                     SUM(CASE WHEN released_at IS NOT NULL THEN amount_minor - platform_fee_minor - refunded_share_from_pending_minor ELSE 0 END) AS credited_minor
              FROM orders WHERE status = 'succeeded' GROUP BY seller_id, currency`,
  paidBySeller:
    "SELECT seller_id, currency, SUM(amount_minor) AS total FROM payouts WHERE status = 'succeeded' GROUP BY seller_id, currency",
  ofPsp: 'SELECT payout_id, status, amount_minor FROM payouts WHERE psp = ?',
} as const;

const REFUND_QUERIES = {
  unposted: `SELECT r.refund_id FROM refunds r LEFT JOIN ledger_transactions t ON t.idempotency_key = @keyPrefix || r.refund_id
              WHERE r.status = 'succeeded' AND t.id IS NULL LIMIT 50`,
  strayPostings: `SELECT t.id, t.idempotency_key FROM ledger_transactions t
              LEFT JOIN refunds r ON r.refund_id = substr(t.idempotency_key, length(@keyPrefix) + 1)
              WHERE t.kind = 'refund.sent' AND (r.status IS NULL OR r.status <> 'succeeded') LIMIT 50`,
  sumsByOrder: `SELECT order_id, SUM(CASE WHEN status = 'succeeded' THEN amount_minor ELSE 0 END) AS succeeded, SUM(CASE WHEN status <> 'failed' THEN amount_minor ELSE 0 END) AS reserved
              FROM refunds GROUP BY order_id`,
  chargebacksByOrder:
    'SELECT order_id, SUM(clawed_minor) AS clawed FROM chargebacks GROUP BY order_id',
  ordersWithRefunds:
    'SELECT order_id FROM orders WHERE refunded_minor <> 0 OR refund_reserved_minor <> 0',
  orderTotals:
    'SELECT amount_minor, refunded_minor, refund_reserved_minor FROM orders WHERE order_id = ?',
  unpostedChargebacks: `SELECT c.dispute_id FROM chargebacks c LEFT JOIN ledger_transactions t ON t.idempotency_key = @keyPrefix || c.dispute_id WHERE t.id IS NULL LIMIT 50`,
} as const;

const WORK_QUERIES = {
  executing: `SELECT order_id AS id, lease_owner, lease_expires_at FROM orders WHERE status = 'executing'
              UNION ALL SELECT refund_id, lease_owner, lease_expires_at FROM refunds WHERE status = 'executing'
              UNION ALL SELECT payout_id, lease_owner, lease_expires_at FROM payouts WHERE status = 'executing'`,
  openAnswers: `SELECT kind, item_id, answer_status, psp_reference, error FROM unrecorded_answers WHERE resolved_at IS NULL ORDER BY id LIMIT 50`,
  attentionWithoutAnswer: `SELECT 'charge' AS kind, order_id AS item_id, status FROM orders WHERE status = 'needs_attention'
                AND NOT EXISTS (SELECT 1 FROM unrecorded_answers u WHERE u.kind = 'charge' AND u.item_id = orders.order_id AND u.resolved_at IS NULL)
              UNION ALL SELECT 'refund', refund_id, status FROM refunds WHERE status = 'needs_attention'
                AND NOT EXISTS (SELECT 1 FROM unrecorded_answers u WHERE u.kind = 'refund' AND u.item_id = refunds.refund_id AND u.resolved_at IS NULL)
              UNION ALL SELECT 'payout', payout_id, status FROM payouts WHERE status = 'needs_attention'
                AND NOT EXISTS (SELECT 1 FROM unrecorded_answers u WHERE u.kind = 'payout' AND u.item_id = payouts.payout_id AND u.resolved_at IS NULL)
              LIMIT 50`,
  ordersOfPsp:
    'SELECT order_id, status, amount_minor, currency, psp_reference FROM orders WHERE psp = ? ORDER BY order_id',
  hasTable: "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
  firstTransaction: 'SELECT id FROM ledger_transactions LIMIT 1',
} as const;

export const IN_TRANSIT_QUERIES = {
  balances: `SELECT a.name, a.currency, COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS debit_net
    FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
    WHERE substr(a.name, 1, length(:prefix)) = :prefix OR a.name = :payouts GROUP BY a.id`,
  settled: `SELECT a.name, a.currency, SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END) AS debit_net
    FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id
    WHERE substr(a.name, 1, length(:prefix)) = :prefix AND e.tx_id IN (SELECT tx_id FROM recon_settlements WHERE tx_id IS NOT NULL) GROUP BY a.id`,
  sent: `SELECT a.name, a.currency, SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END) AS debit_net
    FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id JOIN ledger_transactions t ON t.id = e.tx_id
    WHERE a.name = :payouts AND t.kind = 'payout.sent' GROUP BY a.id`,
  matched: `SELECT payout_kind, psp, currency, SUM(amount_minor) AS amount_minor, COUNT(*) AS n FROM bank_matches GROUP BY payout_kind, psp, currency`,
  matchesByTx: `SELECT tx_id, payout_kind, psp, currency, SUM(amount_minor) AS amount_minor, group_concat(payout_ref, ', ') AS refs
    FROM bank_matches WHERE tx_id IS NOT NULL GROUP BY tx_id, payout_kind, CASE payout_kind WHEN 'psp_payout' THEN psp ELSE '' END, currency`,
  entriesByTx: `SELECT b.tx_id, b.currency, SUM(CASE b.direction WHEN 'credit' THEN b.amount_minor ELSE -b.amount_minor END) AS debit_net,
      COUNT(*) AS n, MIN(b.id) AS id, MIN(b.line) AS line, MIN(b.direction) AS direction, MIN(b.amount_minor) AS amount_minor, MIN(u.file_name) AS file_name
    FROM bank_entries b JOIN recon_runs u ON u.id = b.run_id WHERE b.tx_id IS NOT NULL GROUP BY b.tx_id, b.currency`,
  // A duplicate of an entry another file brought is the only entry never posted (src/bank/run.ts).
  unposted: `SELECT b.id, b.line, b.direction, b.amount_minor, b.currency, b.class, u.file_name
    FROM bank_entries b JOIN recon_runs u ON u.id = b.run_id WHERE b.tx_id IS NULL AND b.class <> 'duplicate' ORDER BY b.id LIMIT 20`,
  txMoved: `SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS debit_net
    FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = ? AND a.name = ? AND a.currency = ?`,
} as const;

const RECONCILE_QUERIES = {
  bankMoved: `SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS moved
     FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = ? AND a.name = ?`,
  rowsBySettlement:
    'SELECT settlement_id, SUM(net_minor) AS net, COUNT(*) AS n FROM recon_rows WHERE settlement_id IS NOT NULL GROUP BY settlement_id',
  settlements:
    'SELECT id, psp, kind, batch_id, currency, net_minor, tx_id, posted_at FROM recon_settlements ORDER BY id',
  settlementTransactions: `SELECT id, kind FROM ledger_transactions WHERE kind IN ('settlement.batch', 'settlement.row', 'settlement.record') ORDER BY id`,
  unsettledRows: `SELECT r.id, r.line, r.batch_id, u.file_name FROM recon_rows r JOIN recon_runs u ON u.id = r.run_id
       JOIN recon_batches b ON b.psp = r.psp AND b.batch_id = r.batch_id AND b.currency = r.currency
       WHERE r.class = 'matched' AND r.type <> 'payout' AND r.settlement_id IS NULL AND b.payout_minor IS NOT NULL LIMIT 20`,
  feeRuns: `SELECT f.fee_run_id AS run_id, f.currency, f.fees, u.psp, u.file_sha256 FROM
         (SELECT fee_run_id, currency, SUM(fee_minor) AS fees FROM recon_rows WHERE fee_run_id IS NOT NULL GROUP BY fee_run_id, currency) f
       JOIN recon_runs u ON u.id = f.fee_run_id`,
  transactionByKey: 'SELECT id FROM ledger_transactions WHERE idempotency_key = ?',
  pspFeesOfTx: `SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS booked
     FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = ? AND a.name = ?`,
  feesBookedTwice: `SELECT r.internal_ref FROM recon_rows r JOIN ledger_transactions t ON t.idempotency_key = @keyPrefix || substr(r.internal_ref, 9)
       WHERE r.fee_run_id IS NOT NULL AND r.type = 'capture' AND r.internal_ref LIKE 'capture:%' LIMIT 20`,
  decisions: 'SELECT id, tx_ids FROM recon_decisions',
  reconcileTransactions:
    "SELECT id, kind FROM ledger_transactions WHERE kind LIKE 'reconcile.%' ORDER BY id",
  resolvedPaidBatches: `SELECT b.psp, b.batch_id, b.currency, b.payout_minor,
              (SELECT COALESCE(SUM(s.net_minor), 0) FROM recon_settlements s
                WHERE s.psp = b.psp AND s.batch_id = b.batch_id AND s.currency = b.currency AND s.posted_at IS NOT NULL) AS settled
       FROM recon_batches b
       WHERE b.payout_minor IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM recon_items i WHERE i.psp = b.psp AND i.batch_id = b.batch_id AND i.currency = b.currency AND i.status = 'open')`,
} as const;

const COUNT_ROW = rowShape('check: a count', { n: 'bigint' });
const ID_ROW = rowShape('check: a transaction id', { id: 'bigint' });
const ANY_ROW = rowShape('check: a row', {});
const EVENT_ORDERS_ROW = rowShape('check: events missing orders', {
  event_id: 'text',
  order_count: 'bigint',
  orders: 'bigint',
});
const ORDER_ID_ROW = rowShape('check: order ids', { order_id: 'text' });
const STRAY_POSTING_ROW = rowShape('check: postings of items not succeeded', {
  id: 'bigint',
  idempotency_key: 'text',
  status: 'text?',
});
const PAYOUT_ID_ROW = rowShape('check: payout ids', { payout_id: 'text' });
const OWED_ROW = rowShape('check: owed per seller', {
  seller_id: 'text',
  currency: 'text',
  released_minor: 'bigint',
  unreleased_minor: 'bigint',
  credited_minor: 'bigint',
});
const PAID_ROW = rowShape('check: paid per seller', {
  seller_id: 'text',
  currency: 'text',
  total: 'bigint',
});
const PSP_PAYOUT_ROW = rowShape('check: payouts of a PSP', {
  payout_id: 'text',
  status: 'text',
  amount_minor: 'bigint',
});
const REFUND_ID_ROW = rowShape('check: refund ids', { refund_id: 'text' });
const REFUND_SUMS_ROW = rowShape('check: refunds per order', {
  order_id: 'text',
  succeeded: 'bigint',
  reserved: 'bigint',
});
const CLAWED_ROW = rowShape('check: chargebacks per order', { order_id: 'text', clawed: 'bigint' });
const ORDER_TOTALS_ROW = rowShape('check: order refund totals', {
  amount_minor: 'bigint',
  refunded_minor: 'bigint',
  refund_reserved_minor: 'bigint',
});
const DISPUTE_ID_ROW = rowShape('check: chargebacks without posting', { dispute_id: 'text' });
const LEASE_ROW = rowShape('check: executing leases', {
  id: 'text',
  lease_owner: 'text?',
  lease_expires_at: 'text?',
});
const OPEN_ANSWER_ROW = rowShape('check: open unrecorded answers', {
  kind: 'text',
  item_id: 'text',
  answer_status: 'text',
  psp_reference: 'text?',
  error: 'text',
});
const ATTENTION_ROW = rowShape('check: needs_attention without answer', {
  kind: 'text',
  item_id: 'text',
});
const PSP_ORDER_ROW = rowShape('check: orders of a PSP', {
  order_id: 'text',
  status: 'text',
  amount_minor: 'bigint',
  currency: 'text',
  psp_reference: 'text?',
});
const ACCOUNT_NET_ROW = rowShape('check: in-transit account sums', {
  name: 'text',
  currency: 'currency',
  debit_net: 'bigint',
});
const MATCHED_ROW = rowShape('check: bank matches per payout kind', {
  payout_kind: 'text',
  psp: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
});
const MATCH_GROUP_ROW = rowShape('check: bank matches per transaction', {
  tx_id: 'bigint',
  payout_kind: 'text',
  psp: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  refs: 'text',
});
const ENTRY_GROUP_ROW = rowShape('check: bank entries per transaction', {
  tx_id: 'bigint',
  currency: 'currency',
  debit_net: 'bigint',
  n: 'bigint',
  id: 'bigint',
  line: 'bigint',
  direction: 'text',
  amount_minor: 'bigint',
  file_name: 'text',
});
const UNPOSTED_ENTRY_ROW = rowShape('check: bank entries never posted', {
  id: 'bigint',
  line: 'bigint',
  direction: 'text',
  amount_minor: 'bigint',
  currency: 'currency',
  class: 'text',
  file_name: 'text',
});
const DEBIT_NET_ROW = rowShape('check: what a transaction moved', { debit_net: 'bigint' });
const MOVED_ROW = rowShape('check: what a settlement moved', { moved: 'bigint' });
const SETTLEMENT_ROWS_ROW = rowShape('check: rows per settlement', {
  settlement_id: 'bigint',
  net: 'bigint',
  n: 'bigint',
});
const SETTLEMENT_ROW = rowShape('check: settlements', {
  id: 'bigint',
  psp: 'text',
  kind: 'text',
  batch_id: 'text',
  currency: 'text',
  net_minor: 'bigint',
  tx_id: 'bigint?',
  posted_at: 'text?',
});
const TX_KIND_ROW = rowShape('check: transactions by kind', { id: 'bigint', kind: 'text' });
const UNSETTLED_ROW = rowShape('check: matched rows never settled', {
  id: 'bigint',
  line: 'bigint',
  batch_id: 'text',
  file_name: 'text',
});
const FEE_RUN_ROW = rowShape('check: fees per run', {
  run_id: 'bigint',
  currency: 'currency',
  fees: 'bigint',
  psp: 'text',
  file_sha256: 'text',
});
const BOOKED_ROW = rowShape('check: PSP fees booked', { booked: 'bigint' });
const INTERNAL_REF_ROW = rowShape('check: fees booked twice', { internal_ref: 'text' });
const DECISION_ROW = rowShape('check: decisions', { id: 'bigint', tx_ids: 'text' });
const PAID_BATCH_ROW = rowShape('check: resolved paid-out batches', {
  psp: 'text',
  batch_id: 'text',
  currency: 'currency',
  payout_minor: 'bigint',
  settled: 'bigint',
});

type Row<Shape> = ShapeRow<Shape>;
export type EventOrdersRow = Row<typeof EVENT_ORDERS_ROW>;
export type StrayPostingRow = Row<typeof STRAY_POSTING_ROW>;
export type OwedRow = Row<typeof OWED_ROW>;
export type LeaseRow = Row<typeof LEASE_ROW>;
export type SettlementRow = Row<typeof SETTLEMENT_ROW>;

function transactionIds(json: string, decisionId: bigint): number[] {
  const parsed: unknown = JSON.parse(json);
  if (Array.isArray(parsed) && parsed.every((id) => Number.isSafeInteger(id))) return parsed;
  throw new StorageError(
    `recon_decisions ${decisionId}: tx_ids is not a list of transaction ids (${json.slice(0, 40)})`,
    { hint: 'the database is not what this payops expects: restore it from a backup' },
  );
}

export class CheckStore {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  /** A prepared statement of this store, once per query; only reads are allowed. */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (!statement.reader) throw new Error(`check's store only reads; refused: ${sql}`);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all<Read>(shape: RowShape<Read>, sql: string, ...params: unknown[]): Read[] {
    return readRows(shape, this.statement(sql).all(...params));
  }

  private iterate<Read>(shape: RowShape<Read>, sql: string, ...params: unknown[]): Iterable<Read> {
    return iterateRows(shape, this.statement(sql).iterate(...params));
  }

  private one<Read>(shape: RowShape<Read>, sql: string, ...params: unknown[]): Read {
    return readOneRow(shape, this.statement(sql).get(...params));
  }

  count(what: keyof typeof COUNTS): bigint {
    return this.one(COUNT_ROW, COUNTS[what]).n;
  }

  /** Only a book read below a table's schema version (the migration tests' "before" side) lacks it. */
  hasTable(name: 'unrecorded_answers' | 'bank_matches'): boolean {
    return readRow(ANY_ROW, this.statement(WORK_QUERIES.hasTable).get(name)) !== undefined;
  }

  /** The first read of a snapshot: it fixes what every later read of it sees. */
  fixSnapshot(): void {
    this.statement(WORK_QUERIES.firstTransaction).get();
  }

  eventsMissingOrders(): EventOrdersRow[] {
    return this.all(EVENT_ORDERS_ROW, CHECK_QUERIES.eventsMissingOrders);
  }

  orderBirths(): Iterable<Row<typeof ORDER_BIRTH_ROW>> {
    return this.iterate(ORDER_BIRTH_ROW, BIRTH_QUERIES.allOrders);
  }

  refundBirths(): Iterable<Row<typeof REFUND_BIRTH_ROW>> {
    return this.iterate(REFUND_BIRTH_ROW, BIRTH_QUERIES.allRefunds);
  }

  succeededWithoutCapture(): { order_id: string }[] {
    return this.all(ORDER_ID_ROW, CHECK_QUERIES.succeededWithoutCapture, CAPTURE_KEY);
  }

  capturesOfUnsucceededOrders(): StrayPostingRow[] {
    return this.all(STRAY_POSTING_ROW, CHECK_QUERIES.capturesOfUnsucceededOrders, CAPTURE_KEY);
  }

  unpostedPayouts(): { payout_id: string }[] {
    return this.all(PAYOUT_ID_ROW, PAYOUT_QUERIES.unposted, PAYOUT_SENT_KEY);
  }

  strayPayoutPostings(): StrayPostingRow[] {
    return this.all(STRAY_POSTING_ROW, PAYOUT_QUERIES.strayPostings, PAYOUT_SENT_KEY);
  }

  owedBySeller(): Iterable<OwedRow> {
    return this.iterate(OWED_ROW, PAYOUT_QUERIES.owedBySeller);
  }

  paidBySeller(): Iterable<Row<typeof PAID_ROW>> {
    return this.iterate(PAID_ROW, PAYOUT_QUERIES.paidBySeller);
  }

  payoutsOfPsp(psp: string): Row<typeof PSP_PAYOUT_ROW>[] {
    return this.all(PSP_PAYOUT_ROW, PAYOUT_QUERIES.ofPsp, psp);
  }

  unpostedRefunds(): { refund_id: string }[] {
    return this.all(REFUND_ID_ROW, REFUND_QUERIES.unposted, REFUND_SENT_KEY);
  }

  strayRefundPostings(): { id: bigint; idempotency_key: string }[] {
    return this.all(STRAY_POSTING_ROW, REFUND_QUERIES.strayPostings, REFUND_SENT_KEY);
  }

  refundSumsByOrder(): Iterable<Row<typeof REFUND_SUMS_ROW>> {
    return this.iterate(REFUND_SUMS_ROW, REFUND_QUERIES.sumsByOrder);
  }

  chargebacksByOrder(): Iterable<Row<typeof CLAWED_ROW>> {
    return this.iterate(CLAWED_ROW, REFUND_QUERIES.chargebacksByOrder);
  }

  ordersWithRefunds(): Iterable<{ order_id: string }> {
    return this.iterate(ORDER_ID_ROW, REFUND_QUERIES.ordersWithRefunds);
  }

  orderTotals(orderId: string): Row<typeof ORDER_TOTALS_ROW> | undefined {
    return readRow(ORDER_TOTALS_ROW, this.statement(REFUND_QUERIES.orderTotals).get(orderId));
  }

  unpostedChargebacks(): { dispute_id: string }[] {
    return this.all(DISPUTE_ID_ROW, REFUND_QUERIES.unpostedChargebacks, CHARGEBACK_KEY);
  }

  executingLeases(): LeaseRow[] {
    return this.all(LEASE_ROW, WORK_QUERIES.executing);
  }

  openUnrecordedAnswers(): Row<typeof OPEN_ANSWER_ROW>[] {
    return this.all(OPEN_ANSWER_ROW, WORK_QUERIES.openAnswers);
  }

  attentionWithoutAnswer(): Row<typeof ATTENTION_ROW>[] {
    return this.all(ATTENTION_ROW, WORK_QUERIES.attentionWithoutAnswer);
  }

  /** Sorted by order id, streamed: the merge join with the PSP's charges keeps memory flat. */
  ordersOfPsp(psp: string): Iterable<Row<typeof PSP_ORDER_ROW>> {
    return this.iterate(PSP_ORDER_ROW, WORK_QUERIES.ordersOfPsp, psp);
  }

  transitBalances(names: { prefix: string; payouts: string }): Row<typeof ACCOUNT_NET_ROW>[] {
    return this.all(ACCOUNT_NET_ROW, IN_TRANSIT_QUERIES.balances, names);
  }

  transitSettled(prefix: string): Row<typeof ACCOUNT_NET_ROW>[] {
    return this.all(ACCOUNT_NET_ROW, IN_TRANSIT_QUERIES.settled, { prefix });
  }

  transitSent(payouts: string): Row<typeof ACCOUNT_NET_ROW>[] {
    return this.all(ACCOUNT_NET_ROW, IN_TRANSIT_QUERIES.sent, { payouts });
  }

  bankMatchesByKind(): Row<typeof MATCHED_ROW>[] {
    return this.all(MATCHED_ROW, IN_TRANSIT_QUERIES.matched);
  }

  bankMatchesByTx(): Row<typeof MATCH_GROUP_ROW>[] {
    return this.all(MATCH_GROUP_ROW, IN_TRANSIT_QUERIES.matchesByTx);
  }

  bankEntriesByTx(): Row<typeof ENTRY_GROUP_ROW>[] {
    return this.all(ENTRY_GROUP_ROW, IN_TRANSIT_QUERIES.entriesByTx);
  }

  unpostedBankEntries(): Row<typeof UNPOSTED_ENTRY_ROW>[] {
    return this.all(UNPOSTED_ENTRY_ROW, IN_TRANSIT_QUERIES.unposted);
  }

  /** What transaction `txId` moved on the account, as debits less credits. */
  movedOn(txId: bigint, account: string, currency: string): bigint {
    return this.one(DEBIT_NET_ROW, IN_TRANSIT_QUERIES.txMoved, txId, account, currency).debit_net;
  }

  /** What transaction `txId` moved on the account, whatever its currency. */
  movedOnAnyCurrency(txId: bigint, account: string): bigint {
    return this.one(MOVED_ROW, RECONCILE_QUERIES.bankMoved, txId, account).moved;
  }

  rowsBySettlement(): Iterable<Row<typeof SETTLEMENT_ROWS_ROW>> {
    return this.iterate(SETTLEMENT_ROWS_ROW, RECONCILE_QUERIES.rowsBySettlement);
  }

  settlements(): SettlementRow[] {
    return this.all(SETTLEMENT_ROW, RECONCILE_QUERIES.settlements);
  }

  settlementTransactions(): Row<typeof TX_KIND_ROW>[] {
    return this.all(TX_KIND_ROW, RECONCILE_QUERIES.settlementTransactions);
  }

  unsettledRows(): Row<typeof UNSETTLED_ROW>[] {
    return this.all(UNSETTLED_ROW, RECONCILE_QUERIES.unsettledRows);
  }

  feeRuns(): Row<typeof FEE_RUN_ROW>[] {
    return this.all(FEE_RUN_ROW, RECONCILE_QUERIES.feeRuns);
  }

  transactionIdByKey(idempotencyKey: string): bigint | undefined {
    return readRow(ID_ROW, this.statement(RECONCILE_QUERIES.transactionByKey).get(idempotencyKey))
      ?.id;
  }

  pspFeesOf(txId: bigint): bigint {
    return this.one(BOOKED_ROW, RECONCILE_QUERIES.pspFeesOfTx, txId, pspFees).booked;
  }

  feesBookedTwice(): { internal_ref: string }[] {
    return this.all(INTERNAL_REF_ROW, RECONCILE_QUERIES.feesBookedTwice, PSP_FEE_KEY);
  }

  /** Each decision with the ids of the transactions it posted (a JSON list in the row). */
  decisions(): { id: bigint; txIds: number[] }[] {
    return this.all(DECISION_ROW, RECONCILE_QUERIES.decisions).map((row) => ({
      id: row.id,
      txIds: transactionIds(row.tx_ids, row.id),
    }));
  }

  reconcileTransactions(): Row<typeof TX_KIND_ROW>[] {
    return this.all(TX_KIND_ROW, RECONCILE_QUERIES.reconcileTransactions);
  }

  resolvedPaidBatches(): Row<typeof PAID_BATCH_ROW>[] {
    return this.all(PAID_BATCH_ROW, RECONCILE_QUERIES.resolvedPaidBatches);
  }
}

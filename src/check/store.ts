import {
  BIRTH_QUERIES,
  type Database,
  ORDER_BIRTH_ROW,
  type OrderBirthRow,
  REFUND_BIRTH_ROW,
  type RefundBirthRow,
  type RowShape,
  type Statement,
  iterateRows,
  readOneRow,
  readRow,
  readRows,
} from '../db/index.js';
import { StorageError } from '../errors.js';
import type { AccountBalance } from '../ledger/balances.js';
import { balances } from '../ledger/sqlite-ledger-reads.js';
import { SqliteLedgerVerifyReads, asyncRows } from '../ledger/sqlite-verify-reads.js';
import type { VerifyAccountRow, VerifyEntryRow } from '../ledger/verify.js';
import type { TransactionRow } from '../ledger/rows.js';
import { type WalletBalance, Wallets } from '../wallet/wallet-store.js';
import {
  captureKey,
  chargebackKey,
  payoutSentKey,
  pspFeeKey,
  pspFees,
  refundSentKey,
} from '../postings/index.js';
import {
  ACCOUNT_NET_ROW,
  ANY_ROW,
  ATTENTION_ROW,
  BOOKED_ROW,
  CLAWED_ROW,
  COUNT_ROW,
  DEBIT_NET_ROW,
  DECISION_ROW,
  DISPUTE_ID_ROW,
  ENTRY_GROUP_ROW,
  EVENT_ORDERS_ROW,
  FEE_RUN_ROW,
  ID_ROW,
  INTERNAL_REF_ROW,
  LEASE_ROW,
  MATCHED_ROW,
  MATCH_GROUP_ROW,
  MOVED_ROW,
  OPEN_ANSWER_ROW,
  ORDER_ID_ROW,
  ORDER_TOTALS_ROW,
  OWED_ROW,
  PAID_BATCH_ROW,
  PAID_ROW,
  PAYOUT_ID_ROW,
  PSP_ORDER_ROW,
  PSP_PAYOUT_ROW,
  REFUND_ID_ROW,
  REFUND_SUMS_ROW,
  SETTLEMENT_ROW,
  SETTLEMENT_ROWS_ROW,
  STRAY_POSTING_ROW,
  TX_KIND_ROW,
  UNPOSTED_ENTRY_ROW,
  UNSETTLED_ROW,
  type AccountNetRow,
  type AttentionRow,
  type ClawedRow,
  type DisputeIdRow,
  type EntryGroupRow,
  type EventOrdersRow,
  type FeeRunRow,
  type InternalRefRow,
  type LeaseRow,
  type MatchGroupRow,
  type MatchedRow,
  type OpenAnswerRow,
  type OrderIdRow,
  type OrderTotalsRow,
  type OwedRow,
  type PaidBatchRow,
  type PaidRow,
  type PayoutIdRow,
  type PspOrderRow,
  type PspPayoutRow,
  type RefundIdRow,
  type RefundSumsRow,
  type SettlementRow,
  type SettlementRowsRow,
  type StrayPostingRow,
  type TxKindRow,
  type UnpostedEntryRow,
  type UnsettledRow,
} from './check-rows.js';
import type { CheckCount, CheckReads } from './check-source.js';

/**
 * check's own read-only store on SQLite (the `CheckReads` of check-source.ts): every query
 * `payops check` makes of the books, with its rows checked as they are read. The auditor asks no
 * service: it recomputes each invariant from the rows with its own SQL, so a bug in a service's
 * reads cannot hide the bug it should find. Two reads are still another folder's, called here on
 * the same connection and snapshot: the ledger's balances and the wallets (`Wallets.all`); the
 * journal's are the ledger verification's (src/ledger/sqlite-verify-reads.ts).
 *
 * Read-only by construction: `statement` refuses any statement that returns no rows (an
 * INSERT, UPDATE, DELETE or DDL), a programmer error that fails loudly. The connection itself is
 * the caller's (`payops check` opens the books; SqliteCheckSource runs the checks on one read
 * snapshot of them): opening it read-only is the CLI's choice, not this store's.
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

const COUNTS: Readonly<Record<CheckCount, string>> = {
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

function transactionIds(json: string, decisionId: bigint): number[] {
  const parsed: unknown = JSON.parse(json);
  if (Array.isArray(parsed) && parsed.every((id) => Number.isSafeInteger(id))) return parsed;
  throw new StorageError(
    `recon_decisions ${decisionId}: tx_ids is not a list of transaction ids (${json.slice(0, 40)})`,
    { hint: 'the database is not what this payops expects: restore it from a backup' },
  );
}

export class CheckStore implements CheckReads {
  private readonly statements = new Map<string, Statement>();
  private readonly journal: SqliteLedgerVerifyReads;

  constructor(private readonly db: Database) {
    this.journal = new SqliteLedgerVerifyReads(db);
  }

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

  /** Streamed: the statement's cursor is stepped as the consumer asks, so memory stays flat. */
  private iterate<Read>(
    shape: RowShape<Read>,
    sql: string,
    ...params: unknown[]
  ): AsyncIterable<Read> {
    return asyncRows(() => iterateRows(shape, this.statement(sql).iterate(...params)));
  }

  private one<Read>(shape: RowShape<Read>, sql: string, ...params: unknown[]): Read {
    return readOneRow(shape, this.statement(sql).get(...params));
  }

  async count(what: CheckCount): Promise<bigint> {
    return this.one(COUNT_ROW, COUNTS[what]).n;
  }

  /** Only a book read below a table's schema version (the migration tests' "before" side) lacks it. */
  async hasTable(name: 'unrecorded_answers' | 'bank_matches'): Promise<boolean> {
    return readRow(ANY_ROW, this.statement(WORK_QUERIES.hasTable).get(name)) !== undefined;
  }

  /** The ledger's own balances (src/ledger/balances.ts), as `ledger balance` reads them. */
  async ledgerBalances(query?: {
    accountPrefix?: string;
    includeZero?: boolean;
  }): Promise<AccountBalance[]> {
    return balances(this.db, query);
  }

  async wallets(): Promise<WalletBalance[]> {
    return new Wallets(this.db).all();
  }

  verifyAccounts(): AsyncIterable<VerifyAccountRow> {
    return this.journal.verifyAccounts();
  }

  journalTransactions(): AsyncIterable<TransactionRow> {
    return this.journal.journalTransactions();
  }

  journalEntries(): AsyncIterable<VerifyEntryRow> {
    return this.journal.journalEntries();
  }

  /** The first read of a snapshot: it fixes what every later read of it sees. */
  async fixSnapshot(): Promise<void> {
    this.statement(WORK_QUERIES.firstTransaction).get();
  }

  async eventsMissingOrders(): Promise<EventOrdersRow[]> {
    return this.all(EVENT_ORDERS_ROW, CHECK_QUERIES.eventsMissingOrders);
  }

  orderBirths(): AsyncIterable<OrderBirthRow> {
    return this.iterate(ORDER_BIRTH_ROW, BIRTH_QUERIES.allOrders);
  }

  refundBirths(): AsyncIterable<RefundBirthRow> {
    return this.iterate(REFUND_BIRTH_ROW, BIRTH_QUERIES.allRefunds);
  }

  async succeededWithoutCapture(): Promise<OrderIdRow[]> {
    return this.all(ORDER_ID_ROW, CHECK_QUERIES.succeededWithoutCapture, CAPTURE_KEY);
  }

  async capturesOfUnsucceededOrders(): Promise<StrayPostingRow[]> {
    return this.all(STRAY_POSTING_ROW, CHECK_QUERIES.capturesOfUnsucceededOrders, CAPTURE_KEY);
  }

  async unpostedPayouts(): Promise<PayoutIdRow[]> {
    return this.all(PAYOUT_ID_ROW, PAYOUT_QUERIES.unposted, PAYOUT_SENT_KEY);
  }

  async strayPayoutPostings(): Promise<StrayPostingRow[]> {
    return this.all(STRAY_POSTING_ROW, PAYOUT_QUERIES.strayPostings, PAYOUT_SENT_KEY);
  }

  owedBySeller(): AsyncIterable<OwedRow> {
    return this.iterate(OWED_ROW, PAYOUT_QUERIES.owedBySeller);
  }

  paidBySeller(): AsyncIterable<PaidRow> {
    return this.iterate(PAID_ROW, PAYOUT_QUERIES.paidBySeller);
  }

  async payoutsOfPsp(psp: string): Promise<PspPayoutRow[]> {
    return this.all(PSP_PAYOUT_ROW, PAYOUT_QUERIES.ofPsp, psp);
  }

  async unpostedRefunds(): Promise<RefundIdRow[]> {
    return this.all(REFUND_ID_ROW, REFUND_QUERIES.unposted, REFUND_SENT_KEY);
  }

  async strayRefundPostings(): Promise<{ id: bigint; idempotency_key: string }[]> {
    return this.all(STRAY_POSTING_ROW, REFUND_QUERIES.strayPostings, REFUND_SENT_KEY);
  }

  refundSumsByOrder(): AsyncIterable<RefundSumsRow> {
    return this.iterate(REFUND_SUMS_ROW, REFUND_QUERIES.sumsByOrder);
  }

  chargebacksByOrder(): AsyncIterable<ClawedRow> {
    return this.iterate(CLAWED_ROW, REFUND_QUERIES.chargebacksByOrder);
  }

  ordersWithRefunds(): AsyncIterable<OrderIdRow> {
    return this.iterate(ORDER_ID_ROW, REFUND_QUERIES.ordersWithRefunds);
  }

  async orderTotals(orderId: string): Promise<OrderTotalsRow | undefined> {
    return readRow(ORDER_TOTALS_ROW, this.statement(REFUND_QUERIES.orderTotals).get(orderId));
  }

  async unpostedChargebacks(): Promise<DisputeIdRow[]> {
    return this.all(DISPUTE_ID_ROW, REFUND_QUERIES.unpostedChargebacks, CHARGEBACK_KEY);
  }

  async executingLeases(): Promise<LeaseRow[]> {
    return this.all(LEASE_ROW, WORK_QUERIES.executing);
  }

  async openUnrecordedAnswers(): Promise<OpenAnswerRow[]> {
    return this.all(OPEN_ANSWER_ROW, WORK_QUERIES.openAnswers);
  }

  async attentionWithoutAnswer(): Promise<AttentionRow[]> {
    return this.all(ATTENTION_ROW, WORK_QUERIES.attentionWithoutAnswer);
  }

  /** Sorted by order id, streamed: the merge join with the PSP's charges keeps memory flat. */
  ordersOfPsp(psp: string): AsyncIterable<PspOrderRow> {
    return this.iterate(PSP_ORDER_ROW, WORK_QUERIES.ordersOfPsp, psp);
  }

  async transitBalances(names: { prefix: string; payouts: string }): Promise<AccountNetRow[]> {
    return this.all(ACCOUNT_NET_ROW, IN_TRANSIT_QUERIES.balances, names);
  }

  async transitSettled(prefix: string): Promise<AccountNetRow[]> {
    return this.all(ACCOUNT_NET_ROW, IN_TRANSIT_QUERIES.settled, { prefix });
  }

  async transitSent(payouts: string): Promise<AccountNetRow[]> {
    return this.all(ACCOUNT_NET_ROW, IN_TRANSIT_QUERIES.sent, { payouts });
  }

  async bankMatchesByKind(): Promise<MatchedRow[]> {
    return this.all(MATCHED_ROW, IN_TRANSIT_QUERIES.matched);
  }

  async bankMatchesByTx(): Promise<MatchGroupRow[]> {
    return this.all(MATCH_GROUP_ROW, IN_TRANSIT_QUERIES.matchesByTx);
  }

  async bankEntriesByTx(): Promise<EntryGroupRow[]> {
    return this.all(ENTRY_GROUP_ROW, IN_TRANSIT_QUERIES.entriesByTx);
  }

  async unpostedBankEntries(): Promise<UnpostedEntryRow[]> {
    return this.all(UNPOSTED_ENTRY_ROW, IN_TRANSIT_QUERIES.unposted);
  }

  /** What transaction `txId` moved on the account, as debits less credits. */
  async movedOn(txId: bigint, account: string, currency: string): Promise<bigint> {
    return this.one(DEBIT_NET_ROW, IN_TRANSIT_QUERIES.txMoved, txId, account, currency).debit_net;
  }

  /** What transaction `txId` moved on the account, whatever its currency. */
  async movedOnAnyCurrency(txId: bigint, account: string): Promise<bigint> {
    return this.one(MOVED_ROW, RECONCILE_QUERIES.bankMoved, txId, account).moved;
  }

  rowsBySettlement(): AsyncIterable<SettlementRowsRow> {
    return this.iterate(SETTLEMENT_ROWS_ROW, RECONCILE_QUERIES.rowsBySettlement);
  }

  async settlements(): Promise<SettlementRow[]> {
    return this.all(SETTLEMENT_ROW, RECONCILE_QUERIES.settlements);
  }

  async settlementTransactions(): Promise<TxKindRow[]> {
    return this.all(TX_KIND_ROW, RECONCILE_QUERIES.settlementTransactions);
  }

  async unsettledRows(): Promise<UnsettledRow[]> {
    return this.all(UNSETTLED_ROW, RECONCILE_QUERIES.unsettledRows);
  }

  async feeRuns(): Promise<FeeRunRow[]> {
    return this.all(FEE_RUN_ROW, RECONCILE_QUERIES.feeRuns);
  }

  async transactionIdByKey(idempotencyKey: string): Promise<bigint | undefined> {
    return readRow(ID_ROW, this.statement(RECONCILE_QUERIES.transactionByKey).get(idempotencyKey))
      ?.id;
  }

  async pspFeesOf(txId: bigint): Promise<bigint> {
    return this.one(BOOKED_ROW, RECONCILE_QUERIES.pspFeesOfTx, txId, pspFees).booked;
  }

  async feesBookedTwice(): Promise<InternalRefRow[]> {
    return this.all(INTERNAL_REF_ROW, RECONCILE_QUERIES.feesBookedTwice, PSP_FEE_KEY);
  }

  /** Each decision with the ids of the transactions it posted (a JSON list in the row). */
  async decisions(): Promise<{ id: bigint; txIds: number[] }[]> {
    return this.all(DECISION_ROW, RECONCILE_QUERIES.decisions).map((row) => ({
      id: row.id,
      txIds: transactionIds(row.tx_ids, row.id),
    }));
  }

  async reconcileTransactions(): Promise<TxKindRow[]> {
    return this.all(TX_KIND_ROW, RECONCILE_QUERIES.reconcileTransactions);
  }

  async resolvedPaidBatches(): Promise<PaidBatchRow[]> {
    return this.all(PAID_BATCH_ROW, RECONCILE_QUERIES.resolvedPaidBatches);
  }
}

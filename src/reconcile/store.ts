import {
  type Database,
  type ShapeRow,
  type Statement,
  readOneRow,
  readRow,
  readRows,
  rowShape,
} from '../db/index.js';
import type { BankItemView } from '../bank-item-view.js';
import { StorageError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { CLASSES, ITEM_CLASSES, type ItemClass, type ReconClass } from './classes.js';
import { SETTLEMENT_ROW_TYPES, type SettlementRow } from './types.js';

/** One side of an item as the review shows it; amounts are minor units as decimal strings (JSON). */
export interface SideView {
  /** "payops", or "FILE:LINE" of the settlement row. */
  source: string;
  type: string;
  /** The PSP's reference (charge, refund, dispute, payout id). */
  reference: string | null;
  /** The order id: ours, or the merchant reference the PSP sent. */
  order: string | null;
  batch: string | null;
  currency: Currency;
  grossMinor: string;
  feeMinor: string | null;
  netMinor: string | null;
  status: string;
  at: string | null;
}

export interface BatchView {
  batchId: string;
  currency: Currency;
  /** What the PSP paid to the bank. */
  payoutMinor: string;
  /** What the batch's rows add up to (their net). */
  rowsNetMinor: string;
  /** What the books have moved to the bank for this batch so far. */
  settledMinor: string;
  openRowItems: number;
}

export interface ItemDetail {
  ours: SideView | null;
  theirs: SideView | null;
  batch?: BatchView;
  bank?: BankItemView;
  /** Why this class, in a sentence (e.g. "payops has the order as failed"). */
  why: string;
}

export interface ItemRecord {
  id: bigint;
  itemId: string;
  psp: string;
  subject: string;
  class: ItemClass;
  status: 'open' | 'resolved';
  rowId: bigint | null;
  internalRef: string | null;
  probableRef: string | null;
  batchId: string | null;
  currency: Currency;
  amountMinor: bigint;
  detail: ItemDetail;
  firstRunId: bigint;
  lastRunId: bigint;
  resolvedRunId: bigint | null;
  resolution: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface StoredRow extends SettlementRow {
  id: bigint;
  runId: bigint;
  psp: string;
  class: ReconClass | 'unclassified';
  paired: boolean;
  internalRef: string | null;
  itemId: bigint | null;
  feeRunId: bigint | null;
  settlementId: bigint | null;
  fileName: string;
  fileSha256: string;
}

export interface BatchRecord {
  psp: string;
  batchId: string;
  currency: Currency;
  rowCount: bigint;
  capturesMinor: bigint;
  refundsMinor: bigint;
  chargebacksMinor: bigint;
  otherMinor: bigint;
  feesMinor: bigint;
  rowsNetMinor: bigint;
  payoutRows: bigint;
  payoutMinor: bigint | null;
  payoutRowId: bigint | null;
  firstRunId: bigint;
}

/** Sums of one batch's rows seen in one run, added to recon_batches at the end of it (a payout of 0 when none was seen). */
export type BatchDelta = Omit<BatchRecord, 'psp' | 'firstRunId' | 'payoutMinor'> & {
  payoutMinor: bigint;
};

export function emptyBatchDelta(batchId: string, currency: Currency): BatchDelta {
  return {
    batchId,
    currency,
    rowCount: 0n,
    capturesMinor: 0n,
    refundsMinor: 0n,
    chargebacksMinor: 0n,
    otherMinor: 0n,
    feesMinor: 0n,
    rowsNetMinor: 0n,
    payoutRows: 0n,
    payoutMinor: 0n,
    payoutRowId: null,
  };
}

export interface SettlementRecord {
  id: bigint;
  psp: string;
  batchId: string;
  currency: Currency;
  kind: 'rows' | 'row' | 'record' | 'residual';
  runId: bigint | null;
  itemId: bigint | null;
  netMinor: bigint;
  txId: bigint | null;
}

export interface DecisionRecord {
  id: bigint;
  itemId: string;
  itemRowId: bigint;
  action: 'accept' | 'write_off' | 'link' | 'note' | 'write_back';
  class: ItemClass;
  rule: string | null;
  runId: bigint | null;
  decidedBy: string;
  decidedAt: string;
  note: string;
  linkedTo: string | null;
  txIds: number[];
  currency: Currency;
  subject: string;
}

export interface RunRecord {
  id: bigint;
  psp: string;
  fileSha256: string;
  fileName: string;
  fileBytes: bigint;
  format: string;
  rowsRead: bigint;
  rowsRejected: bigint;
  periodEnd: string | null;
  graceDays: number;
  rules: string;
  runBy: string;
  startedAt: string;
  finishedAt: string | null;
  summary: string | null;
}

const ROW_COLUMNS = [
  'id',
  'run_id',
  'psp',
  'line',
  'type',
  'psp_reference',
  'merchant_reference',
  'batch_id',
  'currency',
  'gross_minor',
  'fee_minor',
  'net_minor',
  'occurred_at',
  'available_on',
  'provider_type',
  'class',
  'paired',
  'internal_ref',
  'item_id',
  'fee_run_id',
  'settlement_id',
] as const;
const ROWS_PER_INSERT = 100;

/**
 * Writes a run's new rows a hundred to a statement: one call into SQLite per hundred rows, and no
 * object built per row, which is most of the cost of storing a million of them. `flush` before
 * anything reads the rows back.
 */
export class RowWriter {
  private readonly values: unknown[] = [];
  private readonly statements = new Map<number, Statement>();

  constructor(
    private readonly db: Database,
    private readonly runId: bigint,
    private readonly psp: string,
  ) {}

  add(
    id: bigint,
    row: SettlementRow,
    rowClass: ReconClass | 'unclassified',
    paired: boolean,
    internalRef: string | null,
    itemId: bigint | null,
    feeRunId: bigint | null,
    settlementId: bigint | null,
  ): void {
    this.values.push(
      id,
      this.runId,
      this.psp,
      row.line,
      row.type,
      row.pspReference,
      row.merchantReference,
      row.batchId,
      row.currency,
      row.grossMinor,
      row.feeMinor,
      row.netMinor,
      row.occurredAt,
      row.availableOn,
      row.providerType,
      rowClass,
      paired ? 1 : 0,
      internalRef,
      itemId,
      feeRunId,
      settlementId,
    );
    if (this.values.length === ROWS_PER_INSERT * ROW_COLUMNS.length) this.flush();
  }

  flush(): void {
    const rows = this.values.length / ROW_COLUMNS.length;
    if (rows === 0) return;
    this.statement(rows).run(this.values);
    this.values.length = 0;
  }

  private statement(rows: number): Statement {
    let statement = this.statements.get(rows);
    if (!statement) {
      const tuple = `(${ROW_COLUMNS.map(() => '?').join(', ')})`;
      statement = this.db.prepare(
        `INSERT INTO recon_rows (${ROW_COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`,
      );
      this.statements.set(rows, statement);
    }
    return statement;
  }
}

/**
 * All SQL of reconciliation's own tables. The caller holds the transaction; every method is a
 * step inside one.
 */
export class ReconStore {
  private readonly s: Record<string, Statement>;
  private nextRowId: bigint | undefined;

  constructor(db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      runBySha: prepare('SELECT * FROM recon_runs WHERE file_sha256 = ?'),
      runById: prepare('SELECT * FROM recon_runs WHERE id = ?'),
      latestRun: prepare('SELECT * FROM recon_runs ORDER BY id DESC LIMIT 1'),
      insertRun: prepare(
        `INSERT INTO recon_runs (psp, file_sha256, file_name, file_bytes, format, grace_days, rules, run_by, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      finishRun: prepare(
        'UPDATE recon_runs SET rows_read = ?, rows_rejected = ?, period_end = ?, finished_at = ?, summary = ? WHERE id = ?',
      ),
      maxRowId: prepare('SELECT COALESCE(MAX(id), 0) AS id FROM recon_rows'),
      classifyRow: prepare(
        'UPDATE recon_rows SET class = ?, paired = ?, internal_ref = ?, item_id = ? WHERE id = ?',
      ),
      settleRow: prepare(
        'UPDATE recon_rows SET settlement_id = ? WHERE id = ? AND settlement_id IS NULL',
      ),
      bookRowFee: prepare(
        'UPDATE recon_rows SET fee_run_id = ? WHERE id = ? AND fee_run_id IS NULL',
      ),
      rowById: prepare(
        `SELECT r.*, u.file_name, u.file_sha256 FROM recon_rows r JOIN recon_runs u ON u.id = r.run_id WHERE r.id = ?`,
      ),
      // IN (json_each): the reference index is probed once per reference; a JOIN let the planner
      // scan every stored row of the PSP per chunk instead.
      originalRows: prepare(
        `SELECT type, psp_reference, MIN(id) AS id FROM recon_rows
         WHERE psp = ? AND psp_reference IN (SELECT value FROM json_each(?)) GROUP BY type, psp_reference`,
      ),
      unclassifiedRows: prepare(
        "SELECT id FROM recon_rows WHERE run_id = ? AND id > ? AND class = 'unclassified' ORDER BY id LIMIT 1000",
      ),
      pairedRowOfRecord: prepare(
        'SELECT id FROM recon_rows WHERE psp = ? AND internal_ref = ? AND paired = 1 AND id <> ? LIMIT 1',
      ),
      itemByItemId: prepare('SELECT * FROM recon_items WHERE item_id = ?'),
      itemById: prepare('SELECT * FROM recon_items WHERE id = ?'),
      insertItem: prepare(
        `INSERT INTO recon_items (item_id, psp, subject, class, status, row_id, internal_ref, probable_ref, batch_id, currency, amount_minor, detail,
                                  first_run_id, last_run_id, updated_at)
         VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateItem: prepare(
        `UPDATE recon_items SET class = ?, status = 'open', row_id = ?, internal_ref = ?, probable_ref = ?, batch_id = ?, currency = ?, amount_minor = ?, detail = ?,
                last_run_id = COALESCE(?, last_run_id), resolved_run_id = NULL, resolution = NULL, resolved_at = NULL, resolved_by = NULL, updated_at = ?
         WHERE id = ?`,
      ),
      resolveItem: prepare(
        `UPDATE recon_items SET status = 'resolved', resolved_run_id = ?, resolution = ?, resolved_at = ?, resolved_by = ?, updated_at = ?
         WHERE id = ? AND status = 'open'`,
      ),
      openItems: prepare("SELECT * FROM recon_items WHERE psp = ? AND status = 'open' ORDER BY id"),
      openItemsAll: prepare("SELECT * FROM recon_items WHERE status = 'open' ORDER BY id"),
      resolvedItemsOfRecord: prepare(
        "SELECT * FROM recon_items WHERE internal_ref = ? AND status = 'resolved' ORDER BY id",
      ),
      openItemsOfBatch: prepare(
        `SELECT COUNT(*) AS n FROM recon_items WHERE psp = ? AND batch_id = ? AND currency = ? AND status = 'open' AND class <> 'batch_total_mismatch'`,
      ),
      itemLife: prepare(
        `INSERT INTO recon_item_runs (run_id, item_id, life, class) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id, item_id) DO UPDATE SET
           life = CASE WHEN recon_item_runs.life = 'new' AND excluded.life = 'persisting' THEN 'new'
                       WHEN recon_item_runs.life = 'new' AND excluded.life = 'resolved' THEN 'resolved'
                       ELSE excluded.life END,
           class = excluded.class`,
      ),
      upsertBatch: prepare(
        `INSERT INTO recon_batches (psp, batch_id, currency, row_count, captures_minor, refunds_minor, chargebacks_minor, other_minor, fees_minor, rows_net_minor,
                                    payout_rows, payout_minor, payout_row_id, first_run_id)
         VALUES (@psp, @batchId, @currency, @rowCount, @capturesMinor, @refundsMinor, @chargebacksMinor, @otherMinor, @feesMinor, @rowsNetMinor,
                 @payoutRows, CASE WHEN @payoutRows > 0 THEN @payoutMinor END, @payoutRowId, @runId)
         ON CONFLICT (psp, batch_id, currency) DO UPDATE SET
           row_count = row_count + excluded.row_count, captures_minor = captures_minor + excluded.captures_minor,
           refunds_minor = refunds_minor + excluded.refunds_minor, chargebacks_minor = chargebacks_minor + excluded.chargebacks_minor,
           other_minor = other_minor + excluded.other_minor, fees_minor = fees_minor + excluded.fees_minor,
           rows_net_minor = rows_net_minor + excluded.rows_net_minor, payout_rows = payout_rows + excluded.payout_rows,
           payout_minor = CASE WHEN excluded.payout_rows > 0 THEN COALESCE(payout_minor, 0) + excluded.payout_minor ELSE payout_minor END,
           payout_row_id = COALESCE(payout_row_id, excluded.payout_row_id)`,
      ),
      batch: prepare('SELECT * FROM recon_batches WHERE psp = ? AND batch_id = ? AND currency = ?'),
      insertSettlement: prepare(
        `INSERT INTO recon_settlements (psp, batch_id, currency, kind, run_id, item_id, net_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      addToSettlement: prepare(
        'UPDATE recon_settlements SET net_minor = net_minor + ? WHERE id = ? AND posted_at IS NULL',
      ),
      postSettlement: prepare(
        'UPDATE recon_settlements SET tx_id = ?, posted_at = ? WHERE id = ? AND posted_at IS NULL',
      ),
      unpostedSettlementsOfBatch: prepare(
        'SELECT * FROM recon_settlements WHERE psp = ? AND batch_id = ? AND currency = ? AND posted_at IS NULL ORDER BY id',
      ),
      settledOfBatch: prepare(
        'SELECT COALESCE(SUM(net_minor), 0) AS total FROM recon_settlements WHERE psp = ? AND batch_id = ? AND currency = ?',
      ),
      insertDecision: prepare(
        `INSERT INTO recon_decisions (item_id, action, class, rule, run_id, decided_by, decided_at, note, linked_to, tx_ids)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      decisionsOfItem: prepare('SELECT * FROM recon_decisions WHERE item_id = ? ORDER BY id'),
      lastDecisionOfItem: prepare(
        'SELECT action, class, decided_by FROM recon_decisions WHERE item_id = ? ORDER BY id DESC LIMIT 1',
      ),
      recordItems: prepare(
        'SELECT * FROM recon_items WHERE psp = ? AND internal_ref IS NOT NULL AND row_id IS NULL ORDER BY id',
      ),
      rowTallies: prepare(
        `SELECT class, paired, currency, type = 'payout' AS payout, COUNT(*) AS n, SUM(gross_minor) AS gross FROM recon_rows
         WHERE id BETWEEN ? AND ? GROUP BY class, paired, currency, type = 'payout'`,
      ),
      rowItemMoney: prepare(
        `SELECT r.class, i.currency, SUM(i.amount_minor) AS amount FROM recon_rows r JOIN recon_items i ON i.id = r.item_id
         WHERE r.id BETWEEN ? AND ? AND r.class <> 'matched' GROUP BY r.class, i.currency`,
      ),
      recordItemsOfRun: prepare(
        `SELECT i.* FROM recon_item_runs l JOIN recon_items i ON i.id = l.item_id
         WHERE l.run_id = ? AND l.life <> 'resolved' AND i.row_id IS NULL AND i.status = 'open' ORDER BY i.id`,
      ),
      lifeOfRun: prepare(
        'SELECT life, COUNT(*) AS n FROM recon_item_runs WHERE run_id = ? GROUP BY life',
      ),
      itemsOfRun: prepare(
        'SELECT i.* FROM recon_item_runs l JOIN recon_items i ON i.id = l.item_id WHERE l.run_id = ? ORDER BY i.id',
      ),
      decisions: prepare(
        `SELECT d.*, i.item_id AS item_key, i.subject, i.currency FROM recon_decisions d JOIN recon_items i ON i.id = d.item_id
         WHERE @run IS NULL OR d.run_id = @run OR d.item_id IN (SELECT item_id FROM recon_item_runs WHERE run_id = @run)
         ORDER BY d.id`,
      ),
      runs: prepare('SELECT * FROM recon_runs ORDER BY id'),
      settlementParts: prepare(
        `SELECT s.kind, i.class, i.subject, SUM(s.net_minor) AS net FROM recon_settlements s LEFT JOIN recon_items i ON i.id = s.item_id
         WHERE s.psp = ? AND s.batch_id = ? AND s.currency = ? GROUP BY s.kind, CASE WHEN s.kind = 'rows' THEN NULL ELSE s.id END ORDER BY MIN(s.id)`,
      ),
      unsettledRowsOfBatch: prepare(
        `SELECT class, type, psp_reference, line, net_minor FROM recon_rows WHERE psp = ? AND batch_id = ? AND currency = ? AND type <> 'payout' AND settlement_id IS NULL ORDER BY id LIMIT 50`,
      ),
      openPendingOf: prepare(
        `SELECT COUNT(*) AS n, COALESCE(SUM(amount_minor), 0) AS amount FROM recon_items WHERE psp = ? AND currency = ? AND status = 'open' AND class = 'pending'`,
      ),
      allItems: prepare('SELECT * FROM recon_items ORDER BY id'),
      latestRunOf: prepare('SELECT * FROM recon_runs WHERE psp = ? ORDER BY id DESC LIMIT 1'),
      originalOf: prepare(
        'SELECT id FROM recon_rows WHERE psp = ? AND type = ? AND psp_reference = ? AND id < ? ORDER BY id LIMIT 1',
      ),
      suspenseCapturesOf: prepare(
        `SELECT i.* FROM recon_items i JOIN recon_rows r ON r.id = i.row_id
         WHERE i.psp = ? AND i.status = 'resolved' AND i.resolution LIKE 'accepted into suspense%' AND r.type = 'capture' AND r.merchant_reference = ? AND r.currency = ?
         ORDER BY i.id`,
      ),
    };
  }

  runBySha(sha256: string): RunRecord | undefined {
    const row = readRow(RUN_ROW, this.s.runBySha!.get(sha256));
    return row ? toRun(row) : undefined;
  }

  runById(id: bigint): RunRecord | undefined {
    const row = readRow(RUN_ROW, this.s.runById!.get(id));
    return row ? toRun(row) : undefined;
  }

  latestRun(): RunRecord | undefined {
    const row = readRow(RUN_ROW, this.s.latestRun!.get());
    return row ? toRun(row) : undefined;
  }

  insertRun(run: {
    psp: string;
    fileSha256: string;
    fileName: string;
    fileBytes: number;
    format: string;
    graceDays: number;
    rules: string;
    runBy: string;
    at: string;
  }): bigint {
    return BigInt(
      this.s.insertRun!.run(
        run.psp,
        run.fileSha256,
        run.fileName,
        run.fileBytes,
        run.format,
        run.graceDays,
        run.rules,
        run.runBy,
        run.at,
      ).lastInsertRowid,
    );
  }

  finishRun(
    runId: bigint,
    rowsRead: number,
    rowsRejected: number,
    periodEnd: string | null,
    at: string,
    summary: string,
  ): void {
    this.s.finishRun!.run(rowsRead, rowsRejected, periodEnd, at, summary, runId);
  }

  /** Row ids are handed out here so an item can name its row before the row is written. */
  allocateRowId(): bigint {
    this.nextRowId ??= readOneRow(ID_ROW, this.s.maxRowId!.get()).id + 1n;
    return this.nextRowId++;
  }

  classifyRow(
    rowId: bigint,
    rowClass: ReconClass,
    paired: boolean,
    internalRef: string | null,
    itemId: bigint | null,
  ): void {
    this.s.classifyRow!.run(rowClass, paired ? 1 : 0, internalRef, itemId, rowId);
  }

  settleRow(rowId: bigint, settlementId: bigint): void {
    if (this.s.settleRow!.run(settlementId, rowId).changes !== 1)
      throw new Error(`settlement row ${rowId} was already settled`);
  }

  bookRowFee(rowId: bigint, runId: bigint): void {
    if (this.s.bookRowFee!.run(runId, rowId).changes !== 1)
      throw new Error(`the fee of settlement row ${rowId} was already booked`);
  }

  row(rowId: bigint): StoredRow | undefined {
    const row = readRow(ROW_ROW, this.s.rowById!.get(rowId));
    return row ? toStoredRow(row) : undefined;
  }

  /** The first row (the original) already stored for each `type\0reference` among these references. */
  originalRows(psp: string, references: readonly string[]): Map<string, bigint> {
    const found = new Map<string, bigint>();
    if (references.length === 0) return found;
    for (const row of readRows(
      ORIGINAL_ROW,
      this.s.originalRows!.all(psp, JSON.stringify(references)),
    )) {
      found.set(`${row.type}\u0000${row.psp_reference}`, row.id);
    }
    return found;
  }

  /** Rows of a run still waiting for their class, a page at a time. */
  unclassifiedRowIds(runId: bigint, afterId: bigint): bigint[] {
    return readRows(ID_ROW, this.s.unclassifiedRows!.all(runId, afterId)).map((row) => row.id);
  }

  /** Whether a row (other than `exceptRowId`) is paired with the record `ref` ("capture:ord_1"), under whatever reference it carries. */
  isRecordPaired(psp: string, ref: string, exceptRowId = 0n): boolean {
    return this.s.pairedRowOfRecord!.get(psp, ref, exceptRowId) !== undefined;
  }

  item(itemId: string): ItemRecord | undefined {
    const row = readRow(ITEM_ROW, this.s.itemByItemId!.get(itemId));
    return row ? toItem(row) : undefined;
  }

  itemById(id: bigint): ItemRecord | undefined {
    const row = readRow(ITEM_ROW, this.s.itemById!.get(id));
    return row ? toItem(row) : undefined;
  }

  insertItem(item: {
    itemId: string;
    psp: string;
    subject: string;
    class: ItemClass;
    rowId: bigint | null;
    internalRef: string | null;
    probableRef: string | null;
    batchId: string | null;
    currency: Currency;
    amountMinor: bigint;
    detail: ItemDetail;
    runId: bigint;
    at: string;
  }): bigint {
    return BigInt(
      this.s.insertItem!.run(
        item.itemId,
        item.psp,
        item.subject,
        item.class,
        item.rowId,
        item.internalRef,
        item.probableRef,
        item.batchId,
        item.currency,
        item.amountMinor,
        JSON.stringify(item.detail),
        item.runId,
        item.runId,
        item.at,
      ).lastInsertRowid,
    );
  }

  /** Re-opens or refreshes an item with what it is now; `runId` null keeps its last run (a decision between runs). */
  updateItem(
    id: bigint,
    item: {
      class: ItemClass;
      rowId: bigint | null;
      internalRef: string | null;
      probableRef: string | null;
      batchId: string | null;
      currency: Currency;
      amountMinor: bigint;
      detail: ItemDetail;
      runId: bigint | null;
      at: string;
    },
  ): void {
    this.s.updateItem!.run(
      item.class,
      item.rowId,
      item.internalRef,
      item.probableRef,
      item.batchId,
      item.currency,
      item.amountMinor,
      JSON.stringify(item.detail),
      item.runId,
      item.at,
      id,
    );
  }

  resolveItem(
    id: bigint,
    runId: bigint | null,
    resolution: string,
    at: string,
    by: string,
  ): boolean {
    return this.s.resolveItem!.run(runId, resolution, at, by, at, id).changes === 1;
  }

  openItems(psp?: string): ItemRecord[] {
    const rows = readRows(
      ITEM_ROW,
      psp === undefined ? this.s.openItemsAll!.all() : this.s.openItems!.all(psp),
    );
    return rows.map(toItem);
  }

  resolvedItemsOfRecord(ref: string): ItemRecord[] {
    return readRows(ITEM_ROW, this.s.resolvedItemsOfRecord!.all(ref)).map(toItem);
  }

  openRowItemsOfBatch(psp: string, batchId: string, currency: Currency): number {
    return Number(readOneRow(COUNT_ROW, this.s.openItemsOfBatch!.get(psp, batchId, currency)).n);
  }

  /** Records what happened to an item in a run; a new item that also resolves in it stays "resolved". */
  itemLife(
    runId: bigint,
    itemRowId: bigint,
    life: 'new' | 'persisting' | 'resolved',
    itemClass: ItemClass,
  ): void {
    this.s.itemLife!.run(runId, itemRowId, life, itemClass);
  }

  addBatch(psp: string, runId: bigint, delta: BatchDelta): void {
    this.s.upsertBatch!.run({ psp, runId, ...delta });
  }

  batch(psp: string, batchId: string, currency: Currency): BatchRecord | undefined {
    const row = readRow(BATCH_ROW, this.s.batch!.get(psp, batchId, currency));
    return row ? toBatch(row) : undefined;
  }

  insertSettlement(settlement: {
    psp: string;
    batchId: string;
    currency: Currency;
    kind: SettlementRecord['kind'];
    runId: bigint | null;
    itemId: bigint | null;
    netMinor: bigint;
    at: string;
  }): bigint {
    return BigInt(
      this.s.insertSettlement!.run(
        settlement.psp,
        settlement.batchId,
        settlement.currency,
        settlement.kind,
        settlement.runId,
        settlement.itemId,
        settlement.netMinor,
        settlement.at,
      ).lastInsertRowid,
    );
  }

  addToSettlement(settlementId: bigint, netMinor: bigint): void {
    if (this.s.addToSettlement!.run(netMinor, settlementId).changes !== 1)
      throw new Error(`settlement ${settlementId} is already posted`);
  }

  /** `txId` null: the settlement nets to zero and moved nothing. */
  markSettlementPosted(settlementId: bigint, txId: number | null, at: string): void {
    if (this.s.postSettlement!.run(txId, at, settlementId).changes !== 1)
      throw new Error(`settlement ${settlementId} was already posted`);
  }

  unpostedSettlements(psp: string, batchId: string, currency: Currency): SettlementRecord[] {
    return readRows(
      SETTLEMENT_ROW,
      this.s.unpostedSettlementsOfBatch!.all(psp, batchId, currency),
    ).map(toSettlement);
  }

  /** Everything the books have moved (or will move, once the payout is known) to the bank for a batch. */
  settledOfBatch(psp: string, batchId: string, currency: Currency): bigint {
    return readOneRow(TOTAL_ROW, this.s.settledOfBatch!.get(psp, batchId, currency)).total;
  }

  insertDecision(decision: {
    itemRowId: bigint;
    action: DecisionRecord['action'];
    class: ItemClass;
    rule: string | null;
    runId: bigint | null;
    decidedBy: string;
    decidedAt: string;
    note: string;
    linkedTo: string | null;
    txIds: readonly number[];
  }): bigint {
    return BigInt(
      this.s.insertDecision!.run(
        decision.itemRowId,
        decision.action,
        decision.class,
        decision.rule,
        decision.runId,
        decision.decidedBy,
        decision.decidedAt,
        decision.note,
        decision.linkedTo,
        JSON.stringify(decision.txIds),
      ).lastInsertRowid,
    );
  }

  /** Every item a run saw: new in it, persisting through it, or resolved by it. */
  itemsOfRun(runId: bigint): ItemRecord[] {
    return readRows(ITEM_ROW, this.s.itemsOfRun!.all(runId)).map(toItem);
  }

  /** Decisions in the order taken: all, or those on the items a run saw and those its rules took. */
  decisions(runId: bigint | null): DecisionRecord[] {
    return readRows(DECISION_ROW, this.s.decisions!.all({ run: runId })).map((row) => ({
      id: row.id,
      itemId: row.item_key,
      itemRowId: row.item_id,
      action: row.action,
      class: row.class,
      rule: row.rule,
      runId: row.run_id,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at,
      note: row.note,
      linkedTo: row.linked_to,
      txIds: transactionIds(row.tx_ids, `recon_decisions ${row.id}`),
      currency: row.currency,
      subject: row.subject,
    }));
  }

  runs(): RunRecord[] {
    return readRows(RUN_ROW, this.s.runs!.all()).map(toRun);
  }

  /** Items about one of payops' records (no row), open or resolved. */
  recordItems(psp: string): ItemRecord[] {
    return readRows(ITEM_ROW, this.s.recordItems!.all(psp)).map(toItem);
  }

  /** Rows with ids in [first, last] (one run's rows are contiguous) counted by class. */
  rowTallies(
    firstRowId: bigint,
    lastRowId: bigint,
  ): {
    class: ReconClass;
    paired: boolean;
    payout: boolean;
    currency: Currency;
    count: number;
    grossMinor: bigint;
  }[] {
    return readRows(TALLY_ROW, this.s.rowTallies!.all(firstRowId, lastRowId)).map((row) => ({
      class: row.class,
      paired: row.paired === 1n,
      payout: row.payout === 1n,
      currency: row.currency,
      count: Number(row.n),
      grossMinor: row.gross,
    }));
  }

  /** What the items of rows [first, last] are about, summed by the rows' class. */
  rowItemMoney(
    firstRowId: bigint,
    lastRowId: bigint,
  ): { class: ReconClass; currency: Currency; amountMinor: bigint }[] {
    return readRows(ITEM_MONEY_ROW, this.s.rowItemMoney!.all(firstRowId, lastRowId)).map((row) => ({
      class: row.class,
      currency: row.currency,
      amountMinor: row.amount,
    }));
  }

  /** Items about records that a run left open. */
  recordItemsOfRun(runId: bigint): ItemRecord[] {
    return readRows(ITEM_ROW, this.s.recordItemsOfRun!.all(runId)).map(toItem);
  }

  lifeOfRun(runId: bigint): { new: number; persisting: number; resolved: number } {
    const life = { new: 0, persisting: 0, resolved: 0 };
    for (const row of readRows(LIFE_ROW, this.s.lifeOfRun!.all(runId)))
      life[row.life] = Number(row.n);
    return life;
  }

  lastDecisionOfItem(
    itemRowId: bigint,
  ): { action: DecisionRecord['action']; class: ItemClass; decidedBy: string } | undefined {
    const row = readRow(LAST_DECISION_ROW, this.s.lastDecisionOfItem!.get(itemRowId));
    return row ? { action: row.action, class: row.class, decidedBy: row.decided_by } : undefined;
  }

  /** A batch's settlements: the runs' matched rows together, every other settlement on its own, with the item it settled. */
  settlementParts(
    psp: string,
    batchId: string,
    currency: Currency,
  ): {
    kind: SettlementRecord['kind'];
    class: string | null;
    subject: string | null;
    netMinor: bigint;
  }[] {
    const rows = readRows(SETTLEMENT_PART_ROW, this.s.settlementParts!.all(psp, batchId, currency));
    return rows.map((row) => ({
      kind: row.kind,
      class: row.class,
      subject: row.subject,
      netMinor: row.net,
    }));
  }

  /** Rows of a batch (not its payout) that no settlement moved to the bank, the first 50. */
  unsettledRowsOfBatch(
    psp: string,
    batchId: string,
    currency: Currency,
  ): {
    class: string;
    type: string;
    pspReference: string | null;
    line: number;
    netMinor: bigint;
  }[] {
    const rows = readRows(UNSETTLED_ROW, this.s.unsettledRowsOfBatch!.all(psp, batchId, currency));
    return rows.map((row) => ({
      class: row.class,
      type: row.type,
      pspReference: row.psp_reference,
      line: Number(row.line),
      netMinor: row.net_minor,
    }));
  }

  openPendingOf(psp: string, currency: Currency): { count: number; amountMinor: bigint } {
    const row = readOneRow(PENDING_ROW, this.s.openPendingOf!.get(psp, currency));
    return { count: Number(row.n), amountMinor: row.amount };
  }

  allItems(): ItemRecord[] {
    return readRows(ITEM_ROW, this.s.allItems!.all()).map(toItem);
  }

  latestRunOf(psp: string): RunRecord | undefined {
    const row = readRow(RUN_ROW, this.s.latestRunOf!.get(psp));
    return row ? toRun(row) : undefined;
  }

  /** The row a duplicate repeats: the first earlier row of the PSP with the same type and reference. */
  originalOf(row: Pick<StoredRow, 'id' | 'psp' | 'type' | 'pspReference'>): StoredRow | undefined {
    if (row.pspReference === null) return undefined;
    const found = readRow(
      ID_ROW,
      this.s.originalOf!.get(row.psp, row.type, row.pspReference, row.id),
    );
    return found ? this.row(found.id) : undefined;
  }

  /** Captures accepted into the suspense liability whose row names this order (merchant reference), in `currency`. */
  suspenseCapturesOf(psp: string, merchantReference: string, currency: Currency): ItemRecord[] {
    const rows = readRows(
      ITEM_ROW,
      this.s.suspenseCapturesOf!.all(psp, merchantReference, currency),
    );
    return rows.map(toItem);
  }

  decisionsOfItem(
    itemRowId: bigint,
  ): { action: DecisionRecord['action']; txIds: number[]; linkedTo: string | null }[] {
    return readRows(ITEM_DECISION_ROW, this.s.decisionsOfItem!.all(itemRowId)).map((row) => ({
      action: row.action,
      txIds: transactionIds(row.tx_ids, `recon_decisions of item ${itemRowId}`),
      linkedTo: row.linked_to,
    }));
  }
}

const DECISION_ACTIONS = ['accept', 'write_off', 'link', 'note', 'write_back'] as const;
const SETTLEMENT_KINDS = ['rows', 'row', 'record', 'residual'] as const;

const DECISION_ROW = rowShape('recon_decisions', {
  id: 'bigint',
  item_id: 'bigint',
  item_key: 'text',
  action: DECISION_ACTIONS,
  class: ITEM_CLASSES,
  rule: 'text?',
  run_id: 'bigint?',
  decided_by: 'text',
  decided_at: 'text',
  note: 'text',
  linked_to: 'text?',
  tx_ids: 'text',
  subject: 'text',
  currency: 'currency',
});
const ITEM_DECISION_ROW = rowShape('recon_decisions of an item', {
  action: DECISION_ACTIONS,
  tx_ids: 'text',
  linked_to: 'text?',
});
const LAST_DECISION_ROW = rowShape('recon_decisions: the last of an item', {
  action: DECISION_ACTIONS,
  class: ITEM_CLASSES,
  decided_by: 'text',
});

/** A decision's transaction ids, a JSON list in the row. */
function transactionIds(json: string, where: string): number[] {
  const parsed: unknown = JSON.parse(json);
  if (Array.isArray(parsed) && parsed.every((id) => Number.isSafeInteger(id))) return parsed;
  throw new StorageError(`${where}: tx_ids is not a list of transaction ids`, {
    hint: 'the database is not what this payops expects: restore it from a backup',
  });
}

const RUN_ROW = rowShape('recon_runs', {
  id: 'bigint',
  psp: 'text',
  file_sha256: 'text',
  file_name: 'text',
  file_bytes: 'bigint',
  format: 'text',
  rows_read: 'bigint',
  rows_rejected: 'bigint',
  period_end: 'text?',
  grace_days: 'bigint',
  rules: 'text',
  run_by: 'text',
  started_at: 'text',
  finished_at: 'text?',
  summary: 'text?',
});
type RunRow = ShapeRow<typeof RUN_ROW>;

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    psp: row.psp,
    fileSha256: row.file_sha256,
    fileName: row.file_name,
    fileBytes: row.file_bytes,
    format: row.format,
    rowsRead: row.rows_read,
    rowsRejected: row.rows_rejected,
    periodEnd: row.period_end,
    graceDays: Number(row.grace_days),
    rules: row.rules,
    runBy: row.run_by,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary: row.summary,
  };
}

const ROW_ROW = rowShape('recon_rows', {
  id: 'bigint',
  run_id: 'bigint',
  psp: 'text',
  line: 'bigint',
  type: SETTLEMENT_ROW_TYPES,
  psp_reference: 'text?',
  merchant_reference: 'text?',
  batch_id: 'text?',
  currency: 'currency',
  gross_minor: 'bigint',
  fee_minor: 'bigint',
  net_minor: 'bigint',
  occurred_at: 'text',
  available_on: 'text?',
  provider_type: 'text',
  class: [...CLASSES, 'unclassified'],
  paired: 'bigint',
  internal_ref: 'text?',
  item_id: 'bigint?',
  fee_run_id: 'bigint?',
  settlement_id: 'bigint?',
  file_name: 'text',
  file_sha256: 'text',
});
type RowRow = ShapeRow<typeof ROW_ROW>;

function toStoredRow(row: RowRow): StoredRow {
  return {
    id: row.id,
    runId: row.run_id,
    psp: row.psp,
    line: Number(row.line),
    type: row.type,
    pspReference: row.psp_reference,
    merchantReference: row.merchant_reference,
    batchId: row.batch_id,
    currency: row.currency,
    grossMinor: row.gross_minor,
    feeMinor: row.fee_minor,
    netMinor: row.net_minor,
    occurredAt: row.occurred_at,
    availableOn: row.available_on,
    providerType: row.provider_type,
    class: row.class,
    paired: row.paired === 1n,
    internalRef: row.internal_ref,
    itemId: row.item_id,
    feeRunId: row.fee_run_id,
    settlementId: row.settlement_id,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
  };
}

const ITEM_ROW = rowShape('recon_items', {
  id: 'bigint',
  item_id: 'text',
  psp: 'text',
  subject: 'text',
  class: ITEM_CLASSES,
  status: ['open', 'resolved'],
  row_id: 'bigint?',
  internal_ref: 'text?',
  probable_ref: 'text?',
  batch_id: 'text?',
  currency: 'currency',
  amount_minor: 'bigint',
  detail: 'text',
  first_run_id: 'bigint',
  last_run_id: 'bigint',
  resolved_run_id: 'bigint?',
  resolution: 'text?',
  resolved_at: 'text?',
  resolved_by: 'text?',
});
type ItemRow = ShapeRow<typeof ITEM_ROW>;

function toItem(row: ItemRow): ItemRecord {
  return {
    id: row.id,
    itemId: row.item_id,
    psp: row.psp,
    subject: row.subject,
    class: row.class,
    status: row.status,
    rowId: row.row_id,
    internalRef: row.internal_ref,
    probableRef: row.probable_ref,
    batchId: row.batch_id,
    currency: row.currency,
    amountMinor: row.amount_minor,
    detail: JSON.parse(row.detail) as ItemDetail,
    firstRunId: row.first_run_id,
    lastRunId: row.last_run_id,
    resolvedRunId: row.resolved_run_id,
    resolution: row.resolution,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
  };
}

const BATCH_ROW = rowShape('recon_batches', {
  psp: 'text',
  batch_id: 'text',
  currency: 'currency',
  row_count: 'bigint',
  captures_minor: 'bigint',
  refunds_minor: 'bigint',
  chargebacks_minor: 'bigint',
  other_minor: 'bigint',
  fees_minor: 'bigint',
  rows_net_minor: 'bigint',
  payout_rows: 'bigint',
  payout_minor: 'bigint?',
  payout_row_id: 'bigint?',
  first_run_id: 'bigint',
});
type BatchRow = ShapeRow<typeof BATCH_ROW>;

function toBatch(row: BatchRow): BatchRecord {
  return {
    psp: row.psp,
    batchId: row.batch_id,
    currency: row.currency,
    rowCount: row.row_count,
    capturesMinor: row.captures_minor,
    refundsMinor: row.refunds_minor,
    chargebacksMinor: row.chargebacks_minor,
    otherMinor: row.other_minor,
    feesMinor: row.fees_minor,
    rowsNetMinor: row.rows_net_minor,
    payoutRows: row.payout_rows,
    payoutMinor: row.payout_minor,
    payoutRowId: row.payout_row_id,
    firstRunId: row.first_run_id,
  };
}

const SETTLEMENT_ROW = rowShape('recon_settlements', {
  id: 'bigint',
  psp: 'text',
  batch_id: 'text',
  currency: 'currency',
  kind: SETTLEMENT_KINDS,
  run_id: 'bigint?',
  item_id: 'bigint?',
  net_minor: 'bigint',
  tx_id: 'bigint?',
});
type SettlementRow_ = ShapeRow<typeof SETTLEMENT_ROW>;

const ID_ROW = rowShape('recon_rows: an id', { id: 'bigint' });
const COUNT_ROW = rowShape('recon_items: a count', { n: 'bigint' });
const TOTAL_ROW = rowShape('recon_settlements: a total', { total: 'bigint' });
const ORIGINAL_ROW = rowShape('recon_rows: originals', {
  type: 'text',
  psp_reference: 'text',
  id: 'bigint',
});
const TALLY_ROW = rowShape('recon_rows: tallies', {
  class: CLASSES,
  paired: 'bigint',
  payout: 'bigint',
  currency: 'currency',
  n: 'bigint',
  gross: 'bigint',
});
const ITEM_MONEY_ROW = rowShape('recon_rows: item money', {
  class: CLASSES,
  currency: 'currency',
  amount: 'bigint',
});
const LIFE_ROW = rowShape('recon_item_runs: life', {
  life: ['new', 'persisting', 'resolved'],
  n: 'bigint',
});
const SETTLEMENT_PART_ROW = rowShape('recon_settlements: parts', {
  kind: SETTLEMENT_KINDS,
  class: 'text?',
  subject: 'text?',
  net: 'bigint',
});
const UNSETTLED_ROW = rowShape('recon_rows: unsettled of a batch', {
  class: 'text',
  type: 'text',
  psp_reference: 'text?',
  line: 'bigint',
  net_minor: 'bigint',
});
const PENDING_ROW = rowShape('recon_items: pending', { n: 'bigint', amount: 'bigint' });

function toSettlement(row: SettlementRow_): SettlementRecord {
  return {
    id: row.id,
    psp: row.psp,
    batchId: row.batch_id,
    currency: row.currency,
    kind: row.kind,
    runId: row.run_id,
    itemId: row.item_id,
    netMinor: row.net_minor,
    txId: row.tx_id,
  };
}

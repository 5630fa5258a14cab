import {
  type ComponentMigration,
  type Database,
  type ShapeRow,
  type Statement,
  anyOf,
  inList,
  inReadSnapshot,
  iterateRows,
  openComponentDatabase,
  readOneRow,
  readRow,
  readRows,
  rebuildTable,
  replaceOnce,
  rowShape,
} from '../../db/index.js';
import { UsageError } from '../../errors.js';

/**
 * The simulated PSP's own store: its state file (schema, migrations, identity) and every
 * statement the simulator runs on it, rows checked as they are read. The engine (engine.ts)
 * decides outcomes, faults and references; this store only reads and writes its tables.
 */
const CHARGE_STATUSES = ['succeeded', 'pending', 'declined', 'failed'];

/** Version 1, as released: the in-process simulator's books. */
const SIM_SCHEMA_V1 = `
CREATE TABLE sim_charges (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  merchant_reference TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  fee_minor INTEGER,
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'pending', 'declined', 'failed')),
  decline_reason TEXT,
  created_at TEXT NOT NULL,
  key_expires_at TEXT NOT NULL,
  settled_at TEXT
) STRICT;
CREATE INDEX sim_charges_by_key ON sim_charges (idempotency_key, key_expires_at);
CREATE INDEX sim_charges_by_merchant_reference ON sim_charges (merchant_reference);
CREATE TABLE sim_payouts (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  payout_id TEXT NOT NULL,
  seller_id TEXT NOT NULL,
  destination TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'declined')),
  decline_reason TEXT,
  created_at TEXT NOT NULL,
  key_expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sim_payouts_by_key ON sim_payouts (idempotency_key, key_expires_at);
CREATE TABLE sim_refunds (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  refund_id TEXT NOT NULL,
  charge_id INTEGER NOT NULL REFERENCES sim_charges (id),
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('succeeded', 'declined')),
  decline_reason TEXT,
  created_at TEXT NOT NULL,
  key_expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sim_refunds_by_key ON sim_refunds (idempotency_key, key_expires_at);
CREATE INDEX sim_refunds_by_charge ON sim_refunds (charge_id);
CREATE TABLE sim_disputes (
  id INTEGER PRIMARY KEY,
  charge_id INTEGER NOT NULL UNIQUE REFERENCES sim_charges (id),
  amount_minor INTEGER NOT NULL,
  fee_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE sim_requests (
  idempotency_key TEXT PRIMARY KEY,
  count INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

/**
 * Version 2, for `payops psp serve`: the first HTTP response given for each idempotency key
 * (replayed byte for byte), the outbox of webhook events (written in the transaction of the state
 * change they announce, delivered and retried by the server), and pending charges by age for the
 * timer that settles them.
 */
const SIM_SCHEMA_V2 = `
CREATE TABLE sim_idempotency (
  idempotency_key TEXT PRIMARY KEY,
  operation TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sim_idempotency_by_expiry ON sim_idempotency (expires_at);
CREATE TABLE sim_webhook_outbox (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  delivered_at TEXT,
  gave_up_at TEXT,
  last_error TEXT
) STRICT;
CREATE INDEX sim_webhook_outbox_due ON sim_webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX sim_charges_pending ON sim_charges (created_at) WHERE status = 'pending';
`;

/**
 * Version 2 also writes the charge status check as comparisons: an IN list of more than two values
 * costs SQLite a temporary B-tree on every insert (see db/sqlite/schema/checks.ts), so sim_charges is
 * rebuilt with the same constraint written the cheap way.
 */
function upgradeToV2(db: Database): void {
  rebuildTable(db, 'sim_charges', (sql) =>
    replaceOnce(
      sql,
      inList('status', CHARGE_STATUSES),
      anyOf('status', CHARGE_STATUSES),
      'sim_charges.status',
    ),
  );
  db.exec(SIM_SCHEMA_V2);
}

/** The state file's migrations: index i takes a file from version i to i + 1. */
export const SIM_SCHEMAS: readonly ComponentMigration[] = [SIM_SCHEMA_V1, upgradeToV2];

/** `PRAGMA application_id` of the simulated PSP's state file ("PYPS", 0x50595053): never mistaken for the books. */
export const SIM_STATE_IDENTITY = {
  applicationId: 0x50595053,
  markSql: 'PRAGMA application_id = 1348030547',
} as const;

/**
 * Test only: `PAYOPS_TEST_PSP_STATE_MAX_PAGE_COUNT=N` caps the simulated PSP's state file alone at
 * N pages (or its size, if larger), so that a test can fill it as a full disk would while the books
 * have room (test/e2e/check-skips.test.ts). Unset in every real run.
 */
const TEST_PSP_STATE_MAX_PAGE_COUNT = 'PAYOPS_TEST_PSP_STATE_MAX_PAGE_COUNT';

function capForTests(db: Database): void {
  const cap = process.env[TEST_PSP_STATE_MAX_PAGE_COUNT];
  if (cap === undefined || cap === '') return;
  if (!/^[1-9][0-9]{0,9}$/.test(cap))
    throw new UsageError(
      `${TEST_PSP_STATE_MAX_PAGE_COUNT}: "${cap}" is not a whole number of pages`,
    );
  db.pragma(`max_page_count = ${Number(cap)}`);
}

const SQL = {
  // Not one statement with RETURNING: SQLite collects RETURNING rows in a temporary table.
  countRequest:
    'INSERT INTO sim_requests (idempotency_key, count) VALUES (?, 1) ON CONFLICT (idempotency_key) DO UPDATE SET count = count + 1',
  // One statement for a batch's keys, each counted as `countRequest` would, in the batch's order.
  countRequests:
    'INSERT INTO sim_requests (idempotency_key, count) SELECT value, 1 FROM json_each(?) WHERE true ON CONFLICT (idempotency_key) DO UPDATE SET count = count + 1',
  requestCount: 'SELECT count FROM sim_requests WHERE idempotency_key = ?',
  requestCounts: 'SELECT idempotency_key, count FROM sim_requests',
  // The newest live record of a key, as MAX(id) over the key's index range: `ORDER BY id DESC
  // LIMIT 1` there would sort in a temporary B-tree on every request.
  liveChargeByKey:
    'SELECT * FROM sim_charges WHERE id = (SELECT MAX(id) FROM sim_charges WHERE idempotency_key = ? AND key_expires_at > ?)',
  insertCharge: `INSERT INTO sim_charges (idempotency_key, request_hash, merchant_reference, amount_minor, currency, fee_minor, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  latestByMerchantReference:
    'SELECT * FROM sim_charges WHERE merchant_reference = ? ORDER BY id DESC LIMIT 1',
  settle:
    'UPDATE sim_charges SET status = ?, fee_minor = ?, decline_reason = ?, settled_at = ? WHERE id = ?',
  chargeById: 'SELECT * FROM sim_charges WHERE id = ?',
  duePending:
    "SELECT * FROM sim_charges WHERE status = 'pending' AND created_at <= ? ORDER BY created_at LIMIT ?",
  chargesByMerchantReference: 'SELECT * FROM sim_charges ORDER BY merchant_reference, id',
  charges: 'SELECT * FROM sim_charges ORDER BY id',
  unsettledChargesBetween:
    "SELECT * FROM sim_charges WHERE status IN ('declined', 'failed') AND created_at >= ? AND created_at < ? ORDER BY id",
  movementsBetween: `SELECT 'capture' AS type, id, merchant_reference, currency, amount_minor AS gross, COALESCE(fee_minor, 0) AS fee, COALESCE(settled_at, created_at) AS at
           FROM sim_charges WHERE status = 'succeeded' AND COALESCE(settled_at, created_at) >= @from AND COALESCE(settled_at, created_at) < @to
         UNION ALL
         SELECT 'refund', r.id, c.merchant_reference, r.currency, -r.amount_minor, 0, r.created_at
           FROM sim_refunds r JOIN sim_charges c ON c.id = r.charge_id WHERE r.status = 'succeeded' AND r.created_at >= @from AND r.created_at < @to
         UNION ALL
         SELECT 'chargeback', d.id, c.merchant_reference, d.currency, -d.amount_minor, d.fee_minor, d.created_at
           FROM sim_disputes d JOIN sim_charges c ON c.id = d.charge_id WHERE d.created_at >= @from AND d.created_at < @to
         ORDER BY at, type, id`,
  liveRefundByKey:
    'SELECT * FROM sim_refunds WHERE id = (SELECT MAX(id) FROM sim_refunds WHERE idempotency_key = ? AND key_expires_at > ?)',
  latestRefundOf:
    'SELECT id, status, decline_reason FROM sim_refunds WHERE refund_id = ? ORDER BY id DESC LIMIT 1',
  chargeToRefund: 'SELECT id, amount_minor, status FROM sim_charges WHERE id = ?',
  refundedOfCharge:
    "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM sim_refunds WHERE charge_id = ? AND status = 'succeeded'",
  insertRefund: `INSERT INTO sim_refunds (idempotency_key, request_hash, refund_id, charge_id, amount_minor, currency, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  refunds: 'SELECT refund_id, amount_minor, status FROM sim_refunds ORDER BY id',
  livePayoutByKey:
    'SELECT * FROM sim_payouts WHERE id = (SELECT MAX(id) FROM sim_payouts WHERE idempotency_key = ? AND key_expires_at > ?)',
  latestPayoutOf:
    'SELECT id, status, decline_reason FROM sim_payouts WHERE payout_id = ? ORDER BY id DESC LIMIT 1',
  insertPayout: `INSERT INTO sim_payouts (idempotency_key, request_hash, payout_id, seller_id, destination, amount_minor, currency, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  payouts: 'SELECT * FROM sim_payouts ORDER BY id',
  disputes:
    'SELECT d.*, c.merchant_reference FROM sim_disputes d JOIN sim_charges c ON c.id = d.charge_id ORDER BY d.id',
  undisputedCaptures:
    "SELECT c.id, c.amount_minor, c.currency, c.merchant_reference FROM sim_charges c LEFT JOIN sim_disputes d ON d.charge_id = c.id WHERE c.status = 'succeeded' AND d.id IS NULL",
  insertDispute:
    'INSERT INTO sim_disputes (charge_id, amount_minor, fee_minor, currency, created_at) VALUES (?, ?, ?, ?, ?)',
  insertWebhook:
    'INSERT INTO sim_webhook_outbox (event_id, type, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
  dueWebhooks:
    'SELECT id, event_id, body, attempts FROM sim_webhook_outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?',
  webhookDelivered:
    'UPDATE sim_webhook_outbox SET attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?',
  webhookFailed:
    'UPDATE sim_webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, gave_up_at = ?, last_error = ? WHERE id = ?',
  webhookCounts:
    'SELECT COUNT(delivered_at) AS delivered, SUM(delivered_at IS NULL AND gave_up_at IS NULL) AS waiting, COUNT(gave_up_at) AS gave_up FROM sim_webhook_outbox',
  storedResponse:
    'SELECT operation, request_hash, status_code, body FROM sim_idempotency WHERE idempotency_key = ? AND expires_at > ?',
  storeResponse: `INSERT INTO sim_idempotency (idempotency_key, operation, request_hash, status_code, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO UPDATE SET operation = excluded.operation, request_hash = excluded.request_hash, status_code = excluded.status_code,
           body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at WHERE sim_idempotency.expires_at <= excluded.created_at`,
  pruneResponses:
    'DELETE FROM sim_idempotency WHERE idempotency_key IN (SELECT idempotency_key FROM sim_idempotency WHERE expires_at <= ? LIMIT ?)',
} as const;

const CHARGE_ROW = rowShape('simulated PSP: sim_charges', {
  id: 'bigint',
  idempotency_key: 'text',
  request_hash: 'text',
  merchant_reference: 'text',
  amount_minor: 'bigint',
  currency: 'currency',
  fee_minor: 'bigint?',
  status: ['succeeded', 'pending', 'declined', 'failed'],
  decline_reason: 'text?',
  created_at: 'text',
  settled_at: 'text?',
});
const TRANSFER_ROW = rowShape('simulated PSP: a refund or payout', {
  id: 'bigint',
  status: ['succeeded', 'declined'],
  decline_reason: 'text?',
});
const LIVE_TRANSFER_ROW = rowShape('simulated PSP: a refund or payout by key', {
  id: 'bigint',
  status: ['succeeded', 'declined'],
  decline_reason: 'text?',
  request_hash: 'text',
});
const CHARGE_TO_REFUND_ROW = rowShape('simulated PSP: the charge a refund names', {
  id: 'bigint',
  amount_minor: 'bigint',
  status: 'text',
});
const TOTAL_ROW = rowShape('simulated PSP: refunded of a charge', { total: 'bigint' });
const COUNT_ROW = rowShape('simulated PSP: sim_requests', { count: 'bigint' });
const REQUEST_COUNT_ROW = rowShape('simulated PSP: sim_requests', {
  idempotency_key: 'text',
  count: 'bigint',
});
const MOVEMENT_ROW = rowShape('simulated PSP: movements', {
  type: ['capture', 'refund', 'chargeback'],
  id: 'bigint',
  merchant_reference: 'text',
  currency: 'currency',
  gross: 'bigint',
  fee: 'bigint',
  at: 'text',
});
const REFUND_ROW = rowShape('simulated PSP: sim_refunds', {
  refund_id: 'text',
  amount_minor: 'bigint',
  status: 'text',
});
const PAYOUT_ROW = rowShape('simulated PSP: sim_payouts', {
  payout_id: 'text',
  idempotency_key: 'text',
  seller_id: 'text',
  amount_minor: 'bigint',
  currency: 'currency',
  status: 'text',
  created_at: 'text',
});
const DISPUTE_ROW = rowShape('simulated PSP: sim_disputes', {
  id: 'bigint',
  charge_id: 'bigint',
  amount_minor: 'bigint',
  fee_minor: 'bigint',
  currency: 'currency',
  created_at: 'text',
  merchant_reference: 'text',
});
const UNDISPUTED_ROW = rowShape('simulated PSP: captures not disputed', {
  id: 'bigint',
  amount_minor: 'bigint',
  currency: 'currency',
  merchant_reference: 'text',
});
const OUTBOX_ROW = rowShape('simulated PSP: sim_webhook_outbox', {
  id: 'bigint',
  event_id: 'text',
  body: 'text',
  attempts: 'bigint',
});
const OUTBOX_COUNTS_ROW = rowShape('simulated PSP: outbox counts', {
  delivered: 'bigint',
  waiting: 'bigint?',
  gave_up: 'bigint',
});
const STORED_RESPONSE_ROW = rowShape('simulated PSP: sim_idempotency', {
  operation: 'text',
  request_hash: 'text',
  status_code: 'bigint',
  body: 'text',
});

export type ChargeRow = ShapeRow<typeof CHARGE_ROW>;
export type TransferRow = ShapeRow<typeof TRANSFER_ROW>;
export type LiveTransferRow = ShapeRow<typeof LIVE_TRANSFER_ROW>;
export type MovementRow = ShapeRow<typeof MOVEMENT_ROW>;
export type PayoutRow = ShapeRow<typeof PAYOUT_ROW>;
export type DisputeRow = ShapeRow<typeof DISPUTE_ROW>;
export type UndisputedRow = ShapeRow<typeof UNDISPUTED_ROW>;

/** A new charge, refund or payout as the engine decided it; times are ISO 8601 UTC. */
export interface NewCharge {
  idempotencyKey: string;
  requestHash: string;
  merchantReference: string;
  amountMinor: bigint;
  currency: string;
  feeMinor: bigint | null;
  status: ChargeRow['status'];
  declineReason: string | null;
  createdAt: string;
  keyExpiresAt: string;
}

export interface NewRefund {
  idempotencyKey: string;
  requestHash: string;
  refundId: string;
  chargeId: bigint;
  amountMinor: bigint;
  currency: string;
  status: TransferRow['status'];
  declineReason: string | null;
  createdAt: string;
  keyExpiresAt: string;
}

export interface NewPayout {
  idempotencyKey: string;
  requestHash: string;
  payoutId: string;
  sellerId: string;
  destination: string;
  amountMinor: bigint;
  currency: string;
  status: TransferRow['status'];
  declineReason: string | null;
  createdAt: string;
  keyExpiresAt: string;
}

/**
 * How the state file commits: `full` (the default, as the books) survives power loss; `normal`
 * survives the process being killed at any instant, not an OS crash (in WAL mode a commit is
 * written to the WAL before it returns, and only its fsync is left to the checkpoint). The
 * in-process simulator uses `normal`: it stands in for a remote service, not for a store of record.
 */
export type SimStateSync = 'full' | 'normal';

export class SimStore {
  private readonly db: Database;
  private readonly statements = new Map<string, Statement>();

  constructor(stateFile: string, sync: SimStateSync = 'full') {
    this.db = openComponentDatabase(stateFile, SIM_SCHEMAS, 'simulated PSP', SIM_STATE_IDENTITY);
    capForTests(this.db);
    if (sync === 'normal') this.db.pragma('synchronous = NORMAL');
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

  /** Runs `work` in one immediate transaction. */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Inside `atomically`: a savepoint, so one failed step never takes its batch down. */
  isolated<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Runs `read` on one snapshot of the state file (see `inReadSnapshot`). */
  readSnapshot<T>(read: () => T): T {
    return inReadSnapshot(this.db, read);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Counts one more request with each key, in order, when how many arrived before does not matter. */
  countRequests(keys: readonly string[]): void {
    if (keys.length === 1) this.statement(SQL.countRequest).run(keys[0]);
    else if (keys.length > 1) this.statement(SQL.countRequests).run(JSON.stringify(keys));
  }

  /** Counts one more request with this key and returns how many have arrived, this one included. */
  countRequest(key: string): bigint {
    this.statement(SQL.countRequest).run(key);
    return readOneRow(COUNT_ROW, this.statement(SQL.requestCount).get(key)).count;
  }

  requestCounts(): ShapeRow<typeof REQUEST_COUNT_ROW>[] {
    return readRows(REQUEST_COUNT_ROW, this.statement(SQL.requestCounts).all());
  }

  liveChargeByKey(key: string, nowIso: string): ChargeRow | undefined {
    return readRow(CHARGE_ROW, this.statement(SQL.liveChargeByKey).get(key, nowIso));
  }

  latestChargeByMerchantReference(merchantReference: string): ChargeRow | undefined {
    return readRow(
      CHARGE_ROW,
      this.statement(SQL.latestByMerchantReference).get(merchantReference),
    );
  }

  chargeById(id: bigint): ChargeRow | undefined {
    return readRow(CHARGE_ROW, this.statement(SQL.chargeById).get(id));
  }

  /** Returns the new charge's id. */
  insertCharge(charge: NewCharge): bigint {
    return BigInt(
      this.statement(SQL.insertCharge).run(
        charge.idempotencyKey,
        charge.requestHash,
        charge.merchantReference,
        charge.amountMinor,
        charge.currency,
        charge.feeMinor,
        charge.status,
        charge.declineReason,
        charge.createdAt,
        charge.keyExpiresAt,
      ).lastInsertRowid,
    );
  }

  settleCharge(
    id: bigint,
    settled: Pick<ChargeRow, 'status' | 'fee_minor' | 'decline_reason' | 'settled_at'>,
  ): void {
    this.statement(SQL.settle).run(
      settled.status,
      settled.fee_minor,
      settled.decline_reason,
      settled.settled_at,
      id,
    );
  }

  duePendingCharges(cutoffIso: string, limit: number): ChargeRow[] {
    return readRows(CHARGE_ROW, this.statement(SQL.duePending).all(cutoffIso, limit));
  }

  /** Streamed, sorted by merchant reference then id. */
  chargesByMerchantReference(): Iterable<ChargeRow> {
    return iterateRows(CHARGE_ROW, this.statement(SQL.chargesByMerchantReference).iterate());
  }

  charges(): ChargeRow[] {
    return readRows(CHARGE_ROW, this.statement(SQL.charges).all());
  }

  unsettledChargesBetween(fromIso: string, toIso: string): Iterable<ChargeRow> {
    return iterateRows(
      CHARGE_ROW,
      this.statement(SQL.unsettledChargesBetween).iterate(fromIso, toIso),
    );
  }

  movementsBetween(fromIso: string, toIso: string): Iterable<MovementRow> {
    return iterateRows(
      MOVEMENT_ROW,
      this.statement(SQL.movementsBetween).iterate({ from: fromIso, to: toIso }),
    );
  }

  liveRefundByKey(key: string, nowIso: string): LiveTransferRow | undefined {
    return readRow(LIVE_TRANSFER_ROW, this.statement(SQL.liveRefundByKey).get(key, nowIso));
  }

  latestRefundOf(refundId: string): TransferRow | undefined {
    return readRow(TRANSFER_ROW, this.statement(SQL.latestRefundOf).get(refundId));
  }

  chargeToRefund(id: bigint): ShapeRow<typeof CHARGE_TO_REFUND_ROW> | undefined {
    return readRow(CHARGE_TO_REFUND_ROW, this.statement(SQL.chargeToRefund).get(id));
  }

  refundedOfCharge(chargeId: bigint): bigint {
    return readOneRow(TOTAL_ROW, this.statement(SQL.refundedOfCharge).get(chargeId)).total;
  }

  /** Returns the new refund's id. */
  insertRefund(refund: NewRefund): bigint {
    return BigInt(
      this.statement(SQL.insertRefund).run(
        refund.idempotencyKey,
        refund.requestHash,
        refund.refundId,
        refund.chargeId,
        refund.amountMinor,
        refund.currency,
        refund.status,
        refund.declineReason,
        refund.createdAt,
        refund.keyExpiresAt,
      ).lastInsertRowid,
    );
  }

  refunds(): ShapeRow<typeof REFUND_ROW>[] {
    return readRows(REFUND_ROW, this.statement(SQL.refunds).all());
  }

  livePayoutByKey(key: string, nowIso: string): LiveTransferRow | undefined {
    return readRow(LIVE_TRANSFER_ROW, this.statement(SQL.livePayoutByKey).get(key, nowIso));
  }

  latestPayoutOf(payoutId: string): TransferRow | undefined {
    return readRow(TRANSFER_ROW, this.statement(SQL.latestPayoutOf).get(payoutId));
  }

  /** Returns the new payout's id. */
  insertPayout(payout: NewPayout): bigint {
    return BigInt(
      this.statement(SQL.insertPayout).run(
        payout.idempotencyKey,
        payout.requestHash,
        payout.payoutId,
        payout.sellerId,
        payout.destination,
        payout.amountMinor,
        payout.currency,
        payout.status,
        payout.declineReason,
        payout.createdAt,
        payout.keyExpiresAt,
      ).lastInsertRowid,
    );
  }

  payouts(): PayoutRow[] {
    return readRows(PAYOUT_ROW, this.statement(SQL.payouts).all());
  }

  disputes(): DisputeRow[] {
    return readRows(DISPUTE_ROW, this.statement(SQL.disputes).all());
  }

  undisputedCaptures(): UndisputedRow[] {
    return readRows(UNDISPUTED_ROW, this.statement(SQL.undisputedCaptures).all());
  }

  /** Returns the new dispute's id. */
  insertDispute(
    dispute: Pick<
      DisputeRow,
      'charge_id' | 'amount_minor' | 'fee_minor' | 'currency' | 'created_at'
    >,
  ): bigint {
    return BigInt(
      this.statement(SQL.insertDispute).run(
        dispute.charge_id,
        dispute.amount_minor,
        dispute.fee_minor,
        dispute.currency,
        dispute.created_at,
      ).lastInsertRowid,
    );
  }

  insertWebhook(eventId: string, type: string, body: string, nowIso: string): void {
    this.statement(SQL.insertWebhook).run(eventId, type, body, nowIso, nowIso);
  }

  dueWebhooks(nowIso: string, limit: number): ShapeRow<typeof OUTBOX_ROW>[] {
    return readRows(OUTBOX_ROW, this.statement(SQL.dueWebhooks).all(nowIso, limit));
  }

  webhookDelivered(id: bigint, nowIso: string): void {
    this.statement(SQL.webhookDelivered).run(nowIso, id);
  }

  webhookFailed(
    id: bigint,
    nextAttemptAt: string,
    gaveUpAt: string | null,
    error: string | null,
  ): void {
    this.statement(SQL.webhookFailed).run(nextAttemptAt, gaveUpAt, error, id);
  }

  webhookCounts(): ShapeRow<typeof OUTBOX_COUNTS_ROW> {
    return readOneRow(OUTBOX_COUNTS_ROW, this.statement(SQL.webhookCounts).get());
  }

  storedResponse(key: string, nowIso: string): ShapeRow<typeof STORED_RESPONSE_ROW> | undefined {
    return readRow(STORED_RESPONSE_ROW, this.statement(SQL.storedResponse).get(key, nowIso));
  }

  storeResponse(
    key: string,
    response: { operation: string; requestHash: string; statusCode: number; body: string },
    createdAt: string,
    expiresAt: string,
  ): void {
    this.statement(SQL.storeResponse).run(
      key,
      response.operation,
      response.requestHash,
      response.statusCode,
      response.body,
      createdAt,
      expiresAt,
    );
  }

  /** Forgets up to `limit` stored responses expired at `nowIso`; returns how many. */
  pruneResponses(nowIso: string, limit: number): number {
    return Number(this.statement(SQL.pruneResponses).run(nowIso, limit).changes);
  }
}

import { randomBytes } from 'node:crypto';
import {
  type ComponentMigration,
  type Database,
  anyOf,
  inReadSnapshot,
  inList,
  openComponentDatabase,
  rebuildTable,
  replaceOnce,
} from '../../db/index.js';
import { UsageError } from '../../errors.js';
import { sha256Hex } from '../../sha256.js';
import { type Currency, exponentOf } from '../../money/index.js';
import type { Clock } from '../../time.js';
import { type FeeRule, feeFor } from '../fee-rule.js';
import type {
  ChargeLookup,
  ChargeOutcome,
  ChargeRequest,
  ChargeResult,
  Dispute,
  PayoutOutcome,
  PayoutRequest,
  PayoutResult,
  PspRejection,
  RefundOutcome,
  RefundRequest,
  RefundResult,
  RetryableFailure,
  Lookup,
} from '../port.js';
import { type FaultRates, draw, faultBeforeProcessing, responseLost } from './faults.js';

export interface SimOptions {
  stateFile: string;
  seed: string;
  faults: FaultRates;
  feeRule: FeeRule;
  clock: Clock;
  /** How long a key is remembered; Stripe keeps them 24 hours. */
  keyLifetimeMs?: number;
  /** A pending charge settles at the first look-up (or `settleDue`) this long after it was made. */
  pendingResolveMs?: number;
  retryAfterMs?: number;
  /** Record a webhook event in the outbox for every charge state change and new dispute (`psp serve --webhook-url`). */
  webhooks?: boolean;
}

/** A charge as the PSP shows it on the wire and in webhook events: amounts as strings of minor units. */
export interface ChargeObject {
  object: 'charge';
  id: string;
  status: 'succeeded' | 'pending' | 'failed';
  merchantReference: string;
  amountMinor: string;
  currency: string;
  feeMinor: string | null;
  failureCode: string | null;
  created: string;
}

/** One webhook event waiting in the outbox. */
export interface OutboxEvent {
  id: bigint;
  eventId: string;
  body: string;
  attempts: number;
}

/** The first answer given for an idempotency key over HTTP, replayed byte for byte. */
export interface StoredResponse {
  operation: string;
  requestHash: string;
  statusCode: number;
  body: string;
}

export const SIM_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Test tokens in the manner of Stripe's: a checkout page that got them would be declined. */
const DECLINING_TOKENS: Readonly<Record<string, string>> = {
  tok_chargeDeclined: 'card_declined',
  tok_chargeDeclinedInsufficientFunds: 'insufficient_funds',
  tok_chargeDeclinedExpiredCard: 'expired_card',
  tok_chargeDeclinedFraudulent: 'fraudulent',
};

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

interface ChargeRow {
  id: bigint;
  request_hash: string;
  merchant_reference: string;
  amount_minor: bigint;
  currency: string;
  fee_minor: bigint | null;
  status: 'succeeded' | 'pending' | 'declined' | 'failed';
  decline_reason: string | null;
  created_at: string;
  settled_at: string | null;
}

export interface SimPayoutRecord {
  payoutId: string;
  idempotencyKey: string;
  sellerId: string;
  amountMinor: bigint;
  currency: Currency;
  status: string;
  /** When the PSP made the transfer (ISO 8601 UTC): the day the simulated bank debits it. */
  createdAt: string;
}

/**
 * One money movement at the PSP on a day, as its settlement file reports it: a capture (when the
 * charge succeeded, or when a pending one settled), a refund, or a dispute with its fee.
 */
export interface SimMovement {
  type: 'capture' | 'refund' | 'chargeback';
  reference: string;
  merchantReference: string;
  currency: Currency;
  /** Signed as a settlement row: a capture positive, a refund or chargeback negative. */
  grossMinor: bigint;
  feeMinor: bigint;
  at: string;
}

export interface SimChargeRecord {
  reference: string;
  idempotencyKey: string;
  merchantReference: string;
  amountMinor: bigint;
  currency: Currency;
  feeMinor: bigint | null;
  status: ChargeRow['status'];
  createdAt: string;
}

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

/**
 * The simulated PSP: keeps its own books in its own SQLite file, so idempotency holds across
 * processes and runs, decides faults deterministically from the seed, the key and how many times
 * that key has been sent, and can later write its settlement file from what it recorded.
 */
export class SimEngine {
  private readonly db: Database;
  private readonly statements;
  private readonly keyLifetimeMs: number;

  constructor(private readonly options: SimOptions) {
    this.db = openComponentDatabase(
      options.stateFile,
      SIM_SCHEMAS,
      'simulated PSP',
      SIM_STATE_IDENTITY,
    );
    capForTests(this.db);
    this.keyLifetimeMs = options.keyLifetimeMs ?? SIM_KEY_LIFETIME_MS;
    const prepare = (sql: string) => this.db.prepare(sql);
    this.statements = {
      // Not one statement with RETURNING: SQLite collects RETURNING rows in a temporary table.
      countRequest: prepare(
        'INSERT INTO sim_requests (idempotency_key, count) VALUES (?, 1) ON CONFLICT (idempotency_key) DO UPDATE SET count = count + 1',
      ),
      requestCount: prepare('SELECT count FROM sim_requests WHERE idempotency_key = ?').pluck(),
      // The newest live record of a key, as MAX(id) over the key's index range: `ORDER BY id DESC
      // LIMIT 1` there would sort in a temporary B-tree on every request.
      liveChargeByKey: prepare(
        'SELECT * FROM sim_charges WHERE id = (SELECT MAX(id) FROM sim_charges WHERE idempotency_key = ? AND key_expires_at > ?)',
      ),
      insertCharge: prepare(
        `INSERT INTO sim_charges (idempotency_key, request_hash, merchant_reference, amount_minor, currency, fee_minor, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      latestByMerchantReference: prepare(
        'SELECT * FROM sim_charges WHERE merchant_reference = ? ORDER BY id DESC LIMIT 1',
      ),
      settle: prepare(
        'UPDATE sim_charges SET status = ?, fee_minor = ?, decline_reason = ?, settled_at = ? WHERE id = ?',
      ),
      livePayoutByKey: prepare(
        'SELECT * FROM sim_payouts WHERE id = (SELECT MAX(id) FROM sim_payouts WHERE idempotency_key = ? AND key_expires_at > ?)',
      ),
      chargeById: prepare('SELECT * FROM sim_charges WHERE id = ?'),
      duePending: prepare(
        "SELECT * FROM sim_charges WHERE status = 'pending' AND created_at <= ? ORDER BY created_at LIMIT ?",
      ),
      insertWebhook: prepare(
        'INSERT INTO sim_webhook_outbox (event_id, type, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      ),
      storedResponse: prepare(
        'SELECT operation, request_hash, status_code, body FROM sim_idempotency WHERE idempotency_key = ? AND expires_at > ?',
      ),
      storeResponse: prepare(
        `INSERT INTO sim_idempotency (idempotency_key, operation, request_hash, status_code, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO UPDATE SET operation = excluded.operation, request_hash = excluded.request_hash, status_code = excluded.status_code,
           body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at WHERE sim_idempotency.expires_at <= excluded.created_at`,
      ),
      insertPayout: prepare(
        `INSERT INTO sim_payouts (idempotency_key, request_hash, payout_id, seller_id, destination, amount_minor, currency, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  get keyLifetime(): number {
    return this.keyLifetimeMs;
  }

  /**
   * Runs `work` in one immediate transaction: `psp serve` groups the requests of one event-loop
   * turn into one commit, and stores each response in it, atomically with its effect.
   */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Inside `atomically`: a savepoint, so one failed request never takes its batch down. */
  isolated<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Counts one more request with this key and returns how many have arrived, this one included. */
  countRequest(key: string): number {
    this.statements.countRequest.run(key);
    return Number(this.statements.requestCount.get(key) as bigint);
  }

  /** The following methods apply one request with no simulated network fault: `psp serve` has its own, on the wire. */
  chargeUnfaulted(request: ChargeRequest): ChargeResult {
    return this.applyCharge(request);
  }

  refundUnfaulted(request: RefundRequest): RefundResult {
    return this.applyRefund(request);
  }

  payoutUnfaulted(request: PayoutRequest): PayoutResult {
    return this.applyPayout(request);
  }

  /** The charge with this PSP reference as the wire shows it, settled first if its time has come. */
  chargeObject(reference: string): ChargeObject | undefined {
    const id = /^ch_sim_(\d{1,15})$/.exec(reference)?.[1];
    if (id === undefined) return undefined;
    return this.atomically(() => {
      const row = this.statements.chargeById.get(BigInt(id)) as ChargeRow | undefined;
      return row ? toChargeObject(this.settleIfDue(row)) : undefined;
    });
  }

  /** The latest charge for our order id, as the wire shows it. */
  chargeObjectByMerchantReference(merchantReference: string): ChargeObject | undefined {
    return this.atomically(() => {
      const row = this.statements.latestByMerchantReference.get(merchantReference) as
        | ChargeRow
        | undefined;
      return row ? toChargeObject(this.settleIfDue(row)) : undefined;
    });
  }

  /** Settles up to `limit` pending charges whose time has come (the server's timer); returns how many. */
  settleDue(limit: number): number {
    return this.atomically(() => {
      const cutoff = new Date(
        this.options.clock() - (this.options.pendingResolveMs ?? 0),
      ).toISOString();
      const rows = this.statements.duePending.all(cutoff, limit) as ChargeRow[];
      for (const row of rows) this.settleIfDue(row);
      return rows.length;
    });
  }

  storedResponse(key: string): StoredResponse | undefined {
    const row = this.statements.storedResponse.get(
      key,
      new Date(this.options.clock()).toISOString(),
    ) as { operation: string; request_hash: string; status_code: bigint; body: string } | undefined;
    return row
      ? {
          operation: row.operation,
          requestHash: row.request_hash,
          statusCode: Number(row.status_code),
          body: row.body,
        }
      : undefined;
  }

  /** Inside the transaction of the effect it answers. An expired entry for the key is replaced. */
  storeResponse(key: string, response: StoredResponse): void {
    const nowMs = this.options.clock();
    this.statements.storeResponse.run(
      key,
      response.operation,
      response.requestHash,
      response.statusCode,
      response.body,
      new Date(nowMs).toISOString(),
      new Date(nowMs + this.keyLifetimeMs).toISOString(),
    );
  }

  /** Forgets stored responses whose key lifetime is over (they would never be replayed again). */
  pruneExpiredResponses(limit: number): number {
    return this.atomically(() =>
      Number(
        this.db
          .prepare(
            'DELETE FROM sim_idempotency WHERE idempotency_key IN (SELECT idempotency_key FROM sim_idempotency WHERE expires_at <= ? LIMIT ?)',
          )
          .run(new Date(this.options.clock()).toISOString(), limit).changes,
      ),
    );
  }

  /** Webhook events due for delivery, oldest first. */
  dueWebhooks(limit: number): OutboxEvent[] {
    return (
      this.db
        .prepare(
          'SELECT id, event_id, body, attempts FROM sim_webhook_outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?',
        )
        .all(new Date(this.options.clock()).toISOString(), limit) as {
        id: bigint;
        event_id: string;
        body: string;
        attempts: bigint;
      }[]
    ).map((row) => ({
      id: row.id,
      eventId: row.event_id,
      body: row.body,
      attempts: Number(row.attempts),
    }));
  }

  /** Records delivery attempts: acknowledged, to be retried at a time, or given up. */
  recordDeliveries(
    outcomes: readonly {
      id: bigint;
      delivered: boolean;
      nextAttemptAt?: string;
      giveUp?: boolean;
      error?: string;
    }[],
  ): void {
    if (outcomes.length === 0) return;
    const now = new Date(this.options.clock()).toISOString();
    const delivered = this.db.prepare(
      'UPDATE sim_webhook_outbox SET attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?',
    );
    const failed = this.db.prepare(
      'UPDATE sim_webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, gave_up_at = ?, last_error = ? WHERE id = ?',
    );
    this.atomically(() => {
      for (const outcome of outcomes) {
        if (outcome.delivered) delivered.run(now, outcome.id);
        else
          failed.run(
            outcome.nextAttemptAt ?? now,
            outcome.giveUp ? now : null,
            outcome.error ?? null,
            outcome.id,
          );
      }
    });
  }

  /** Counts of the outbox, for the server's shutdown line and tests. */
  webhookCounts(): { delivered: number; waiting: number; gaveUp: number } {
    const row = this.db
      .prepare(
        'SELECT COUNT(delivered_at) AS delivered, SUM(delivered_at IS NULL AND gave_up_at IS NULL) AS waiting, COUNT(gave_up_at) AS gave_up FROM sim_webhook_outbox',
      )
      .get() as { delivered: bigint; waiting: bigint | null; gave_up: bigint };
    return {
      delivered: Number(row.delivered),
      waiting: Number(row.waiting ?? 0n),
      gaveUp: Number(row.gave_up),
    };
  }

  charge(requests: readonly ChargeRequest[]): ChargeResult[] {
    return this.db
      .transaction(() =>
        requests.map((request) =>
          this.overTheWire(request.idempotencyKey, () => this.applyCharge(request)),
        ),
      )
      .immediate();
  }

  lookupCharge(merchantReference: string): ChargeLookup {
    return this.db
      .transaction((): ChargeLookup => {
        const row = this.statements.latestByMerchantReference.get(merchantReference) as
          | ChargeRow
          | undefined;
        if (!row) return { found: false };
        return { found: true, result: this.toResult(this.settleIfDue(row)) };
      })
      .immediate();
  }

  /**
   * The newest refund (or transfer) recorded for payops' own id, whatever key made it: what an
   * executor asks before sending again past a key's lifetime. A scan (no index on these ids): it
   * happens only for work retried a day after its first attempt.
   */
  lookupRefund(refundId: string): Exclude<Lookup<RefundOutcome>, RetryableFailure> {
    const row = this.db
      .prepare(
        'SELECT id, status, decline_reason FROM sim_refunds WHERE refund_id = ? ORDER BY id DESC LIMIT 1',
      )
      .get(refundId) as TransferRow | undefined;
    return row
      ? { found: true, result: transferOutcome(row, refundReference(row.id)) }
      : { found: false };
  }

  lookupPayout(payoutId: string): Exclude<Lookup<PayoutOutcome>, RetryableFailure> {
    const row = this.db
      .prepare(
        'SELECT id, status, decline_reason FROM sim_payouts WHERE payout_id = ? ORDER BY id DESC LIMIT 1',
      )
      .get(payoutId) as TransferRow | undefined;
    return row
      ? { found: true, result: transferOutcome(row, payoutReference(row.id)) }
      : { found: false };
  }

  /**
   * Every charge the PSP recorded, sorted by merchant reference (our order id), streamed: `payops
   * check` merge-joins it with the orders, so memory stays flat whatever the size of the books.
   */
  *chargesByMerchantReference(): Generator<SimChargeRecord> {
    for (const row of this.db
      .prepare('SELECT * FROM sim_charges ORDER BY merchant_reference, id')
      .iterate() as Iterable<ChargeRow & { idempotency_key: string }>) {
      yield {
        reference: chargeReference(row.id),
        idempotencyKey: row.idempotency_key,
        merchantReference: row.merchant_reference,
        amountMinor: row.amount_minor,
        currency: row.currency as Currency,
        feeMinor: row.fee_minor,
        status: row.status,
        createdAt: row.created_at,
      };
    }
  }

  /** Every charge the PSP recorded, for `payops check` and settlement files. */
  charges(): SimChargeRecord[] {
    return (
      this.db.prepare('SELECT * FROM sim_charges ORDER BY id').all() as (ChargeRow & {
        idempotency_key: string;
      })[]
    ).map((row) => ({
      reference: chargeReference(row.id),
      idempotencyKey: row.idempotency_key,
      merchantReference: row.merchant_reference,
      amountMinor: row.amount_minor,
      currency: row.currency as Currency,
      feeMinor: row.fee_minor,
      status: row.status,
      createdAt: row.created_at,
    }));
  }

  /**
   * Every movement in [fromIso, toIso), in time order, streamed: what the PSP's settlement file
   * for that period lists, from the PSP's own books.
   */
  *movementsBetween(fromIso: string, toIso: string): Generator<SimMovement> {
    const rows = this.db
      .prepare(
        `SELECT 'capture' AS type, id, merchant_reference, currency, amount_minor AS gross, COALESCE(fee_minor, 0) AS fee, COALESCE(settled_at, created_at) AS at
           FROM sim_charges WHERE status = 'succeeded' AND COALESCE(settled_at, created_at) >= @from AND COALESCE(settled_at, created_at) < @to
         UNION ALL
         SELECT 'refund', r.id, c.merchant_reference, r.currency, -r.amount_minor, 0, r.created_at
           FROM sim_refunds r JOIN sim_charges c ON c.id = r.charge_id WHERE r.status = 'succeeded' AND r.created_at >= @from AND r.created_at < @to
         UNION ALL
         SELECT 'chargeback', d.id, c.merchant_reference, d.currency, -d.amount_minor, d.fee_minor, d.created_at
           FROM sim_disputes d JOIN sim_charges c ON c.id = d.charge_id WHERE d.created_at >= @from AND d.created_at < @to
         ORDER BY at, type, id`,
      )
      .iterate({ from: fromIso, to: toIso }) as Iterable<{
      type: SimMovement['type'];
      id: bigint;
      merchant_reference: string;
      currency: string;
      gross: bigint;
      fee: bigint;
      at: string;
    }>;
    for (const row of rows) {
      const reference =
        row.type === 'capture'
          ? chargeReference(row.id)
          : row.type === 'refund'
            ? refundReference(row.id)
            : disputeReference(row.id);
      yield {
        type: row.type,
        reference,
        merchantReference: row.merchant_reference,
        currency: row.currency as Currency,
        grossMinor: row.gross,
        feeMinor: row.fee,
        at: row.at,
      };
    }
  }

  /** Charges made in [fromIso, toIso) that the PSP declined or failed: it settled none of them. */
  *unsettledChargesBetween(fromIso: string, toIso: string): Generator<SimChargeRecord> {
    const rows = this.db
      .prepare(
        "SELECT * FROM sim_charges WHERE status IN ('declined', 'failed') AND created_at >= ? AND created_at < ? ORDER BY id",
      )
      .iterate(fromIso, toIso) as Iterable<ChargeRow & { idempotency_key: string }>;
    for (const row of rows) {
      yield {
        reference: chargeReference(row.id),
        idempotencyKey: row.idempotency_key,
        merchantReference: row.merchant_reference,
        amountMinor: row.amount_minor,
        currency: row.currency as Currency,
        feeMinor: row.fee_minor,
        status: row.status,
        createdAt: row.created_at,
      };
    }
  }

  /** How many requests arrived with each key, faulted ones included. */
  requestCounts(): Map<string, number> {
    const rows = this.db.prepare('SELECT idempotency_key, count FROM sim_requests').all() as {
      idempotency_key: string;
      count: bigint;
    }[];
    return new Map(rows.map((row) => [row.idempotency_key, Number(row.count)]));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  payout(requests: readonly PayoutRequest[]): PayoutResult[] {
    return this.db
      .transaction(() =>
        requests.map((request) =>
          this.overTheWire(request.idempotencyKey, () => this.applyPayout(request)),
        ),
      )
      .immediate();
  }

  refund(requests: readonly RefundRequest[]): RefundResult[] {
    return this.db
      .transaction(() =>
        requests.map((request) =>
          this.overTheWire(request.idempotencyKey, () => this.applyRefund(request)),
        ),
      )
      .immediate();
  }

  /**
   * Disputes: each captured charge is disputed, or not, by the seed (rate `dispute`), once, for
   * its full amount, with a 15.00 dispute fee in major units of its currency. Deciding happens
   * when disputes are listed (or on `psp serve`'s timer), so they appear after the charge, as in life.
   */
  disputes(): Dispute[] {
    return this.db
      .transaction(() => {
        this.decideDisputes();
        return (
          this.db
            .prepare(
              'SELECT d.*, c.merchant_reference FROM sim_disputes d JOIN sim_charges c ON c.id = d.charge_id ORDER BY d.id',
            )
            .all() as DisputeRow[]
        ).map(toDispute);
      })
      .immediate();
  }

  /**
   * Decides, by the seed, which captured charges not yet disputed are disputed now; returns how
   * many were. With webhooks on, each new dispute is announced by a `dispute.created` event written
   * in the same transaction. (`psp serve` calls this on a timer when the dispute rate is not 0.)
   */
  decideDisputes(): number {
    if (this.options.faults.dispute === 0) return 0;
    return this.atomically(() => {
      const now = new Date(this.options.clock()).toISOString();
      const candidates = this.db
        .prepare(
          "SELECT c.id, c.amount_minor, c.currency, c.merchant_reference FROM sim_charges c LEFT JOIN sim_disputes d ON d.charge_id = c.id WHERE c.status = 'succeeded' AND d.id IS NULL",
        )
        .all() as {
        id: bigint;
        amount_minor: bigint;
        currency: string;
        merchant_reference: string;
      }[];
      const insert = this.db.prepare(
        'INSERT INTO sim_disputes (charge_id, amount_minor, fee_minor, currency, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      let disputed = 0;
      for (const charge of candidates) {
        if (
          draw(this.options.seed, chargeReference(charge.id), 'dispute') >=
          this.options.faults.dispute
        )
          continue;
        const feeMinor = 15n * 10n ** BigInt(exponentOf(charge.currency as Currency));
        const id = BigInt(
          insert.run(charge.id, charge.amount_minor, feeMinor, charge.currency, now)
            .lastInsertRowid,
        );
        disputed++;
        if (this.options.webhooks) {
          const dispute = toDispute({
            id,
            charge_id: charge.id,
            amount_minor: charge.amount_minor,
            fee_minor: feeMinor,
            currency: charge.currency,
            created_at: now,
            merchant_reference: charge.merchant_reference,
          });
          this.recordEvent('dispute.created', disputeObject(dispute));
        }
      }
      return disputed;
    });
  }

  /** Every refund the PSP recorded, for `payops check`. */
  refunds(): { refundId: string; amountMinor: bigint; status: string }[] {
    return (
      this.db
        .prepare('SELECT refund_id, amount_minor, status FROM sim_refunds ORDER BY id')
        .all() as { refund_id: string; amount_minor: bigint; status: string }[]
    ).map((row) => ({
      refundId: row.refund_id,
      amountMinor: row.amount_minor,
      status: row.status,
    }));
  }

  /** Every transfer the PSP recorded, for `payops check`. */
  /** Runs `read` on one snapshot of the state file (see `inReadSnapshot`): its charges and payouts of one moment. */
  readSnapshot<T>(read: () => T): T {
    return inReadSnapshot(this.db, read);
  }

  payouts(): SimPayoutRecord[] {
    return (
      this.db.prepare('SELECT * FROM sim_payouts ORDER BY id').all() as {
        payout_id: string;
        idempotency_key: string;
        seller_id: string;
        amount_minor: bigint;
        currency: string;
        status: string;
        created_at: string;
      }[]
    ).map((row) => ({
      payoutId: row.payout_id,
      idempotencyKey: row.idempotency_key,
      sellerId: row.seller_id,
      amountMinor: row.amount_minor,
      currency: row.currency as Currency,
      status: row.status,
      createdAt: row.created_at,
    }));
  }

  /**
   * Counts the request and decides the faults that strike before it is processed. A rate of zero
   * never strikes whatever the draw, so no draw is made for it (here and below): the outcomes
   * are the same for every seed, without hashing for each request.
   */
  private networkFault(key: string): { attempt: number; fault?: RetryableFailure } {
    const attempt = this.countRequest(key);
    switch (faultBeforeProcessing(this.options.seed, this.options.faults, key, attempt)) {
      case undefined:
        return { attempt };
      case 'timeout':
        return {
          attempt,
          fault: {
            status: 'retryable',
            kind: 'timeout',
            sent: true,
            detail: 'simulated timeout before processing',
          },
        };
      case 'server_error':
        return {
          attempt,
          fault: {
            status: 'retryable',
            kind: 'server_error',
            sent: true,
            detail: 'simulated 503 Service Unavailable',
          },
        };
      case 'rate_limited':
        return {
          attempt,
          fault: {
            status: 'retryable',
            kind: 'rate_limited',
            sent: true,
            retryAfterMs: this.options.retryAfterMs ?? 1000,
            detail: 'simulated 429 Too Many Requests',
          },
        };
      case 'reset':
        return {
          attempt,
          fault: {
            status: 'retryable',
            kind: 'connection',
            sent: true,
            detail: 'simulated connection reset before processing',
          },
        };
    }
  }

  /** One operation as the wire would treat it: a fault before it is processed, or its answer, which may then be lost. */
  private overTheWire<R>(key: string, apply: () => R): R | RetryableFailure {
    const { attempt, fault } = this.networkFault(key);
    if (fault) return fault;
    const result = apply();
    return this.lostResponse(key, attempt) ?? result;
  }

  private lostResponse(key: string, attempt: number): RetryableFailure | undefined {
    return responseLost(this.options.seed, this.options.faults, key, attempt)
      ? {
          status: 'retryable',
          kind: 'timeout',
          sent: true,
          detail: 'simulated timeout: the PSP processed the request, the response was lost',
        }
      : undefined;
  }

  private applyRefund(request: RefundRequest): RefundResult {
    const key = request.idempotencyKey;
    const nowMs = this.options.clock();
    const now = new Date(nowMs).toISOString();
    const requestHash = sha256Hex(
      JSON.stringify([
        request.refundId,
        request.chargeReference,
        request.amountMinor.toString(),
        request.currency,
      ]),
    );
    const existing = this.db
      .prepare(
        'SELECT * FROM sim_refunds WHERE id = (SELECT MAX(id) FROM sim_refunds WHERE idempotency_key = ? AND key_expires_at > ?)',
      )
      .get(key, now) as (TransferRow & { request_hash: string }) | undefined;
    if (existing)
      return existing.request_hash === requestHash
        ? transferOutcome(existing, refundReference(existing.id))
        : keyReused(key);
    const chargeId = /^ch_sim_(\d+)$/.exec(request.chargeReference)?.[1];
    const charge =
      chargeId === undefined
        ? undefined
        : (this.db
            .prepare('SELECT id, amount_minor, status FROM sim_charges WHERE id = ?')
            .get(BigInt(chargeId)) as
            | { id: bigint; amount_minor: bigint; status: string }
            | undefined);
    const refunded = charge
      ? (
          this.db
            .prepare(
              "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM sim_refunds WHERE charge_id = ? AND status = 'succeeded'",
            )
            .get(charge.id) as { total: bigint }
        ).total
      : 0n;
    // A PSP never refunds more than it captured, whatever the merchant asks.
    const reason =
      !charge || charge.status !== 'succeeded'
        ? 'charge_not_captured'
        : BigInt(refunded) + request.amountMinor > charge.amount_minor
          ? 'amount_exceeds_charge'
          : null;
    const id = this.db
      .prepare(
        `INSERT INTO sim_refunds (idempotency_key, request_hash, refund_id, charge_id, amount_minor, currency, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        key,
        requestHash,
        request.refundId,
        charge?.id ?? 0n,
        request.amountMinor,
        request.currency,
        reason ? 'declined' : 'succeeded',
        reason,
        now,
        new Date(nowMs + this.keyLifetimeMs).toISOString(),
      ).lastInsertRowid;
    const reference = refundReference(BigInt(id));
    return reason
      ? { status: 'declined', pspReference: reference, reason }
      : { status: 'succeeded', pspReference: reference };
  }

  private applyPayout(request: PayoutRequest): PayoutResult {
    const key = request.idempotencyKey;
    const nowMs = this.options.clock();
    const requestHash = sha256Hex(
      JSON.stringify([
        request.payoutId,
        request.sellerId,
        request.destination,
        request.amountMinor.toString(),
        request.currency,
      ]),
    );
    const existing = this.statements.livePayoutByKey.get(key, new Date(nowMs).toISOString()) as
      | (TransferRow & { request_hash: string })
      | undefined;
    if (existing)
      return existing.request_hash === requestHash
        ? transferOutcome(existing, payoutReference(existing.id))
        : keyReused(key);
    const declined =
      this.options.faults.decline > 0 &&
      draw(this.options.seed, key, 'outcome') < this.options.faults.decline;
    const id = this.statements.insertPayout.run(
      key,
      requestHash,
      request.payoutId,
      request.sellerId,
      request.destination,
      request.amountMinor,
      request.currency,
      declined ? 'declined' : 'succeeded',
      declined ? 'account_closed' : null,
      new Date(nowMs).toISOString(),
      new Date(nowMs + this.keyLifetimeMs).toISOString(),
    ).lastInsertRowid;
    const reference = payoutReference(BigInt(id));
    return declined
      ? { status: 'declined', pspReference: reference, reason: 'account_closed' }
      : { status: 'succeeded', pspReference: reference };
  }

  /** A key reused with other parameters is refused and recorded nowhere: the first charge stands. */
  private applyCharge(request: ChargeRequest): ChargeResult {
    const nowMs = this.options.clock();
    const requestHash = hashRequest(request);
    const existing = this.statements.liveChargeByKey.get(
      request.idempotencyKey,
      new Date(nowMs).toISOString(),
    ) as ChargeRow | undefined;
    if (existing)
      return existing.request_hash === requestHash
        ? this.toResult(existing)
        : keyReused(request.idempotencyKey);
    return this.create(request, requestHash, nowMs);
  }

  private create(request: ChargeRequest, requestHash: string, nowMs: number): ChargeResult {
    const { seed, faults } = this.options;
    const outcome =
      faults.decline + faults.pending > 0 ? draw(seed, request.idempotencyKey, 'outcome') : 1;
    const declinedBy =
      DECLINING_TOKENS[request.paymentToken] ??
      (outcome < faults.decline ? 'card_declined' : undefined);
    const status = declinedBy
      ? 'declined'
      : outcome < faults.decline + faults.pending
        ? 'pending'
        : 'succeeded';
    const fee =
      status === 'succeeded'
        ? feeFor(this.options.feeRule, request.amountMinor, request.currency)
        : null;
    const id = this.statements.insertCharge.run(
      request.idempotencyKey,
      requestHash,
      request.merchantReference,
      request.amountMinor,
      request.currency,
      fee,
      status,
      declinedBy ?? null,
      new Date(nowMs).toISOString(),
      new Date(nowMs + this.keyLifetimeMs).toISOString(),
    ).lastInsertRowid;
    const reference = chargeReference(BigInt(id));
    if (this.options.webhooks)
      this.recordWebhook(this.statements.chargeById.get(BigInt(id)) as ChargeRow);
    if (status === 'declined')
      return { status, pspReference: reference, reason: declinedBy as string };
    if (status === 'pending') return { status, pspReference: reference };
    return { status, pspReference: reference, feeMinor: fee };
  }

  private settleIfDue(row: ChargeRow): ChargeRow {
    if (row.status !== 'pending') return row;
    const nowMs = this.options.clock();
    if (nowMs < Date.parse(row.created_at) + (this.options.pendingResolveMs ?? 0)) return row;
    const succeeds = draw(this.options.seed, chargeReference(row.id), 'pending-outcome') < 0.9;
    const status = succeeds ? 'succeeded' : 'failed';
    const fee = succeeds
      ? feeFor(this.options.feeRule, row.amount_minor, row.currency as Currency)
      : null;
    const reason = succeeds ? null : 'authentication_failed';
    const settledAt = new Date(nowMs).toISOString();
    this.statements.settle.run(status, fee, reason, settledAt, row.id);
    const settled: ChargeRow = {
      ...row,
      status,
      fee_minor: fee,
      decline_reason: reason,
      settled_at: settledAt,
    };
    if (this.options.webhooks) this.recordWebhook(settled);
    return settled;
  }

  /** In the transaction of the state change: the event exists if and only if the change does. */
  private recordWebhook(row: ChargeRow): void {
    const object = toChargeObject(row);
    this.recordEvent(`charge.${object.status}`, object);
  }

  private recordEvent(type: string, object: ChargeObject | DisputeObject): void {
    const now = new Date(this.options.clock()).toISOString();
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({ id: eventId, type, created: now, data: { object } });
    this.statements.insertWebhook.run(eventId, type, body, now, now);
  }

  private toResult(row: ChargeRow): ChargeOutcome {
    switch (row.status) {
      case 'succeeded':
        return {
          status: 'succeeded',
          pspReference: chargeReference(row.id),
          feeMinor: row.fee_minor,
        };
      case 'pending':
        return { status: 'pending', pspReference: chargeReference(row.id) };
      case 'declined':
      case 'failed':
        return {
          status: 'declined',
          pspReference: chargeReference(row.id),
          reason: row.decline_reason ?? 'declined',
        };
    }
  }
}

/** A refund or payout row as its outcome needs it. */
interface TransferRow {
  id: bigint;
  status: 'succeeded' | 'declined';
  decline_reason: string | null;
}

// A payout's outcome has the same shape as a refund's.
function transferOutcome(row: TransferRow, reference: string): RefundOutcome {
  return row.status === 'succeeded'
    ? { status: 'succeeded', pspReference: reference }
    : { status: 'declined', pspReference: reference, reason: row.decline_reason ?? 'declined' };
}

interface DisputeRow {
  id: bigint;
  charge_id: bigint;
  amount_minor: bigint;
  fee_minor: bigint;
  currency: string;
  created_at: string;
  merchant_reference: string;
}

function toDispute(row: DisputeRow): Dispute {
  return {
    disputeId: disputeReference(row.id),
    chargeReference: chargeReference(row.charge_id),
    merchantReference: row.merchant_reference,
    amountMinor: row.amount_minor,
    disputeFeeMinor: row.fee_minor,
    currency: row.currency as Currency,
    createdAt: row.created_at,
  };
}

/** A dispute as the wire shows it (`GET /v1/disputes`, `dispute.created` events). */
export interface DisputeObject {
  object: 'dispute';
  id: string;
  charge: string;
  merchantReference: string;
  amountMinor: string;
  feeMinor: string;
  currency: string;
  created: string;
}

export function disputeObject(dispute: Dispute): DisputeObject {
  return {
    object: 'dispute',
    id: dispute.disputeId,
    charge: dispute.chargeReference,
    merchantReference: dispute.merchantReference,
    amountMinor: dispute.amountMinor.toString(),
    feeMinor: dispute.disputeFeeMinor.toString(),
    currency: dispute.currency,
    created: dispute.createdAt,
  };
}

function keyReused(key: string): PspRejection {
  return {
    status: 'rejected',
    reason: 'idempotency_key_reused',
    detail: `idempotency key ${key} was already used with different parameters`,
  };
}

function toChargeObject(row: ChargeRow): ChargeObject {
  return {
    object: 'charge',
    id: chargeReference(row.id),
    status: row.status === 'declined' ? 'failed' : row.status,
    merchantReference: row.merchant_reference,
    amountMinor: row.amount_minor.toString(),
    currency: row.currency,
    feeMinor: row.fee_minor === null ? null : row.fee_minor.toString(),
    failureCode: row.decline_reason,
    created: row.created_at,
  };
}

/** The PSP's id for a charge, as it appears in answers and settlement files. */
function chargeReference(id: bigint): string {
  return `ch_sim_${id.toString().padStart(8, '0')}`;
}

function refundReference(id: bigint): string {
  return `re_sim_${id.toString().padStart(8, '0')}`;
}

function disputeReference(id: bigint): string {
  return `dp_sim_${id.toString().padStart(8, '0')}`;
}

function payoutReference(id: bigint): string {
  return `po_sim_${id.toString().padStart(8, '0')}`;
}

function hashRequest(request: ChargeRequest): string {
  return sha256Hex(
    JSON.stringify([
      request.merchantReference,
      request.amountMinor.toString(),
      request.currency,
      request.paymentToken,
    ]),
  );
}

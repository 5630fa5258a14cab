import { sha256Hex } from '../../sha256.js';
import { type Database, anyOf, inList, openComponentDatabase, rebuildTable, replaceOnce } from '../../db/index.js';
import { InvariantError } from '../../errors.js';
import { type Currency, exponentOf } from '../../money/index.js';
import type { Clock } from '../../time.js';
import { type FeeRule, feeFor } from '../fee-rule.js';
import type { ChargeLookup, ChargeRequest, ChargeResult, Dispute, PayoutRequest, PayoutResult, RefundRequest, RefundResult, RetryableFailure } from '../port.js';
import { type FaultRates, draw } from './faults.js';

export interface SimOptions {
  stateFile: string;
  seed: string;
  faults: FaultRates;
  feeRule: FeeRule;
  clock: Clock;
  /** How long a key is remembered; Stripe keeps them 24 hours. */
  keyLifetimeMs?: number;
  /** A pending charge settles at the first look-up this long after it was made. */
  pendingResolveMs?: number;
  retryAfterMs?: number;
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

/**
 * Version 2 writes the charge status check as comparisons: an IN list of more than two values
 * costs SQLite a temporary B-tree on every insert (see db/schema/checks.ts). Version 1 files are
 * rebuilt to it when opened.
 */
const SIM_SCHEMA_VERSION = 2;
const SIM_UPGRADES = {
  1: (db: Database) => rebuildTable(db, 'sim_charges', (sql) => replaceOnce(sql, inList('status', CHARGE_STATUSES), anyOf('status', CHARGE_STATUSES), 'sim_charges.status')),
};

const SIM_SCHEMA = `
CREATE TABLE sim_charges (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  merchant_reference TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  fee_minor INTEGER,
  status TEXT NOT NULL CHECK ${anyOf('status', CHARGE_STATUSES)},
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
 * The simulated PSP: keeps its own books in its own SQLite file, so idempotency holds across
 * processes and runs, decides faults deterministically from the seed, the key and how many times
 * that key has been sent, and can later write its settlement file from what it recorded.
 */
export class SimEngine {
  private readonly db: Database;
  private readonly statements;
  private readonly keyLifetimeMs: number;

  constructor(private readonly options: SimOptions) {
    this.db = openComponentDatabase(options.stateFile, SIM_SCHEMA, SIM_SCHEMA_VERSION, 'simulated PSP', SIM_UPGRADES);
    this.keyLifetimeMs = options.keyLifetimeMs ?? SIM_KEY_LIFETIME_MS;
    const prepare = (sql: string) => this.db.prepare(sql);
    this.statements = {
      // Not one statement with RETURNING: SQLite collects RETURNING rows in a temporary table.
      countRequest: prepare('INSERT INTO sim_requests (idempotency_key, count) VALUES (?, 1) ON CONFLICT (idempotency_key) DO UPDATE SET count = count + 1'),
      requestCount: prepare('SELECT count FROM sim_requests WHERE idempotency_key = ?').pluck(),
      // The newest live record of a key, as MAX(id) over the key's index range: `ORDER BY id DESC
      // LIMIT 1` there would sort in a temporary B-tree on every request.
      liveChargeByKey: prepare('SELECT * FROM sim_charges WHERE id = (SELECT MAX(id) FROM sim_charges WHERE idempotency_key = ? AND key_expires_at > ?)'),
      insertCharge: prepare(
        `INSERT INTO sim_charges (idempotency_key, request_hash, merchant_reference, amount_minor, currency, fee_minor, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      latestByMerchantReference: prepare('SELECT * FROM sim_charges WHERE merchant_reference = ? ORDER BY id DESC LIMIT 1'),
      settle: prepare('UPDATE sim_charges SET status = ?, fee_minor = ?, decline_reason = ?, settled_at = ? WHERE id = ?'),
      livePayoutByKey: prepare('SELECT * FROM sim_payouts WHERE id = (SELECT MAX(id) FROM sim_payouts WHERE idempotency_key = ? AND key_expires_at > ?)'),
      insertPayout: prepare(
        `INSERT INTO sim_payouts (idempotency_key, request_hash, payout_id, seller_id, destination, amount_minor, currency, status, decline_reason, created_at, key_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  get keyLifetime(): number {
    return this.keyLifetimeMs;
  }

  charge(requests: readonly ChargeRequest[]): ChargeResult[] {
    return this.db.transaction(() => requests.map((request) => this.chargeOne(request))).immediate();
  }

  lookupCharge(merchantReference: string): ChargeLookup {
    return this.db.transaction((): ChargeLookup => {
      const row = this.statements.latestByMerchantReference.get(merchantReference) as ChargeRow | undefined;
      if (!row) return { found: false };
      return { found: true, result: this.toResult(this.settleIfDue(row)) };
    }).immediate();
  }

  /**
   * Every charge the PSP recorded, sorted by merchant reference (our order id), streamed: `payops
   * check` merge-joins it with the orders, so memory stays flat whatever the size of the books.
   */
  *chargesByMerchantReference(): Generator<SimChargeRecord> {
    for (const row of this.db.prepare('SELECT * FROM sim_charges ORDER BY merchant_reference, id').iterate() as Iterable<ChargeRow & { idempotency_key: string }>) {
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
    return (this.db.prepare('SELECT * FROM sim_charges ORDER BY id').all() as (ChargeRow & { idempotency_key: string })[]).map((row) => ({
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

  /** How many requests arrived with each key, faulted ones included. */
  requestCounts(): Map<string, number> {
    const rows = this.db.prepare('SELECT idempotency_key, count FROM sim_requests').all() as { idempotency_key: string; count: bigint }[];
    return new Map(rows.map((row) => [row.idempotency_key, Number(row.count)]));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  payout(requests: readonly PayoutRequest[]): PayoutResult[] {
    return this.db.transaction(() => requests.map((request) => this.payoutOne(request))).immediate();
  }

  refund(requests: readonly RefundRequest[]): RefundResult[] {
    return this.db.transaction(() => requests.map((request) => this.refundOne(request))).immediate();
  }

  /**
   * Disputes: each captured charge is disputed, or not, by the seed (rate `dispute`), once, for
   * its full amount, with a 15.00 dispute fee in major units of its currency. Deciding happens
   * when disputes are listed, so they appear after the charge, as in life.
   */
  disputes(): Dispute[] {
    return this.db.transaction(() => {
      const now = new Date(this.options.clock()).toISOString();
      if (this.options.faults.dispute > 0) {
        const candidates = this.db
          .prepare("SELECT c.id, c.amount_minor, c.currency FROM sim_charges c LEFT JOIN sim_disputes d ON d.charge_id = c.id WHERE c.status = 'succeeded' AND d.id IS NULL")
          .all() as { id: bigint; amount_minor: bigint; currency: string }[];
        const insert = this.db.prepare('INSERT INTO sim_disputes (charge_id, amount_minor, fee_minor, currency, created_at) VALUES (?, ?, ?, ?, ?)');
        for (const charge of candidates) {
          if (draw(this.options.seed, chargeReference(charge.id), 'dispute') >= this.options.faults.dispute) continue;
          insert.run(charge.id, charge.amount_minor, 15n * 10n ** BigInt(exponentOf(charge.currency as Currency)), charge.currency, now);
        }
      }
      return (this.db
        .prepare('SELECT d.*, c.merchant_reference FROM sim_disputes d JOIN sim_charges c ON c.id = d.charge_id ORDER BY d.id')
        .all() as { id: bigint; charge_id: bigint; amount_minor: bigint; fee_minor: bigint; currency: string; created_at: string; merchant_reference: string }[]).map((row) => ({
        disputeId: `dp_sim_${row.id.toString().padStart(8, '0')}`,
        chargeReference: chargeReference(row.charge_id),
        merchantReference: row.merchant_reference,
        amountMinor: row.amount_minor,
        disputeFeeMinor: row.fee_minor,
        currency: row.currency as Currency,
        createdAt: row.created_at,
      }));
    }).immediate();
  }

  /** Every refund the PSP recorded, for `payops check`. */
  refunds(): { refundId: string; amountMinor: bigint; status: string }[] {
    return (this.db.prepare('SELECT refund_id, amount_minor, status FROM sim_refunds ORDER BY id').all() as { refund_id: string; amount_minor: bigint; status: string }[]).map((row) => ({
      refundId: row.refund_id,
      amountMinor: row.amount_minor,
      status: row.status,
    }));
  }

  /** Every transfer the PSP recorded, for `payops check`. */
  payouts(): SimPayoutRecord[] {
    return (this.db.prepare('SELECT * FROM sim_payouts ORDER BY id').all() as {
      payout_id: string; idempotency_key: string; seller_id: string; amount_minor: bigint; currency: string; status: string;
    }[]).map((row) => ({ payoutId: row.payout_id, idempotencyKey: row.idempotency_key, sellerId: row.seller_id, amountMinor: row.amount_minor, currency: row.currency as Currency, status: row.status }));
  }

  /**
   * Counts the request and decides the faults that strike before it is processed. A rate of zero
   * never strikes whatever the draw, so no draw is made for it (here and below): the outcomes
   * are the same for every seed, without hashing for each request.
   */
  private networkFault(key: string): { attempt: number; fault?: RetryableFailure } {
    const { seed, faults } = this.options;
    this.statements.countRequest.run(key);
    const attempt = Number(this.statements.requestCount.get(key) as bigint);
    if (faults.timeout + faults.serverError + faults.rateLimited === 0) return { attempt };
    const roll = draw(seed, key, attempt, 'network');
    if (roll < faults.timeout) return { attempt, fault: { status: 'retryable', kind: 'timeout', sent: true, detail: 'simulated timeout before processing' } };
    if (roll < faults.timeout + faults.serverError) return { attempt, fault: { status: 'retryable', kind: 'server_error', sent: true, detail: 'simulated 503 Service Unavailable' } };
    if (roll < faults.timeout + faults.serverError + faults.rateLimited) {
      return { attempt, fault: { status: 'retryable', kind: 'rate_limited', sent: true, retryAfterMs: this.options.retryAfterMs ?? 1000, detail: 'simulated 429 Too Many Requests' } };
    }
    return { attempt };
  }

  private lostResponse(key: string, attempt: number): RetryableFailure | undefined {
    return this.options.faults.lost > 0 && draw(this.options.seed, key, attempt, 'lost') < this.options.faults.lost
      ? { status: 'retryable', kind: 'timeout', sent: true, detail: 'simulated timeout: the PSP processed the request, the response was lost' }
      : undefined;
  }

  private refundOne(request: RefundRequest): RefundResult {
    const key = request.idempotencyKey;
    const { attempt, fault } = this.networkFault(key);
    if (fault) return fault;
    const nowMs = this.options.clock();
    const now = new Date(nowMs).toISOString();
    const requestHash = sha256Hex(JSON.stringify([request.refundId, request.chargeReference, request.amountMinor.toString(), request.currency]));
    const existing = this.db.prepare('SELECT * FROM sim_refunds WHERE id = (SELECT MAX(id) FROM sim_refunds WHERE idempotency_key = ? AND key_expires_at > ?)').get(key, now) as
      | { id: bigint; request_hash: string; status: 'succeeded' | 'declined'; decline_reason: string | null }
      | undefined;
    let result: RefundResult;
    if (existing) {
      if (existing.request_hash !== requestHash) throw new InvariantError(`idempotency key ${key} was reused with different parameters at the simulated PSP`);
      result = existing.status === 'succeeded'
        ? { status: 'succeeded', pspReference: refundReference(existing.id) }
        : { status: 'declined', pspReference: refundReference(existing.id), reason: existing.decline_reason ?? 'declined' };
    } else {
      const chargeId = /^ch_sim_(\d+)$/.exec(request.chargeReference)?.[1];
      const charge = chargeId === undefined ? undefined : (this.db.prepare('SELECT id, amount_minor, status FROM sim_charges WHERE id = ?').get(BigInt(chargeId)) as { id: bigint; amount_minor: bigint; status: string } | undefined);
      const refunded = charge ? (this.db.prepare("SELECT COALESCE(SUM(amount_minor), 0) AS total FROM sim_refunds WHERE charge_id = ? AND status = 'succeeded'").get(charge.id) as { total: bigint }).total : 0n;
      // A PSP never refunds more than it captured, whatever the merchant asks.
      const reason = !charge || charge.status !== 'succeeded' ? 'charge_not_captured' : BigInt(refunded) + request.amountMinor > charge.amount_minor ? 'amount_exceeds_charge' : null;
      const id = this.db
        .prepare(
          `INSERT INTO sim_refunds (idempotency_key, request_hash, refund_id, charge_id, amount_minor, currency, status, decline_reason, created_at, key_expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(key, requestHash, request.refundId, charge?.id ?? 0n, request.amountMinor, request.currency, reason ? 'declined' : 'succeeded', reason, now, new Date(nowMs + this.keyLifetimeMs).toISOString())
        .lastInsertRowid;
      const reference = refundReference(BigInt(id));
      result = reason ? { status: 'declined', pspReference: reference, reason } : { status: 'succeeded', pspReference: reference };
    }
    return this.lostResponse(key, attempt) ?? result;
  }

  private payoutOne(request: PayoutRequest): PayoutResult {
    const key = request.idempotencyKey;
    const { attempt, fault } = this.networkFault(key);
    if (fault) return fault;
    const nowMs = this.options.clock();
    const requestHash = sha256Hex(JSON.stringify([request.payoutId, request.sellerId, request.destination, request.amountMinor.toString(), request.currency]));
    const existing = this.statements.livePayoutByKey.get(key, new Date(nowMs).toISOString()) as
      | { id: bigint; request_hash: string; status: 'succeeded' | 'declined'; decline_reason: string | null }
      | undefined;
    let result: PayoutResult;
    if (existing) {
      if (existing.request_hash !== requestHash) throw new InvariantError(`idempotency key ${key} was reused with different parameters at the simulated PSP`);
      result = existing.status === 'succeeded'
        ? { status: 'succeeded', pspReference: payoutReference(existing.id) }
        : { status: 'declined', pspReference: payoutReference(existing.id), reason: existing.decline_reason ?? 'declined' };
    } else {
      const declined = this.options.faults.decline > 0 && draw(this.options.seed, key, 'outcome') < this.options.faults.decline;
      const id = this.statements.insertPayout.run(
        key, requestHash, request.payoutId, request.sellerId, request.destination, request.amountMinor, request.currency,
        declined ? 'declined' : 'succeeded', declined ? 'account_closed' : null,
        new Date(nowMs).toISOString(), new Date(nowMs + this.keyLifetimeMs).toISOString(),
      ).lastInsertRowid;
      const reference = payoutReference(BigInt(id));
      result = declined ? { status: 'declined', pspReference: reference, reason: 'account_closed' } : { status: 'succeeded', pspReference: reference };
    }
    return this.lostResponse(key, attempt) ?? result;
  }

  private chargeOne(request: ChargeRequest): ChargeResult {
    const { seed, faults } = this.options;
    const key = request.idempotencyKey;
    const { attempt, fault } = this.networkFault(key);
    if (fault) return fault;

    const nowMs = this.options.clock();
    const now = new Date(nowMs).toISOString();
    const requestHash = hashRequest(request);
    const existing = this.statements.liveChargeByKey.get(key, now) as ChargeRow | undefined;
    let result: ChargeResult;
    if (existing) {
      if (existing.request_hash !== requestHash) {
        throw new InvariantError(`idempotency key ${key} was reused with different parameters at the simulated PSP`);
      }
      result = this.toResult(existing);
    } else {
      result = this.create(request, requestHash, nowMs);
    }
    return this.lostResponse(key, attempt) ?? result;
  }

  private create(request: ChargeRequest, requestHash: string, nowMs: number): ChargeResult {
    const { seed, faults } = this.options;
    const outcome = faults.decline + faults.pending > 0 ? draw(seed, request.idempotencyKey, 'outcome') : 1;
    const declinedBy = DECLINING_TOKENS[request.paymentToken] ?? (outcome < faults.decline ? 'card_declined' : undefined);
    const status = declinedBy ? 'declined' : outcome < faults.decline + faults.pending ? 'pending' : 'succeeded';
    const fee = status === 'succeeded' ? feeFor(this.options.feeRule, request.amountMinor, request.currency) : null;
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
    if (status === 'declined') return { status, pspReference: reference, reason: declinedBy as string };
    if (status === 'pending') return { status, pspReference: reference };
    return { status, pspReference: reference, feeMinor: fee };
  }

  private settleIfDue(row: ChargeRow): ChargeRow {
    if (row.status !== 'pending') return row;
    const nowMs = this.options.clock();
    if (nowMs < Date.parse(row.created_at) + (this.options.pendingResolveMs ?? 0)) return row;
    const succeeds = draw(this.options.seed, chargeReference(row.id), 'pending-outcome') < 0.9;
    const status = succeeds ? 'succeeded' : 'failed';
    const fee = succeeds ? feeFor(this.options.feeRule, row.amount_minor, row.currency as Currency) : null;
    const reason = succeeds ? null : 'authentication_failed';
    this.statements.settle.run(status, fee, reason, new Date(nowMs).toISOString(), row.id);
    return { ...row, status, fee_minor: fee, decline_reason: reason };
  }

  private toResult(row: ChargeRow): Exclude<ChargeResult, { status: 'retryable' }> {
    switch (row.status) {
      case 'succeeded':
        return { status: 'succeeded', pspReference: chargeReference(row.id), feeMinor: row.fee_minor };
      case 'pending':
        return { status: 'pending', pspReference: chargeReference(row.id) };
      case 'declined':
      case 'failed':
        return { status: 'declined', pspReference: chargeReference(row.id), reason: row.decline_reason ?? 'declined' };
    }
  }
}

/** The PSP's id for a charge, as it appears in answers and settlement files. */
function chargeReference(id: bigint): string {
  return `ch_sim_${id.toString().padStart(8, '0')}`;
}

function refundReference(id: bigint): string {
  return `re_sim_${id.toString().padStart(8, '0')}`;
}

function payoutReference(id: bigint): string {
  return `po_sim_${id.toString().padStart(8, '0')}`;
}

function hashRequest(request: ChargeRequest): string {
  return sha256Hex(JSON.stringify([request.merchantReference, request.amountMinor.toString(), request.currency, request.paymentToken]));
}

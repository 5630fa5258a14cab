import { randomBytes } from 'node:crypto';
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
import {
  type ChargeRow,
  type DisputeRow,
  type SimStateSync,
  SimStore,
  type TransferRow,
} from './store.js';

export { SIM_SCHEMAS, SIM_STATE_IDENTITY } from './store.js';

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
  /** How the state file commits (see `SimStateSync`); `full` unless said. */
  stateSync?: SimStateSync;
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
 * The simulated PSP: keeps its own books in its own SQLite file, so idempotency holds across
 * processes and runs, decides faults deterministically from the seed, the key and how many times
 * that key has been sent, and can later write its settlement file from what it recorded.
 */
export class SimEngine {
  private readonly store: SimStore;
  private readonly keyLifetimeMs: number;
  /** Whether a fault is drawn from a request's number (how many came with its key before it). */
  private readonly numberedFaults: boolean;

  constructor(private readonly options: SimOptions) {
    this.store = new SimStore(options.stateFile, options.stateSync);
    this.keyLifetimeMs = options.keyLifetimeMs ?? SIM_KEY_LIFETIME_MS;
    const { faults } = options;
    this.numberedFaults =
      faults.timeout + faults.serverError + faults.rateLimited + faults.reset + faults.lost > 0;
  }

  get keyLifetime(): number {
    return this.keyLifetimeMs;
  }

  /**
   * Runs `work` in one immediate transaction: `psp serve` groups the requests of one event-loop
   * turn into one commit, and stores each response in it, atomically with its effect.
   */
  atomically<T>(work: () => T): T {
    return this.store.atomically(work);
  }

  /** Inside `atomically`: a savepoint, so one failed request never takes its batch down. */
  isolated<T>(work: () => T): T {
    return this.store.isolated(work);
  }

  /** Counts one more request with this key and returns how many have arrived, this one included. */
  countRequest(key: string): number {
    return Number(this.store.countRequest(key));
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
      const row = this.store.chargeById(BigInt(id));
      return row ? toChargeObject(this.settleIfDue(row)) : undefined;
    });
  }

  /** The latest charge for our order id, as the wire shows it. */
  chargeObjectByMerchantReference(merchantReference: string): ChargeObject | undefined {
    return this.atomically(() => {
      const row = this.store.latestChargeByMerchantReference(merchantReference);
      return row ? toChargeObject(this.settleIfDue(row)) : undefined;
    });
  }

  /** Settles up to `limit` pending charges whose time has come (the server's timer); returns how many. */
  settleDue(limit: number): number {
    return this.atomically(() => {
      const cutoff = new Date(
        this.options.clock() - (this.options.pendingResolveMs ?? 0),
      ).toISOString();
      const rows = this.store.duePendingCharges(cutoff, limit);
      for (const row of rows) this.settleIfDue(row);
      return rows.length;
    });
  }

  storedResponse(key: string): StoredResponse | undefined {
    const row = this.store.storedResponse(key, new Date(this.options.clock()).toISOString());
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
    this.store.storeResponse(
      key,
      response,
      new Date(nowMs).toISOString(),
      new Date(nowMs + this.keyLifetimeMs).toISOString(),
    );
  }

  /** Forgets stored responses whose key lifetime is over (they would never be replayed again). */
  pruneExpiredResponses(limit: number): number {
    return this.atomically(() =>
      this.store.pruneResponses(new Date(this.options.clock()).toISOString(), limit),
    );
  }

  /** Webhook events due for delivery, oldest first. */
  dueWebhooks(limit: number): OutboxEvent[] {
    return this.store
      .dueWebhooks(new Date(this.options.clock()).toISOString(), limit)
      .map((row) => ({
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
    this.atomically(() => {
      for (const outcome of outcomes) {
        if (outcome.delivered) this.store.webhookDelivered(outcome.id, now);
        else
          this.store.webhookFailed(
            outcome.id,
            outcome.nextAttemptAt ?? now,
            outcome.giveUp ? now : null,
            outcome.error ?? null,
          );
      }
    });
  }

  /** Counts of the outbox, for the server's shutdown line and tests. */
  webhookCounts(): { delivered: number; waiting: number; gaveUp: number } {
    const row = this.store.webhookCounts();
    return {
      delivered: Number(row.delivered),
      waiting: Number(row.waiting ?? 0n),
      gaveUp: Number(row.gave_up),
    };
  }

  charge(requests: readonly ChargeRequest[]): ChargeResult[] {
    return this.overTheWireAll(requests, (request) => this.applyCharge(request));
  }

  lookupCharge(merchantReference: string): ChargeLookup {
    return this.atomically((): ChargeLookup => {
      const row = this.store.latestChargeByMerchantReference(merchantReference);
      if (!row) return { found: false };
      return { found: true, result: this.toResult(this.settleIfDue(row)) };
    });
  }

  /**
   * The newest refund (or transfer) recorded for payops' own id, whatever key made it: what an
   * executor asks before sending again past a key's lifetime. A scan (no index on these ids): it
   * happens only for work retried a day after its first attempt.
   */
  lookupRefund(refundId: string): Exclude<Lookup<RefundOutcome>, RetryableFailure> {
    const row = this.store.latestRefundOf(refundId);
    return row
      ? { found: true, result: transferOutcome(row, refundReference(row.id)) }
      : { found: false };
  }

  lookupPayout(payoutId: string): Exclude<Lookup<PayoutOutcome>, RetryableFailure> {
    const row = this.store.latestPayoutOf(payoutId);
    return row
      ? { found: true, result: transferOutcome(row, payoutReference(row.id)) }
      : { found: false };
  }

  /**
   * Every charge the PSP recorded, sorted by merchant reference (our order id), streamed: `payops
   * check` merge-joins it with the orders, so memory stays flat whatever the size of the books.
   */
  *chargesByMerchantReference(): Generator<SimChargeRecord> {
    for (const row of this.store.chargesByMerchantReference()) yield chargeRecord(row);
  }

  /** Every charge the PSP recorded, for `payops check` and settlement files. */
  charges(): SimChargeRecord[] {
    return this.store.charges().map(chargeRecord);
  }

  /**
   * Every movement in [fromIso, toIso), in time order, streamed: what the PSP's settlement file
   * for that period lists, from the PSP's own books.
   */
  *movementsBetween(fromIso: string, toIso: string): Generator<SimMovement> {
    const rows = this.store.movementsBetween(fromIso, toIso);
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
        currency: row.currency,
        grossMinor: row.gross,
        feeMinor: row.fee,
        at: row.at,
      };
    }
  }

  /** Charges made in [fromIso, toIso) that the PSP declined or failed: it settled none of them. */
  *unsettledChargesBetween(fromIso: string, toIso: string): Generator<SimChargeRecord> {
    for (const row of this.store.unsettledChargesBetween(fromIso, toIso)) yield chargeRecord(row);
  }

  /** How many requests arrived with each key, faulted ones included. */
  requestCounts(): Map<string, number> {
    const rows = this.store.requestCounts();
    return new Map(rows.map((row) => [row.idempotency_key, Number(row.count)]));
  }

  close(): void {
    this.store.close();
  }

  payout(requests: readonly PayoutRequest[]): PayoutResult[] {
    return this.overTheWireAll(requests, (request) => this.applyPayout(request));
  }

  refund(requests: readonly RefundRequest[]): RefundResult[] {
    return this.overTheWireAll(requests, (request) => this.applyRefund(request));
  }

  /**
   * Disputes: each captured charge is disputed, or not, by the seed (rate `dispute`), once, for
   * its full amount, with a 15.00 dispute fee in major units of its currency. Deciding happens
   * when disputes are listed (or on `psp serve`'s timer), so they appear after the charge, as in life.
   */
  disputes(): Dispute[] {
    return this.atomically(() => {
      this.decideDisputes();
      return this.store.disputes().map(toDispute);
    });
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
      const candidates = this.store.undisputedCaptures();
      let disputed = 0;
      for (const charge of candidates) {
        if (
          draw(this.options.seed, chargeReference(charge.id), 'dispute') >=
          this.options.faults.dispute
        )
          continue;
        const feeMinor = 15n * 10n ** BigInt(exponentOf(charge.currency));
        const id = this.store.insertDispute({
          charge_id: charge.id,
          amount_minor: charge.amount_minor,
          fee_minor: feeMinor,
          currency: charge.currency,
          created_at: now,
        });
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
    return this.store.refunds().map((row) => ({
      refundId: row.refund_id,
      amountMinor: row.amount_minor,
      status: row.status,
    }));
  }

  /** Every transfer the PSP recorded, for `payops check`. */
  /** Runs `read` on one snapshot of the state file (see `inReadSnapshot`): its charges and payouts of one moment. */
  readSnapshot<T>(read: () => T): T {
    return this.store.readSnapshot(read);
  }

  payouts(): SimPayoutRecord[] {
    return this.store.payouts().map((row) => ({
      payoutId: row.payout_id,
      idempotencyKey: row.idempotency_key,
      sellerId: row.seller_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
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

  /**
   * A batch of requests in one transaction, each as the wire would treat it. With no fault rate
   * that depends on a request's number (before processing, or a lost answer), the numbers are
   * not read: every key is counted in one statement, then each request is applied, in order.
   */
  private overTheWireAll<Q extends { idempotencyKey: string }, R>(
    requests: readonly Q[],
    apply: (request: Q) => R,
  ): (R | RetryableFailure)[] {
    return this.atomically(() => {
      if (this.numberedFaults)
        return requests.map((request) =>
          this.overTheWire(request.idempotencyKey, () => apply(request)),
        );
      this.store.countRequests(requests.map((request) => request.idempotencyKey));
      return requests.map(apply);
    });
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
    const existing = this.store.liveRefundByKey(key, now);
    if (existing)
      return existing.request_hash === requestHash
        ? transferOutcome(existing, refundReference(existing.id))
        : keyReused(key);
    const chargeId = /^ch_sim_(\d+)$/.exec(request.chargeReference)?.[1];
    const charge = chargeId === undefined ? undefined : this.store.chargeToRefund(BigInt(chargeId));
    const refunded = charge ? this.store.refundedOfCharge(charge.id) : 0n;
    // A PSP never refunds more than it captured, whatever the merchant asks.
    const reason =
      charge?.status !== 'succeeded'
        ? 'charge_not_captured'
        : BigInt(refunded) + request.amountMinor > charge.amount_minor
          ? 'amount_exceeds_charge'
          : null;
    const id = this.store.insertRefund({
      idempotencyKey: key,
      requestHash,
      refundId: request.refundId,
      chargeId: charge?.id ?? 0n,
      amountMinor: request.amountMinor,
      currency: request.currency,
      status: reason ? 'declined' : 'succeeded',
      declineReason: reason,
      createdAt: now,
      keyExpiresAt: new Date(nowMs + this.keyLifetimeMs).toISOString(),
    });
    const reference = refundReference(id);
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
    const existing = this.store.livePayoutByKey(key, new Date(nowMs).toISOString());
    if (existing)
      return existing.request_hash === requestHash
        ? transferOutcome(existing, payoutReference(existing.id))
        : keyReused(key);
    const declined =
      this.options.faults.decline > 0 &&
      draw(this.options.seed, key, 'outcome') < this.options.faults.decline;
    const id = this.store.insertPayout({
      idempotencyKey: key,
      requestHash,
      payoutId: request.payoutId,
      sellerId: request.sellerId,
      destination: request.destination,
      amountMinor: request.amountMinor,
      currency: request.currency,
      status: declined ? 'declined' : 'succeeded',
      declineReason: declined ? 'account_closed' : null,
      createdAt: new Date(nowMs).toISOString(),
      keyExpiresAt: new Date(nowMs + this.keyLifetimeMs).toISOString(),
    });
    const reference = payoutReference(id);
    return declined
      ? { status: 'declined', pspReference: reference, reason: 'account_closed' }
      : { status: 'succeeded', pspReference: reference };
  }

  /** A key reused with other parameters is refused and recorded nowhere: the first charge stands. */
  private applyCharge(request: ChargeRequest): ChargeResult {
    const nowMs = this.options.clock();
    const now = new Date(nowMs).toISOString();
    const requestHash = hashRequest(request);
    const existing = this.store.liveChargeByKey(request.idempotencyKey, now);
    if (existing)
      return existing.request_hash === requestHash
        ? this.toResult(existing)
        : keyReused(request.idempotencyKey);
    return this.create(request, requestHash, nowMs, now);
  }

  private create(
    request: ChargeRequest,
    requestHash: string,
    nowMs: number,
    now: string,
  ): ChargeResult {
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
    const id = this.store.insertCharge({
      idempotencyKey: request.idempotencyKey,
      requestHash,
      merchantReference: request.merchantReference,
      amountMinor: request.amountMinor,
      currency: request.currency,
      feeMinor: fee,
      status,
      declineReason: declinedBy ?? null,
      createdAt: now,
      keyExpiresAt: new Date(nowMs + this.keyLifetimeMs).toISOString(),
    });
    const reference = chargeReference(id);
    if (this.options.webhooks) {
      const created = this.store.chargeById(id);
      if (created !== undefined) this.recordWebhook(created);
    }
    if (status === 'declined')
      return { status, pspReference: reference, reason: declinedBy ?? 'declined' };
    if (status === 'pending') return { status, pspReference: reference };
    return { status, pspReference: reference, feeMinor: fee };
  }

  private settleIfDue(row: ChargeRow): ChargeRow {
    if (row.status !== 'pending') return row;
    const nowMs = this.options.clock();
    if (nowMs < Date.parse(row.created_at) + (this.options.pendingResolveMs ?? 0)) return row;
    const succeeds = draw(this.options.seed, chargeReference(row.id), 'pending-outcome') < 0.9;
    const status: ChargeRow['status'] = succeeds ? 'succeeded' : 'failed';
    const fee = succeeds ? feeFor(this.options.feeRule, row.amount_minor, row.currency) : null;
    const reason = succeeds ? null : 'authentication_failed';
    const settledAt = new Date(nowMs).toISOString();
    const change = { status, fee_minor: fee, decline_reason: reason, settled_at: settledAt };
    this.store.settleCharge(row.id, change);
    const settled: ChargeRow = { ...row, ...change };
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
    this.store.insertWebhook(eventId, type, body, now);
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

// A payout's outcome has the same shape as a refund's.
function transferOutcome(row: TransferRow, reference: string): RefundOutcome {
  return row.status === 'succeeded'
    ? { status: 'succeeded', pspReference: reference }
    : { status: 'declined', pspReference: reference, reason: row.decline_reason ?? 'declined' };
}

function toDispute(row: DisputeRow): Dispute {
  return {
    disputeId: disputeReference(row.id),
    chargeReference: chargeReference(row.charge_id),
    merchantReference: row.merchant_reference,
    amountMinor: row.amount_minor,
    disputeFeeMinor: row.fee_minor,
    currency: row.currency,
    createdAt: row.created_at,
  };
}

function chargeRecord(row: ChargeRow): SimChargeRecord {
  return {
    reference: chargeReference(row.id),
    idempotencyKey: row.idempotency_key,
    merchantReference: row.merchant_reference,
    amountMinor: row.amount_minor,
    currency: row.currency,
    feeMinor: row.fee_minor,
    status: row.status,
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

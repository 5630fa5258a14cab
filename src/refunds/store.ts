import {
  BIRTH_QUERIES,
  type Database,
  type RefundBirthRow,
  type Statement,
  refundBirthMismatch,
} from '../db/index.js';
import { InvariantError } from '../errors.js';
import { type Currency, isCurrencyCode } from '../money/index.js';
import {
  type TransferStatus,
  assertTransferTransition,
  isTransferStatus,
} from '../payments/order-state.js';
import { type OrderOutcome, PaymentsStore } from '../payments/store.js';
import type { RefundedOrder } from './refunded-order.js';
import { executingRows } from '../work/leases/lease-store.js';
import { type LeaseJudge, judgeLeases } from '../work/leases/leases.js';

/** A refund taken into `executing` by this process (or read in `needs_attention`), with what the PSP call needs. */
export interface ClaimedRefund {
  id: bigint;
  refundId: string;
  orderId: string;
  amountMinor: bigint;
  currency: Currency;
  refundKey: string;
  chargeReference: string;
  /** Counting this one. */
  attempts: number;
  requeuedAtAttempt: number;
  /** When the first attempt was claimed: null until this claim sets it. */
  firstAttemptAt: string | null;
  /** The status it was read in: claimed from `created`, `retry_scheduled` or `dead_lettered`, or `needs_attention`. */
  fromStatus: TransferStatus;
}

const REFUND_COLUMNS = `r.id, r.refund_id, r.order_id, r.amount_minor, r.currency, r.refund_key, r.status, r.attempts,
  r.requeued_at_attempt, r.first_attempt_at, o.psp_reference`;

/**
 * The SQL of refunds as the work engine moves them: claims under a lease, guarded transitions
 * and their history, lease recovery, and the order's refund totals. Callers hold the transaction.
 */
export class RefundWorkStore {
  private readonly s;

  constructor(private readonly db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      leasedById: prepare('SELECT refund_id, attempts FROM refunds WHERE id = ?'),
      birthById: prepare(BIRTH_QUERIES.refundById),
      recover: prepare(
        `UPDATE refunds SET status = 'retry_scheduled', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                last_error = ?, updated_at = ? WHERE id = ? AND status = 'executing'`,
      ),
      due: prepare(
        `SELECT ${REFUND_COLUMNS} FROM refunds r JOIN orders o ON o.order_id = r.order_id
         WHERE r.psp = ? AND (r.status = 'created' OR (r.status = 'retry_scheduled' AND r.next_attempt_at <= ?)) ORDER BY r.id LIMIT ?`,
      ),
      deadLettered: prepare(
        `SELECT ${REFUND_COLUMNS} FROM refunds r JOIN orders o ON o.order_id = r.order_id
         WHERE r.refund_id = ? AND r.psp = ? AND r.status = 'dead_lettered'`,
      ),
      claim: prepare(
        `UPDATE refunds SET status = 'executing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                first_attempt_at = COALESCE(first_attempt_at, ?), next_attempt_at = NULL,
                requeued_at_attempt = CASE WHEN status = 'dead_lettered' THEN attempts ELSE requeued_at_attempt END, updated_at = ?
         WHERE id = ? AND status = ?`,
      ),
      finish: prepare(
        `UPDATE refunds SET status = ?, psp_reference = COALESCE(?, psp_reference), last_error = ?, next_attempt_at = ?,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND status = ? AND COALESCE(lease_owner, '') = ?`,
      ),
      transition: prepare(
        'INSERT INTO refund_transitions (refund_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      order: prepare(
        `SELECT order_id, seller_id, currency, amount_minor, platform_fee_minor, refunded_minor, refunded_share_minor, released_at FROM orders WHERE order_id = ?`,
      ),
      nextRetryAt: prepare(
        "SELECT MIN(next_attempt_at) AS at FROM refunds WHERE status = 'retry_scheduled' AND psp = ?",
      ),
      needingAttention: prepare(
        `SELECT ${REFUND_COLUMNS} FROM refunds r JOIN orders o ON o.order_id = r.order_id
         WHERE r.refund_id = ? AND r.status = 'needs_attention'`,
      ),
    };
  }

  /** Refunds whose lease ran out or whose owner is gone from this host go back to the retry queue, due now (same key). */
  recoverLeases(psp: string, at: string, judge: LeaseJudge): number {
    const verdicts = judgeLeases('refunds', executingRows(this.db, 'refunds', psp), at, judge);
    let recovered = 0;
    for (const { row, cause, error } of verdicts.recover) {
      const leased = record(this.s.leasedById.get(row.id), 'refunds');
      assertTransferTransition('refund', text(leased, 'refund_id'), 'executing', 'retry_scheduled');
      if (this.s.recover.run(at, error, at, row.id).changes !== 1) continue;
      const attempts = Number(integer(leased, 'attempts'));
      this.s.transition.run(row.id, 'executing', 'retry_scheduled', attempts, at, cause);
      recovered++;
    }
    return recovered;
  }

  /** Takes up to `limit` refunds that are new or due for retry into `executing` under a lease. */
  claimDue(
    psp: string,
    owner: string,
    leaseUntil: string,
    at: string,
    limit: number,
  ): ClaimedRefund[] {
    return this.s.due.all(psp, at, limit).map((row) => {
      const refund = claimedRefundOf(row);
      return this.claim(
        refund,
        owner,
        leaseUntil,
        at,
        refund.fromStatus === 'created' ? 'first attempt' : 'retry',
      );
    });
  }

  /** An operator's requeue: this PSP's dead-lettered refunds go straight back to `executing`. */
  claimDeadLettered(
    refundIds: readonly string[],
    psp: string,
    owner: string,
    leaseUntil: string,
    at: string,
    cause: string,
  ): ClaimedRefund[] {
    const claimed: ClaimedRefund[] = [];
    for (const refundId of refundIds) {
      const row = this.s.deadLettered.get(refundId, psp);
      if (row !== undefined)
        claimed.push(this.claim(claimedRefundOf(row), owner, leaseUntil, at, cause));
    }
    return claimed;
  }

  /** A refund in needs_attention as `attention resolve` books it (no lease: nothing is sent). */
  needingAttention(refundId: string): ClaimedRefund | undefined {
    const row = this.s.needingAttention.get(refundId);
    return row === undefined ? undefined : claimedRefundOf(row);
  }

  /** Why this refund's fields no longer prove themselves against its event, or undefined when they do. */
  birthMismatch(id: bigint): string | undefined {
    // The birth row's shape is checked by refundBirthMismatch itself, field by field.
    const row = this.s.birthById.get(id) as RefundBirthRow | undefined;
    return row === undefined ? 'it is gone from the books' : refundBirthMismatch(row);
  }

  /** Moves a refund from `from` if it is still there (and under `owner` when not empty); false when another process got there first. */
  finish(
    refund: ClaimedRefund,
    from: TransferStatus,
    owner: string,
    outcome: OrderOutcome,
    at: string,
    cause: string,
  ): boolean {
    const changed = this.s.finish.run(
      outcome.to,
      outcome.pspReference ?? null,
      outcome.error ?? null,
      outcome.nextAttemptAt ?? null,
      at,
      refund.id,
      from,
      owner,
    ).changes;
    if (changed === 1)
      this.s.transition.run(refund.id, from, outcome.to, refund.attempts, at, cause);
    return changed === 1;
  }

  nextRetryAt(psp: string): string | undefined {
    const row = record(this.s.nextRetryAt.get(psp), 'refunds');
    return textOrNull(row, 'at') ?? undefined;
  }

  /** The refunded order's amounts, as a split reads them. */
  refundedOrder(orderId: string): RefundedOrder {
    const row = record(this.s.order.get(orderId), `orders (order ${orderId})`);
    const currency = text(row, 'currency');
    if (!isCurrencyCode(currency))
      throw new InvariantError(`order ${orderId}: unknown currency ${currency}`);
    return {
      orderId: text(row, 'order_id'),
      sellerId: text(row, 'seller_id'),
      currency,
      amountMinor: integer(row, 'amount_minor'),
      platformFeeMinor: integer(row, 'platform_fee_minor'),
      refundedMinor: integer(row, 'refunded_minor'),
      refundedShareMinor: integer(row, 'refunded_share_minor'),
      released: textOrNull(row, 'released_at') !== null,
    };
  }

  addRefunded(
    orderId: string,
    amountMinor: bigint,
    shareMinor: bigint,
    fromPendingMinor: bigint,
    at: string,
  ): void {
    this.orders().addRefunded(orderId, amountMinor, shareMinor, fromPendingMinor, at);
  }

  /** A declined refund gives its reservation on the order back. */
  unreserve(orderId: string, amountMinor: bigint, at: string): void {
    this.orders().unreserveRefund(orderId, amountMinor, at);
  }

  private claim(
    refund: ClaimedRefund,
    owner: string,
    leaseUntil: string,
    at: string,
    cause: string,
  ): ClaimedRefund {
    assertTransferTransition('refund', refund.refundId, refund.fromStatus, 'executing');
    if (this.s.claim.run(owner, leaseUntil, at, at, refund.id, refund.fromStatus).changes !== 1)
      throw new InvariantError(`refund ${refund.refundId} changed under an immediate transaction`);
    const attempts = refund.attempts + 1;
    this.s.transition.run(
      refund.id,
      refund.fromStatus,
      'executing',
      attempts,
      at,
      `${cause}; key ${refund.refundKey}; lease ${owner}`,
    );
    // A requeued refund starts a fresh retry budget from the attempts it had used.
    const requeuedAtAttempt =
      refund.fromStatus === 'dead_lettered' ? refund.attempts : refund.requeuedAtAttempt;
    return { ...refund, attempts, requeuedAtAttempt };
  }

  // Appended for the owning-stores step: orders are written through their owner, PaymentsStore;
  // a refund's birth (intake) is written here, the refunds table's owner.
  private ordersStore: PaymentsStore | undefined;
  private insertStatements: { refund: Statement; transition: Statement } | undefined;

  private orders(): PaymentsStore {
    this.ordersStore ??= new PaymentsStore(this.db);
    return this.ordersStore;
  }

  /** A refund accepted at intake, `created`, with its first transition; returns its row id. */
  insertCreated(refund: NewRefund, cause: string): bigint {
    this.insertStatements ??= {
      refund: this.db.prepare(
        `INSERT INTO refunds (refund_id, order_id, currency, amount_minor, reason, refund_key, psp, status, created_at, updated_at, birth_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)`,
      ),
      transition: this.db.prepare(
        'INSERT INTO refund_transitions (refund_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, 0, ?, ?)',
      ),
    };
    const id = BigInt(
      this.insertStatements.refund.run(
        refund.refundId,
        refund.orderId,
        refund.currency,
        refund.amountMinor,
        refund.reason,
        refund.refundKey,
        refund.psp,
        refund.createdAt,
        refund.createdAt,
        refund.birthHash,
      ).lastInsertRowid,
    );
    this.insertStatements.transition.run(id, null, 'created', refund.createdAt, cause);
    return id;
  }
}

/** A refund as intake accepts it. */
export interface NewRefund {
  refundId: string;
  orderId: string;
  currency: Currency;
  amountMinor: bigint;
  reason: string;
  refundKey: string;
  psp: string;
  createdAt: string;
  birthHash: string;
}

/** A refunds row joined with its order's charge reference, checked as it is read. */
function claimedRefundOf(value: unknown): ClaimedRefund {
  const row = record(value, 'refunds');
  const status = text(row, 'status');
  const currency = text(row, 'currency');
  if (!isTransferStatus(status)) throw new InvariantError(`refunds: unknown status ${status}`);
  if (!isCurrencyCode(currency)) throw new InvariantError(`refunds: unknown currency ${currency}`);
  return {
    id: integer(row, 'id'),
    refundId: text(row, 'refund_id'),
    orderId: text(row, 'order_id'),
    amountMinor: integer(row, 'amount_minor'),
    currency,
    refundKey: text(row, 'refund_key'),
    chargeReference: textOrNull(row, 'psp_reference') ?? '',
    attempts: Number(integer(row, 'attempts')),
    requeuedAtAttempt: Number(integer(row, 'requeued_at_attempt')),
    firstAttemptAt: textOrNull(row, 'first_attempt_at'),
    fromStatus: status,
  };
}

type Row = Readonly<Record<string, unknown>>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null;
}

function record(value: unknown, where: string): Row {
  if (!isRow(value)) throw new InvariantError(`${where}: expected a row, read ${String(value)}`);
  return value;
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string')
    throw new InvariantError(`column ${column}: expected text, read ${typeof value}`);
  return value;
}

function textOrNull(row: Row, column: string): string | null {
  const value = row[column];
  return value === null ? null : text(row, column);
}

/** The database runs with safe integers: every INTEGER column reads as a bigint. */
function integer(row: Row, column: string): bigint {
  const value = row[column];
  if (typeof value !== 'bigint')
    throw new InvariantError(`column ${column}: expected an integer, read ${typeof value}`);
  return value;
}

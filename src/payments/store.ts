import {
  BIRTH_QUERIES,
  type Database,
  type OrderBirthRow,
  type ShapeRow,
  type Statement,
  orderBirthHash,
  orderBirthMismatch,
  readRow,
  rowShape,
} from '../db/index.js';
import type { Currency } from '../money/index.js';
import type { PayInEvent, PaymentEvent } from './events.js';
import { executingRows } from '../work/leases/lease-store.js';
import { type LeaseJudge, judgeLeases } from '../work/leases/leases.js';
import { type OrderStatus, assertTransition } from './order-state.js';

/** An order taken into `executing` by this process, with what the PSP call needs. */
export interface ClaimedOrder {
  id: bigint;
  orderId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  platformFeeMinor: bigint;
  paymentToken: string;
  chargeKey: string;
  /** Counting this one. */
  attempts: number;
  requeuedAtAttempt: number;
  firstAttemptAt: string;
  fromStatus: OrderStatus;
}

export interface OrderOutcome {
  to: OrderStatus;
  pspReference?: string | null;
  pspFeeMinor?: bigint | null;
  error?: string | null;
  nextAttemptAt?: string | null;
}

interface ClaimRow {
  id: bigint;
  order_id: string;
  seller_id: string;
  currency: string;
  amount_minor: bigint;
  platform_fee_minor: bigint;
  payment_token: string;
  charge_key: string;
  attempts: bigint;
  requeued_at_attempt: bigint;
  first_attempt_at: string | null;
  status: OrderStatus;
}

/** A claim's row: with the rest of the fields the order was born with, for its birth check. */
interface ClaimBirthRow extends ClaimRow {
  event_id: string;
  payer_id: string;
  metadata: string;
  psp: string;
  created_at: string;
  birth_hash: string;
}

const CLAIM_COLUMNS = `id, order_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, charge_key, attempts,
  requeued_at_attempt, first_attempt_at, status, event_id, payer_id, metadata, psp, created_at, birth_hash`;

/**
 * What a claim reads. Both walk orders_by_status (status, psp, next_attempt_at) in its own order,
 * so a claim costs its batch and not a sort of every waiting order, which made a run quadratic in
 * its size; test/payments/store.test.ts asserts the plans. A new order never has a next attempt
 * time (only a retry is scheduled), so `IS NULL` selects all of them.
 */
export const CLAIM_QUERIES = {
  newOrders: `SELECT ${CLAIM_COLUMNS} FROM orders WHERE status = 'created' AND psp = ? AND next_attempt_at IS NULL ORDER BY id LIMIT ?`,
  dueRetries: `SELECT ${CLAIM_COLUMNS} FROM orders WHERE status = 'retry_scheduled' AND psp = ? AND next_attempt_at <= ?
               ORDER BY next_attempt_at, id LIMIT ?`,
  // `orders sync` walks pending orders in pages; a pending order has no next attempt time either.
  pendingAfter: `SELECT ${CLAIM_COLUMNS} FROM orders WHERE status = 'pending' AND psp = ? AND next_attempt_at IS NULL AND id > ? ORDER BY id LIMIT ?`,
} as const;

/** The PSP idempotency key of an order's charge: the same on every attempt, in every process. */
function chargeKeyOf(orderId: string): string {
  return `payops-${orderId}-charge`;
}

/**
 * All SQL of pay-in orders: intake rows, claims with leases, guarded transitions and their
 * history. Callers hold the transaction; every method here is a step inside one.
 */
export class PaymentsStore {
  private readonly s;

  constructor(private readonly db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      eventsByIds: prepare(
        'SELECT event_id, content_hash FROM events WHERE event_id IN (SELECT value FROM json_each(?))',
      ),
      ordersByIds: prepare(
        'SELECT order_id, event_id FROM orders WHERE order_id IN (SELECT value FROM json_each(?))',
      ),
      insertEvent: prepare(
        `INSERT INTO events (event_id, type, content_hash, occurred_at, source, received_at, order_count)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertOrder: prepare(
        `INSERT INTO orders (order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token,
                             metadata, psp, charge_key, status, created_at, updated_at, birth_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)`,
      ),
      insertTransition: prepare(
        'INSERT INTO order_transitions (order_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      leasedById: prepare('SELECT order_id, attempts FROM orders WHERE id = ?'),
      birthById: prepare(BIRTH_QUERIES.orderById),
      claimableNew: prepare(CLAIM_QUERIES.newOrders),
      claimableRetries: prepare(CLAIM_QUERIES.dueRetries),
      byOrderIdForClaim: prepare(
        `SELECT ${CLAIM_COLUMNS} FROM orders WHERE order_id = ? AND psp = ?`,
      ),
      pending: prepare(CLAIM_QUERIES.pendingAfter),
      claim: prepare(
        `UPDATE orders SET status = 'executing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                first_attempt_at = COALESCE(first_attempt_at, ?), next_attempt_at = NULL,
                requeued_at_attempt = CASE WHEN status = 'dead_lettered' THEN attempts ELSE requeued_at_attempt END,
                updated_at = ?
         WHERE id = ? AND status = ?`,
      ),
      finish: prepare(
        `UPDATE orders SET status = ?, psp_reference = COALESCE(?, psp_reference), psp_fee_minor = COALESCE(?, psp_fee_minor),
                last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE id = ? AND status = ? AND COALESCE(lease_owner, '') = ?`,
      ),
      finishIgnoringLease: prepare(
        `UPDATE orders SET status = ?, last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE id = ? AND status = ?`,
      ),
    };
  }

  /** Which of these events exist already, with their content hashes. */
  existingEvents(eventIds: readonly string[]): Map<string, string> {
    const rows = this.s.eventsByIds.all(JSON.stringify(eventIds)) as {
      event_id: string;
      content_hash: string;
    }[];
    return new Map(rows.map((row) => [row.event_id, row.content_hash]));
  }

  /** Which of these order ids exist already, with the event each belongs to. */
  existingOrders(orderIds: readonly string[]): Map<string, string> {
    const rows = this.s.ordersByIds.all(JSON.stringify(orderIds)) as {
      order_id: string;
      event_id: string;
    }[];
    return new Map(rows.map((row) => [row.order_id, row.event_id]));
  }

  /** Records an accepted event (its id is the client's idempotency key). */
  insertEvent(event: PaymentEvent, source: string, at: string): void {
    this.s.insertEvent.run(
      event.eventId,
      event.type,
      event.contentHash,
      event.occurredAt,
      source,
      at,
      event.type === 'pay_in' ? event.orders.length : 0,
    );
  }

  insertPayIn(event: PayInEvent, source: string, psp: string, at: string): void {
    this.insertEvent(event, source, at);
    for (const order of event.orders) {
      const birth = {
        eventContentHash: event.contentHash,
        orderId: order.orderId,
        eventId: event.eventId,
        payerId: event.payerId,
        sellerId: order.sellerId,
        currency: event.currency,
        amountMinor: order.amountMinor,
        platformFeeMinor: order.platformFeeMinor,
        paymentToken: event.paymentToken,
        metadata: order.metadata,
        psp,
        chargeKey: chargeKeyOf(order.orderId),
        createdAt: at,
      };
      const id = this.s.insertOrder.run(
        birth.orderId,
        birth.eventId,
        birth.payerId,
        birth.sellerId,
        birth.currency,
        birth.amountMinor,
        birth.platformFeeMinor,
        birth.paymentToken,
        birth.metadata,
        birth.psp,
        birth.chargeKey,
        at,
        at,
        orderBirthHash(birth),
      ).lastInsertRowid;
      this.s.insertTransition.run(
        id,
        null,
        'created',
        0,
        at,
        `event ${event.eventId} from ${source}`,
      );
    }
  }

  /**
   * Orders left in `executing` by a process whose lease ran out or that is gone from this host
   * (crashed, killed) go back to the retry queue, due now; the next claim retries them with the
   * same key. Orders under another live or remote process's lease are left alone.
   */
  recoverLeases(psp: string, at: string, judge: LeaseJudge): number {
    const verdicts = judgeLeases('orders', executingRows(this.db, 'orders', psp), at, judge);
    for (const { row, cause, error } of verdicts.recover) {
      const order = this.s.leasedById.get(row.id) as { order_id: string; attempts: bigint };
      this.finish(
        { id: row.id, orderId: order.order_id, attempts: Number(order.attempts) },
        'executing',
        null,
        { to: 'retry_scheduled', error, nextAttemptAt: at },
        at,
        cause,
        true,
      );
    }
    return verdicts.recover.length;
  }

  /** Takes up to `limit` orders that are new or due for retry into `executing` under a lease. */
  claimDue(
    psp: string,
    owner: string,
    leaseExpiresAt: string,
    at: string,
    limit: number,
  ): ClaimedOrder[] {
    const rows = this.s.claimableNew.all(psp, limit) as ClaimBirthRow[];
    if (rows.length < limit)
      rows.push(...(this.s.claimableRetries.all(psp, at, limit - rows.length) as ClaimBirthRow[]));
    this.rememberBirths(rows);
    return rows.map((row) =>
      this.claimRow(
        row,
        owner,
        leaseExpiresAt,
        at,
        row.status === 'created' ? 'first attempt' : 'retry',
      ),
    );
  }

  /** An operator's requeue: dead-lettered orders go straight back to `executing`. */
  claimDeadLettered(
    orderIds: readonly string[],
    psp: string,
    owner: string,
    leaseExpiresAt: string,
    at: string,
    cause: string,
  ): ClaimedOrder[] {
    const rows = orderIds
      .map((orderId) => this.s.byOrderIdForClaim.get(orderId, psp) as ClaimBirthRow | undefined)
      .filter((row): row is ClaimBirthRow => row !== undefined && row.status === 'dead_lettered');
    this.rememberBirths(rows);
    return rows.map((row) => this.claimRow(row, owner, leaseExpiresAt, at, cause));
  }

  /**
   * Why this order's fields no longer prove themselves against its event (the hash recorded at
   * intake), or undefined when they do. Read in the claim's transaction: what is checked is what
   * is sent. An order of the last claim is checked as that claim read it (the very fields sent),
   * once; any other is read here.
   */
  birthMismatch(id: bigint): string | undefined {
    const claimed = this.claimedBirths.get(id);
    if (claimed !== undefined) {
      this.claimedBirths.delete(id);
      return orderBirthMismatch(claimed);
    }
    const row = this.s.birthById.get(id) as OrderBirthRow | undefined;
    return row === undefined ? 'it is gone from the books' : orderBirthMismatch(row);
  }

  /** The claim's orders at birth, by id, until checked; their events' hashes in one look-up (a missing event reads null). */
  private readonly claimedBirths = new Map<bigint, OrderBirthRow>();

  private rememberBirths(rows: readonly ClaimBirthRow[]): void {
    this.claimedBirths.clear();
    if (rows.length === 0) return;
    const contentHashes = this.existingEvents([...new Set(rows.map((row) => row.event_id))]);
    for (const row of rows)
      this.claimedBirths.set(row.id, {
        order_id: row.order_id,
        event_id: row.event_id,
        payer_id: row.payer_id,
        seller_id: row.seller_id,
        currency: row.currency,
        amount_minor: row.amount_minor,
        platform_fee_minor: row.platform_fee_minor,
        payment_token: row.payment_token,
        metadata: row.metadata,
        psp: row.psp,
        charge_key: row.charge_key,
        created_at: row.created_at,
        birth_hash: row.birth_hash,
        content_hash: contentHashes.get(row.event_id) ?? null,
      });
  }

  /** An order as an outcome recorder needs it, in whatever state it is, with its PSP and reference. */
  orderForOutcome(
    orderId: string,
  ): (ClaimedOrder & { psp: string; pspReference: string | null }) | undefined {
    const row = this.db
      .prepare(
        `SELECT id, order_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, charge_key, attempts,
                requeued_at_attempt, first_attempt_at, status, psp, psp_reference
         FROM orders WHERE order_id = ?`,
      )
      .get(orderId) as (ClaimRow & { psp: string; psp_reference: string | null }) | undefined;
    return row
      ? { ...toClaimed(row, row.status), psp: row.psp, pspReference: row.psp_reference }
      : undefined;
  }

  deadLetteredOrderIds(psp: string): string[] {
    return (
      this.db
        .prepare(
          "SELECT order_id FROM orders WHERE status = 'dead_lettered' AND psp = ? ORDER BY id",
        )
        .all(psp) as { order_id: string }[]
    ).map((row) => row.order_id);
  }

  pendingOrders(psp: string, limit: number, afterId: bigint): ClaimedOrder[] {
    const rows = this.s.pending.all(psp, afterId, limit) as ClaimRow[];
    return rows.map((row) => toClaimed(row, row.status));
  }

  /** These orders, those of them still `pending` at this PSP. */
  pendingOrdersByIds(psp: string, orderIds: readonly string[]): ClaimedOrder[] {
    if (orderIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT id, order_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, charge_key, attempts,
                requeued_at_attempt, first_attempt_at, status
         FROM orders WHERE order_id IN (SELECT value FROM json_each(?)) AND status = 'pending' AND psp = ? ORDER BY id`,
      )
      .all(JSON.stringify(orderIds), psp) as ClaimRow[];
    return rows.map((row) => toClaimed(row, row.status));
  }

  /**
   * Moves an order from `from` to `outcome.to` if it is still in `from` and, when `owner` is
   * given, still leased to `owner`. Returns false when another process got there first.
   */
  finish(
    order: { id: bigint; orderId: string; attempts: number },
    from: OrderStatus,
    owner: string | null,
    outcome: OrderOutcome,
    at: string,
    cause: string,
    ignoreLease = false,
  ): boolean {
    assertTransition(order.orderId, from, outcome.to);
    const changed = ignoreLease
      ? this.s.finishIgnoringLease.run(
          outcome.to,
          outcome.error ?? null,
          outcome.nextAttemptAt ?? null,
          at,
          order.id,
          from,
        ).changes
      : this.s.finish.run(
          outcome.to,
          outcome.pspReference ?? null,
          outcome.pspFeeMinor ?? null,
          outcome.error ?? null,
          outcome.nextAttemptAt ?? null,
          at,
          order.id,
          from,
          owner ?? '',
        ).changes;
    if (changed === 1)
      this.s.insertTransition.run(order.id, from, outcome.to, order.attempts, at, cause);
    return changed === 1;
  }

  private claimRow(
    row: ClaimRow,
    owner: string,
    leaseExpiresAt: string,
    at: string,
    cause: string,
  ): ClaimedOrder {
    assertTransition(row.order_id, row.status, 'executing');
    const changed = this.s.claim.run(owner, leaseExpiresAt, at, at, row.id, row.status).changes;
    if (changed !== 1)
      throw new Error(`order ${row.order_id} changed under an immediate transaction`);
    const claimed = toClaimed(row, row.status);
    claimed.attempts += 1;
    if (row.status === 'dead_lettered') claimed.requeuedAtAttempt = Number(row.attempts);
    claimed.firstAttemptAt = row.first_attempt_at ?? at;
    this.s.insertTransition.run(
      row.id,
      row.status,
      'executing',
      claimed.attempts,
      at,
      `${cause}; key ${row.charge_key}; lease ${owner}`,
    );
    return claimed;
  }

  // The methods below serve the other folders' writers of orders (releases, refund intake,
  // chargebacks, the refund kind), each in its caller's transaction. Their statements are prepared
  // on first use: a caller that needs one of them does not prepare the claims' statements.
  private readonly onFirstUse = new Map<string, Statement>();

  private statement(sql: string): Statement {
    let statement = this.onFirstUse.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.onFirstUse.set(sql, statement);
    }
    return statement;
  }

  /** An order as a `pay_out` release judges it. */
  releasableOrder(orderId: string): ReleasableOrder | undefined {
    return readRow(RELEASABLE_ORDER, this.statement(ORDER_SQL.releasable).get(orderId));
  }

  /** Marks an order released by this pay_out event; false if it was released already. */
  markReleased(orderId: string, eventId: string, at: string): boolean {
    return this.statement(ORDER_SQL.markReleased).run(at, eventId, at, orderId).changes === 1;
  }

  /** An order as a `refund` event's intake judges it. */
  refundableOrder(orderId: string): RefundableOrder | undefined {
    return readRow(REFUNDABLE_ORDER, this.statement(ORDER_SQL.refundable).get(orderId));
  }

  /** Reserves a refund's amount on its order; false when it no longer fits in what was captured. */
  reserveRefund(orderId: string, amountMinor: bigint, at: string): boolean {
    return (
      this.statement(ORDER_SQL.reserveRefund).run(amountMinor, at, orderId, amountMinor).changes ===
      1
    );
  }

  /** A refund paid out: the order's refunded totals grow (its reservation was taken at intake). */
  addRefunded(
    orderId: string,
    amountMinor: bigint,
    shareMinor: bigint,
    fromPendingMinor: bigint,
    at: string,
  ): void {
    this.statement(ORDER_SQL.addRefunded).run(
      amountMinor,
      shareMinor,
      fromPendingMinor,
      at,
      orderId,
    );
  }

  /** A declined refund gives its reservation on the order back. */
  unreserveRefund(orderId: string, amountMinor: bigint, at: string): void {
    this.statement(ORDER_SQL.unreserveRefund).run(amountMinor, at, orderId);
  }

  /** An order as a dispute's booking judges it. */
  disputedOrder(orderId: string): DisputedOrder | undefined {
    return readRow(DISPUTED_ORDER, this.statement(ORDER_SQL.disputed).get(orderId));
  }

  /** A chargeback booked: it counts as refunded and reserved on the order. */
  addChargeback(
    orderId: string,
    clawedMinor: bigint,
    shareMinor: bigint,
    fromPendingMinor: bigint,
    at: string,
  ): void {
    this.statement(ORDER_SQL.addChargeback).run(
      clawedMinor,
      shareMinor,
      fromPendingMinor,
      clawedMinor,
      at,
      orderId,
    );
  }
}

function toClaimed(row: ClaimRow, fromStatus: OrderStatus): ClaimedOrder {
  return {
    id: row.id,
    orderId: row.order_id,
    sellerId: row.seller_id,
    currency: row.currency as Currency,
    amountMinor: row.amount_minor,
    platformFeeMinor: row.platform_fee_minor,
    paymentToken: row.payment_token,
    chargeKey: row.charge_key,
    attempts: Number(row.attempts),
    requeuedAtAttempt: Number(row.requeued_at_attempt),
    firstAttemptAt: row.first_attempt_at ?? '',
    fromStatus,
  };
}

/** The SQL of the order methods other folders call (releases, refunds, chargebacks). */
const ORDER_SQL = {
  releasable: `SELECT order_id, seller_id, currency, amount_minor, platform_fee_minor, status, released_at, release_event_id,
                refund_reserved_minor, refunded_share_from_pending_minor FROM orders WHERE order_id = ?`,
  markReleased:
    'UPDATE orders SET released_at = ?, release_event_id = ?, updated_at = ? WHERE order_id = ? AND released_at IS NULL',
  refundable:
    'SELECT order_id, currency, amount_minor, status, psp, refund_reserved_minor FROM orders WHERE order_id = ?',
  reserveRefund:
    'UPDATE orders SET refund_reserved_minor = refund_reserved_minor + ?, updated_at = ? WHERE order_id = ? AND refund_reserved_minor + ? <= amount_minor',
  addRefunded: `UPDATE orders SET refunded_minor = refunded_minor + ?, refunded_share_minor = refunded_share_minor + ?,
                refunded_share_from_pending_minor = refunded_share_from_pending_minor + ?, updated_at = ? WHERE order_id = ?`,
  unreserveRefund:
    'UPDATE orders SET refund_reserved_minor = refund_reserved_minor - ?, updated_at = ? WHERE order_id = ?',
  disputed: `SELECT order_id, seller_id, currency, amount_minor, platform_fee_minor, refunded_minor, refunded_share_minor, refund_reserved_minor, released_at, status,
                psp, psp_reference
         FROM orders WHERE order_id = ?`,
  addChargeback: `UPDATE orders SET refunded_minor = refunded_minor + ?, refunded_share_minor = refunded_share_minor + ?,
                refunded_share_from_pending_minor = refunded_share_from_pending_minor + ?, refund_reserved_minor = refund_reserved_minor + ?, updated_at = ?
         WHERE order_id = ?`,
} as const;

const RELEASABLE_ORDER = rowShape('orders to release', {
  order_id: 'text',
  seller_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  platform_fee_minor: 'bigint',
  status: 'text',
  released_at: 'text?',
  release_event_id: 'text?',
  refund_reserved_minor: 'bigint',
  refunded_share_from_pending_minor: 'bigint',
});
export type ReleasableOrder = ShapeRow<typeof RELEASABLE_ORDER>;

const REFUNDABLE_ORDER = rowShape('orders to refund', {
  order_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  status: 'text',
  psp: 'text',
  refund_reserved_minor: 'bigint',
});
export type RefundableOrder = ShapeRow<typeof REFUNDABLE_ORDER>;

const DISPUTED_ORDER = rowShape('orders disputed', {
  order_id: 'text',
  seller_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  platform_fee_minor: 'bigint',
  refunded_minor: 'bigint',
  refunded_share_minor: 'bigint',
  refund_reserved_minor: 'bigint',
  released_at: 'text?',
  status: 'text',
  psp: 'text',
  psp_reference: 'text?',
});
export type DisputedOrder = ShapeRow<typeof DISPUTED_ORDER>;

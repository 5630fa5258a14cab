import type { Database } from '../db/index.js';
import { StorageError } from '../errors.js';
import { captureKey, pspFeeKey } from '../postings/index.js';
import { type OrderStatus, isOrderStatus } from './order-state.js';
import {
  type OpenWork,
  type OrderDetail,
  type OrderReads,
  type OrderSummary,
  countsByStatus,
  openWorkOf,
} from './queries.js';
import { type OpenWorkTable, OrderReadStore, type OrderRow } from './read-store.js';

/** The orders' reads on SQLite, through OrderReadStore: plain reads, no transaction (as before the port). */
export class SqliteOrderReads implements OrderReads {
  constructor(private readonly db: Database) {}

  async orders(status: OrderStatus | undefined, limit: number): Promise<OrderSummary[]> {
    return new OrderReadStore(this.db).orders(status, limit).map(toSummary);
  }

  async order(orderId: string): Promise<OrderDetail | undefined> {
    const store = new OrderReadStore(this.db);
    const row = store.order(orderId);
    if (!row) return undefined;
    const transitions = store.transitions(row.id).map((t) => ({
      from: t.from_status === null ? null : orderStatus(t.from_status),
      to: t.to_status,
      attempt: Number(t.attempt),
      at: t.at,
      cause: t.cause,
    }));
    const ledgerTransactions = store
      .transactions(captureKey(orderId), pspFeeKey(orderId))
      .map((t) => ({ txId: Number(t.id), kind: t.kind, idempotencyKey: t.idempotency_key }));
    return {
      ...toSummary(row),
      payerId: row.payer_id,
      chargeKey: row.charge_key,
      metadata: JSON.parse(row.metadata) as unknown,
      createdAt: row.created_at,
      leaseOwner: row.lease_owner,
      leaseExpiresAt: row.lease_expires_at,
      transitions,
      ledgerTransactions,
    };
  }
}

/**
 * How many orders are in each status (all statuses present, zeros included). Synchronous, for the
 * executors' run summaries on SQLite.
 */
export function statusCounts(db: Database, psp?: string): Record<OrderStatus, number> {
  return countsByStatus(new OrderReadStore(db).statusCounts(psp));
}

/** When the next retry of this PSP's queue is due, if any is scheduled. */
export function nextRetryAt(db: Database, psp: string): string | undefined {
  return new OrderReadStore(db).nextRetryAt(psp) ?? undefined;
}

/** The same count for any of the executors' tables: orders, refunds, payouts. */
export function openWorkIn(db: Database, table: OpenWorkTable, psp?: string): OpenWork {
  return openWorkOf(new OrderReadStore(db).openWork(table, psp));
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    orderId: row.order_id,
    eventId: row.event_id,
    sellerId: row.seller_id,
    currency: row.currency,
    amountMinor: row.amount_minor,
    platformFeeMinor: row.platform_fee_minor,
    status: row.status,
    attempts: Number(row.attempts),
    psp: row.psp,
    pspReference: row.psp_reference,
    pspFeeMinor: row.psp_fee_minor,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    updatedAt: row.updated_at,
  };
}

function orderStatus(value: string): OrderStatus {
  if (!isOrderStatus(value)) throw new StorageError(`order_transitions: unknown status ${value}`);
  return value;
}

import type { Database } from '../db/index.js';
import { NotFoundError, StorageError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { captureKey, pspFeeKey } from '../postings/index.js';
import { type OrderStatus, isOrderStatus } from './order-state.js';
import { OrderReadStore, type OpenWorkTable, type OrderRow } from './read-store.js';

/** Read models of orders for `orders list|show` and `dlq list`. */
export interface OrderSummary {
  orderId: string;
  eventId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  platformFeeMinor: bigint;
  status: OrderStatus;
  attempts: number;
  psp: string;
  pspReference: string | null;
  pspFeeMinor: bigint | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  updatedAt: string;
}

export interface OrderTransition {
  from: OrderStatus | null;
  to: OrderStatus;
  attempt: number;
  at: string;
  cause: string;
}

export interface OrderDetail extends OrderSummary {
  payerId: string;
  chargeKey: string;
  metadata: unknown;
  createdAt: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  transitions: OrderTransition[];
  ledgerTransactions: { txId: number; kind: string; idempotencyKey: string }[];
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

export function listOrders(
  db: Database,
  query: { status?: OrderStatus; limit?: number } = {},
): OrderSummary[] {
  const rows = new OrderReadStore(db).orders(query.status, query.limit ?? 1_000_000);
  return rows.map(toSummary);
}

export function showOrder(db: Database, orderId: string): OrderDetail {
  const store = new OrderReadStore(db);
  const row = store.order(orderId);
  if (!row)
    throw new NotFoundError(`order ${orderId} does not exist`, {
      hint: 'see `payops orders list`',
    });
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

/** How many orders are in each status (all statuses present, zeros included). */
export function statusCounts(db: Database, psp?: string): Record<OrderStatus, number> {
  const counts: Record<OrderStatus, number> = {
    created: 0,
    executing: 0,
    succeeded: 0,
    pending: 0,
    failed: 0,
    retry_scheduled: 0,
    dead_lettered: 0,
    needs_attention: 0,
  };
  const rows = new OrderReadStore(db).statusCounts(psp);
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** When the next retry of this PSP's queue is due, if any is scheduled. */
export function nextRetryAt(db: Database, psp: string): string | undefined {
  return new OrderReadStore(db).nextRetryAt(psp) ?? undefined;
}

/** Work waiting for a retry or for a person: retry scheduled, dead-lettered, needs attention. */
export interface OpenWork {
  retryScheduled: number;
  deadLettered: number;
  /** Answered by the PSP and not recorded: `payops attention resolve` books them. */
  needsAttention: number;
}

/** The same count for any of the executors' tables: orders, refunds, payouts. */
export function openWorkIn(db: Database, table: OpenWorkTable, psp?: string): OpenWork {
  const rows = new OrderReadStore(db).openWork(table, psp);
  const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0n);
  return {
    retryScheduled: count('retry_scheduled'),
    deadLettered: count('dead_lettered'),
    needsAttention: count('needs_attention'),
  };
}

function orderStatus(value: string): OrderStatus {
  if (!isOrderStatus(value)) throw new StorageError(`order_transitions: unknown status ${value}`);
  return value;
}

import { NotFoundError } from '../errors.js';
import type { Currency } from '../money/index.js';
import type { OrderStatus } from './order-state.js';

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

/**
 * The orders' read port (DESIGN.md §10): plain reads, no transaction. SQLite's implementation is
 * src/payments/sqlite-order-reads.ts.
 */
export interface OrderReads {
  /** Orders in the order they were accepted, only those in `status` when it is given, at most `limit`. */
  orders(status: OrderStatus | undefined, limit: number): Promise<OrderSummary[]>;
  /**
   * One order with its transitions and the ledger transactions of its capture and PSP fee, or
   * undefined when there is none: one answer of several queries (a PostgreSQL implementation reads
   * them in one snapshot).
   */
  order(orderId: string): Promise<OrderDetail | undefined>;
}

export function listOrders(
  reads: OrderReads,
  query: { status?: OrderStatus; limit?: number } = {},
): Promise<OrderSummary[]> {
  return reads.orders(query.status, query.limit ?? 1_000_000);
}

export async function showOrder(reads: OrderReads, orderId: string): Promise<OrderDetail> {
  const order = await reads.order(orderId);
  if (!order)
    throw new NotFoundError(`order ${orderId} does not exist`, {
      hint: 'see `payops orders list`',
    });
  return order;
}

/** How many orders are in each status (all statuses present, zeros included), from the counts of those present. */
export function countsByStatus(
  present: readonly { status: OrderStatus; n: bigint }[],
): Record<OrderStatus, number> {
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
  for (const row of present) counts[row.status] = Number(row.n);
  return counts;
}

/** Work waiting for a retry or for a person: retry scheduled, dead-lettered, needs attention. */
export interface OpenWork {
  retryScheduled: number;
  deadLettered: number;
  /** Answered by the PSP and not recorded: `payops attention resolve` books them. */
  needsAttention: number;
}

/** Open work from the counts of an executor's table by status (statuses absent count zero). */
export function openWorkOf(present: readonly { status: string; n: bigint }[]): OpenWork {
  const count = (status: string) => Number(present.find((row) => row.status === status)?.n ?? 0n);
  return {
    retryScheduled: count('retry_scheduled'),
    deadLettered: count('dead_lettered'),
    needsAttention: count('needs_attention'),
  };
}

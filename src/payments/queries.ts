import type { Database } from '../db/index.js';
import { NotFoundError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { captureKey, pspFeeKey } from '../postings/index.js';
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

interface OrderRow {
  order_id: string;
  event_id: string;
  payer_id: string;
  seller_id: string;
  currency: string;
  amount_minor: bigint;
  platform_fee_minor: bigint;
  status: OrderStatus;
  attempts: bigint;
  psp: string;
  psp_reference: string | null;
  psp_fee_minor: bigint | null;
  last_error: string | null;
  next_attempt_at: string | null;
  updated_at: string;
  created_at: string;
  charge_key: string;
  metadata: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  id: bigint;
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    orderId: row.order_id,
    eventId: row.event_id,
    sellerId: row.seller_id,
    currency: row.currency as Currency,
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
  const rows = db
    .prepare(`SELECT * FROM orders ${query.status ? 'WHERE status = ?' : ''} ORDER BY id LIMIT ?`)
    .all(...(query.status ? [query.status] : []), query.limit ?? 1_000_000) as OrderRow[];
  return rows.map(toSummary);
}

export function showOrder(db: Database, orderId: string): OrderDetail {
  const row = db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId) as
    | OrderRow
    | undefined;
  if (!row)
    throw new NotFoundError(`order ${orderId} does not exist`, {
      hint: 'see `payops orders list`',
    });
  const transitions = (
    db
      .prepare(
        'SELECT from_status, to_status, attempt, at, cause FROM order_transitions WHERE order_id = ? ORDER BY id',
      )
      .all(row.id) as {
      from_status: OrderStatus | null;
      to_status: OrderStatus;
      attempt: bigint;
      at: string;
      cause: string;
    }[]
  ).map((t) => ({
    from: t.from_status,
    to: t.to_status,
    attempt: Number(t.attempt),
    at: t.at,
    cause: t.cause,
  }));
  const ledgerTransactions = (
    db
      .prepare(
        'SELECT id, kind, idempotency_key FROM ledger_transactions WHERE idempotency_key IN (?, ?) ORDER BY id',
      )
      .all(captureKey(orderId), pspFeeKey(orderId)) as {
      id: bigint;
      kind: string;
      idempotency_key: string;
    }[]
  ).map((t) => ({
    txId: Number(t.id),
    kind: t.kind,
    idempotencyKey: t.idempotency_key,
  }));
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
  const rows = db
    .prepare(
      `SELECT status, COUNT(*) AS n FROM orders ${psp ? 'WHERE psp = ?' : ''} GROUP BY status`,
    )
    .all(...(psp ? [psp] : [])) as { status: OrderStatus; n: bigint }[];
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** When the next retry of this PSP's queue is due, if any is scheduled. */
export function nextRetryAt(db: Database, psp: string): string | undefined {
  const row = db
    .prepare(
      "SELECT MIN(next_attempt_at) AS at FROM orders WHERE status = 'retry_scheduled' AND psp = ?",
    )
    .get(psp) as { at: string | null };
  return row.at ?? undefined;
}

/** Work waiting for a retry or for a person: retry scheduled, dead-lettered, needs attention. */
export interface OpenWork {
  retryScheduled: number;
  deadLettered: number;
  /** Answered by the PSP and not recorded: `payops attention resolve` books them. */
  needsAttention: number;
}

const OPEN_WORK_SQL = {
  orders:
    "SELECT status, COUNT(*) AS n FROM orders WHERE status IN ('retry_scheduled', 'dead_lettered', 'needs_attention') AND (@psp IS NULL OR psp = @psp) GROUP BY status",
  refunds:
    "SELECT status, COUNT(*) AS n FROM refunds WHERE status IN ('retry_scheduled', 'dead_lettered', 'needs_attention') AND (@psp IS NULL OR psp = @psp) GROUP BY status",
  payouts:
    "SELECT status, COUNT(*) AS n FROM payouts WHERE status IN ('retry_scheduled', 'dead_lettered', 'needs_attention') AND (@psp IS NULL OR psp = @psp) GROUP BY status",
} as const;

/** The same count for any of the executors' tables: orders, refunds, payouts. */
export function openWorkIn(
  db: Database,
  table: keyof typeof OPEN_WORK_SQL,
  psp?: string,
): OpenWork {
  const rows = db.prepare(OPEN_WORK_SQL[table]).all({ psp: psp ?? null }) as {
    status: string;
    n: bigint;
  }[];
  const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0n);
  return {
    retryScheduled: count('retry_scheduled'),
    deadLettered: count('dead_lettered'),
    needsAttention: count('needs_attention'),
  };
}

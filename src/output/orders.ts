import { z } from 'zod';
import { ORDER_STATUSES } from '../payments/order-state.js';
import type { OrderDetail, OrderSummary } from '../payments/queries.js';
import { countSchema, instantSchema, moneyJson, moneyJsonSchema } from './contract.js';
import { amount, count, csvTable, text } from './csv.js';

/** `orders list|show|sync --json`. */
export const orderSummarySchema = z.strictObject({
  orderId: z.string(),
  eventId: z.string(),
  sellerId: z.string(),
  amount: moneyJsonSchema,
  platformFee: moneyJsonSchema,
  pspFee: moneyJsonSchema.nullable(),
  status: z.enum(ORDER_STATUSES),
  attempts: countSchema,
  psp: z.string(),
  pspReference: z.string().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: instantSchema.nullable(),
  updatedAt: instantSchema,
});

export const ordersListSchema = z.array(orderSummarySchema);

const transitionSchema = z.strictObject({
  from: z.enum(ORDER_STATUSES).nullable(),
  to: z.enum(ORDER_STATUSES),
  attempt: countSchema,
  at: instantSchema,
  cause: z.string(),
});

export const orderShowSchema = orderSummarySchema.extend({
  payerId: z.string(),
  chargeKey: z.string(),
  metadata: z.unknown(),
  createdAt: instantSchema,
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: instantSchema.nullable(),
  transitions: z.array(transitionSchema),
  ledgerTransactions: z.array(
    z.strictObject({ txId: countSchema, kind: z.string(), idempotencyKey: z.string() }),
  ),
});

export const ordersSyncSchema = z.strictObject({ succeeded: countSchema, failed: countSchema });

export function orderSummaryJson(order: OrderSummary): z.input<typeof orderSummarySchema> {
  return {
    orderId: order.orderId,
    eventId: order.eventId,
    sellerId: order.sellerId,
    amount: moneyJson(order.amountMinor, order.currency),
    platformFee: moneyJson(order.platformFeeMinor, order.currency),
    pspFee: order.pspFeeMinor === null ? null : moneyJson(order.pspFeeMinor, order.currency),
    status: order.status,
    attempts: order.attempts,
    psp: order.psp,
    pspReference: order.pspReference,
    lastError: order.lastError,
    nextAttemptAt: order.nextAttemptAt,
    updatedAt: order.updatedAt,
  };
}

export function orderShowJson(order: OrderDetail): z.input<typeof orderShowSchema> {
  return {
    ...orderSummaryJson(order),
    payerId: order.payerId,
    chargeKey: order.chargeKey,
    metadata: order.metadata,
    createdAt: order.createdAt,
    leaseOwner: order.leaseOwner,
    leaseExpiresAt: order.leaseExpiresAt,
    transitions: order.transitions,
    ledgerTransactions: order.ledgerTransactions,
  };
}

export function ordersCsv(orders: readonly OrderSummary[]): string {
  return csvTable(
    [
      'order_id',
      'event_id',
      'seller_id',
      'currency',
      'amount',
      'platform_fee',
      'psp_fee',
      'status',
      'attempts',
      'psp',
      'psp_reference',
      'last_error',
      'next_attempt_at',
      'updated_at',
    ],
    orders.map((o) => [
      text(o.orderId),
      text(o.eventId),
      text(o.sellerId),
      text(o.currency),
      amount(o.amountMinor, o.currency),
      amount(o.platformFeeMinor, o.currency),
      amount(o.pspFeeMinor, o.currency),
      text(o.status),
      count(o.attempts),
      text(o.psp),
      text(o.pspReference),
      text(o.lastError),
      text(o.nextAttemptAt),
      text(o.updatedAt),
    ]),
  );
}

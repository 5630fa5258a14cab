import { sha256Hex } from '../../../sha256.js';
import { type ShapeRow, rowShape } from '../../rows.js';

/**
 * The birth record of a row made from an accepted event: a hash of the fields it is born with,
 * bound to the content hash of that event (which `events` keeps). The schema refuses to change
 * those fields (migration 11); `payops check` and the pay-in executor recompute the hash, so a
 * change made with the triggers dropped is still seen. A hash is no secret: it catches an edit,
 * not a forger who recomputes it (see docs/RELIABILITY.md, issue 14).
 */
export interface OrderBirth {
  eventContentHash: string;
  orderId: string;
  eventId: string;
  payerId: string;
  sellerId: string;
  currency: string;
  amountMinor: bigint;
  platformFeeMinor: bigint;
  paymentToken: string;
  metadata: string;
  psp: string;
  chargeKey: string;
  createdAt: string;
}

export interface RefundBirth {
  eventContentHash: string;
  refundId: string;
  orderId: string;
  currency: string;
  amountMinor: bigint;
  reason: string;
  refundKey: string;
  psp: string;
  createdAt: string;
}

/** sha256 of JSON.stringify(["order", 1, eventContentHash, orderId, …, amount as a string, …]). */
export function orderBirthHash(order: OrderBirth): string {
  return sha256Hex(
    JSON.stringify([
      'order',
      1,
      order.eventContentHash,
      order.orderId,
      order.eventId,
      order.payerId,
      order.sellerId,
      order.currency,
      order.amountMinor.toString(),
      order.platformFeeMinor.toString(),
      order.paymentToken,
      order.metadata,
      order.psp,
      order.chargeKey,
      order.createdAt,
    ]),
  );
}

/** sha256 of JSON.stringify(["refund", 1, eventContentHash, refundId, …, amount as a string, …]). */
export function refundBirthHash(refund: RefundBirth): string {
  return sha256Hex(
    JSON.stringify([
      'refund',
      1,
      refund.eventContentHash,
      refund.refundId,
      refund.orderId,
      refund.currency,
      refund.amountMinor.toString(),
      refund.reason,
      refund.refundKey,
      refund.psp,
      refund.createdAt,
    ]),
  );
}

/** An order row with its event's content hash (null when the event is missing), as BIRTH_QUERIES read it. */
export const ORDER_BIRTH_ROW = rowShape('orders at birth', {
  order_id: 'text',
  event_id: 'text',
  payer_id: 'text',
  seller_id: 'text',
  currency: 'text',
  amount_minor: 'bigint',
  platform_fee_minor: 'bigint',
  payment_token: 'text',
  metadata: 'text',
  psp: 'text',
  charge_key: 'text',
  created_at: 'text',
  birth_hash: 'text',
  content_hash: 'text?',
});
export type OrderBirthRow = ShapeRow<typeof ORDER_BIRTH_ROW>;

export const REFUND_BIRTH_ROW = rowShape('refunds at birth', {
  refund_id: 'text',
  order_id: 'text',
  currency: 'text',
  amount_minor: 'bigint',
  reason: 'text',
  refund_key: 'text',
  psp: 'text',
  created_at: 'text',
  birth_hash: 'text',
  content_hash: 'text?',
});
export type RefundBirthRow = ShapeRow<typeof REFUND_BIRTH_ROW>;

const ORDER_BIRTH_COLUMNS = `o.order_id, o.event_id, o.payer_id, o.seller_id, o.currency, o.amount_minor, o.platform_fee_minor,
  o.payment_token, o.metadata, o.psp, o.charge_key, o.created_at, o.birth_hash, e.content_hash`;
const REFUND_BIRTH_COLUMNS = `r.refund_id, r.order_id, r.currency, r.amount_minor, r.reason, r.refund_key, r.psp, r.created_at,
  r.birth_hash, e.content_hash`;

/** Each a key look-up of events per row: linear in the books. A refund's id is its event's id. */
export const BIRTH_QUERIES = {
  allOrders: `SELECT ${ORDER_BIRTH_COLUMNS} FROM orders o LEFT JOIN events e ON e.event_id = o.event_id ORDER BY o.id`,
  orderById: `SELECT ${ORDER_BIRTH_COLUMNS} FROM orders o LEFT JOIN events e ON e.event_id = o.event_id WHERE o.id = ?`,
  allRefunds: `SELECT ${REFUND_BIRTH_COLUMNS} FROM refunds r LEFT JOIN events e ON e.event_id = r.refund_id ORDER BY r.id`,
  refundById: `SELECT ${REFUND_BIRTH_COLUMNS} FROM refunds r LEFT JOIN events e ON e.event_id = r.refund_id WHERE r.id = ?`,
} as const;

/** The hash the order's fields make now, with its event's content hash as `events` keeps it. */
export function orderBirthHashOfRow(row: OrderBirthRow): string {
  return orderBirthHash({
    eventContentHash: row.content_hash ?? '',
    orderId: row.order_id,
    eventId: row.event_id,
    payerId: row.payer_id,
    sellerId: row.seller_id,
    currency: row.currency,
    amountMinor: BigInt(row.amount_minor),
    platformFeeMinor: BigInt(row.platform_fee_minor),
    paymentToken: row.payment_token,
    metadata: row.metadata,
    psp: row.psp,
    chargeKey: row.charge_key,
    createdAt: row.created_at,
  });
}

export function refundBirthHashOfRow(row: RefundBirthRow): string {
  return refundBirthHash({
    eventContentHash: row.content_hash ?? '',
    refundId: row.refund_id,
    orderId: row.order_id,
    currency: row.currency,
    amountMinor: BigInt(row.amount_minor),
    reason: row.reason,
    refundKey: row.refund_key,
    psp: row.psp,
    createdAt: row.created_at,
  });
}

/** Why an order's row does not prove itself against its event, or undefined when it does. */
export function orderBirthMismatch(row: OrderBirthRow): string | undefined {
  if (row.content_hash === null) return `its event ${row.event_id} is missing from the books`;
  if (orderBirthHashOfRow(row) !== row.birth_hash) {
    return `its fields no longer match the hash recorded at intake from event ${row.event_id} (amount, seller or another field it was born with was changed)`;
  }
  return undefined;
}

export function refundBirthMismatch(row: RefundBirthRow): string | undefined {
  if (row.content_hash === null) return 'its event is missing from the books';
  if (refundBirthHashOfRow(row) !== row.birth_hash) {
    return 'its fields no longer match the hash recorded at intake from its event (amount, order or another field it was born with was changed)';
  }
  return undefined;
}

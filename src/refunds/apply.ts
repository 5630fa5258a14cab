import { type Database, refundBirthHash } from '../db/index.js';
import { InputError } from '../errors.js';
import { type Currency, allocate, formatAmount, parseAmount } from '../money/index.js';
import type { RefundEvent } from '../payments/events.js';
import type { WalletDelta } from '../wallet/wallet.js';

export type RefundIntakeOutcome = { ok: true } | { ok: false; field: string; reason: string };

/**
 * Accepts a `refund` event inside the intake transaction: the order must be captured and the
 * amount must fit in what is still refundable. The amount is reserved on the order at once, so
 * partial refunds — however many, however concurrent — never exceed what was captured.
 */
export class RefundIntake {
  private readonly s;

  constructor(db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      order: prepare(
        'SELECT order_id, currency, amount_minor, status, psp, refund_reserved_minor FROM orders WHERE order_id = ?',
      ),
      reserve: prepare(
        'UPDATE orders SET refund_reserved_minor = refund_reserved_minor + ?, updated_at = ? WHERE order_id = ? AND refund_reserved_minor + ? <= amount_minor',
      ),
      insert: prepare(
        `INSERT INTO refunds (refund_id, order_id, currency, amount_minor, reason, refund_key, psp, status, created_at, updated_at, birth_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)`,
      ),
      transition: prepare(
        'INSERT INTO refund_transitions (refund_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, 0, ?, ?)',
      ),
    };
  }

  apply(event: RefundEvent, source: string, at: string): RefundIntakeOutcome {
    const order = this.s.order.get(event.orderId) as
      | {
          order_id: string;
          currency: string;
          amount_minor: bigint;
          status: string;
          psp: string;
          refund_reserved_minor: bigint;
        }
      | undefined;
    if (!order)
      return { ok: false, field: 'orderId', reason: `order ${event.orderId} does not exist` };
    if (order.status !== 'succeeded')
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} is ${order.status}, not captured: there is nothing to refund`,
      };
    const currency = order.currency as Currency;
    let amountMinor: bigint;
    try {
      amountMinor = parseAmount(event.amount, currency, 'amount');
    } catch (error) {
      if (error instanceof InputError)
        return { ok: false, field: 'amount', reason: error.message.replace(/^amount: /, '') };
      throw error;
    }
    const remaining = order.amount_minor - order.refund_reserved_minor;
    if (amountMinor > remaining) {
      return {
        ok: false,
        field: 'amount',
        reason: `${event.amount} ${currency} is more than is still refundable on ${event.orderId} (${formatAmount(remaining, currency)} of ${formatAmount(order.amount_minor, currency)})`,
      };
    }
    if (this.s.reserve.run(amountMinor, at, event.orderId, amountMinor).changes !== 1) {
      return {
        ok: false,
        field: 'amount',
        reason: `${event.orderId} was refunded concurrently; try again`,
      };
    }
    const refundKey = `payops-${event.eventId}-refund`;
    const birthHash = refundBirthHash({
      eventContentHash: event.contentHash,
      refundId: event.eventId,
      orderId: event.orderId,
      currency,
      amountMinor,
      reason: event.reason,
      refundKey,
      psp: order.psp,
      createdAt: at,
    });
    const id = this.s.insert.run(
      event.eventId,
      event.orderId,
      currency,
      amountMinor,
      event.reason,
      refundKey,
      order.psp,
      at,
      at,
      birthHash,
    ).lastInsertRowid;
    this.s.transition.run(id, null, 'created', at, `event ${event.eventId} from ${source}`);
    return { ok: true };
  }
}

/** What an order has already given back, for the cumulative split of the next refund. */
export interface RefundedOrder {
  orderId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  platformFeeMinor: bigint;
  refundedMinor: bigint;
  refundedShareMinor: bigint;
  released: boolean;
}

export interface RefundSplit {
  shareMinor: bigint;
  feeMinor: bigint;
  /** Where the seller's part is taken from: pending until the order is released, then payable. */
  bucket: 'pending' | 'payable';
}

/**
 * Splits a refund between the seller's share and the platform fee in proportion to the order,
 * on the running total: the k-th refund's share is share(total after it) − share(total before
 * it). Split one at a time, rounding could charge the same minor unit to the seller again and
 * again; cumulatively, a full refund always splits into exactly (share, fee).
 */
export function splitRefund(order: RefundedOrder, refundMinor: bigint): RefundSplit {
  const shareOfOrder = order.amountMinor - order.platformFeeMinor;
  const after = order.refundedMinor + refundMinor;
  const [shareAfter] = allocate(after, [shareOfOrder, order.platformFeeMinor]) as [bigint, bigint];
  const shareMinor = shareAfter - order.refundedShareMinor;
  return {
    shareMinor,
    feeMinor: refundMinor - shareMinor,
    bucket: order.released ? 'payable' : 'pending',
  };
}

export function refundWalletDelta(order: RefundedOrder, split: RefundSplit): WalletDelta {
  return {
    sellerId: order.sellerId,
    currency: order.currency,
    pendingMinor: split.bucket === 'pending' ? -split.shareMinor : 0n,
    payableMinor: split.bucket === 'payable' ? -split.shareMinor : 0n,
    paidOutMinor: 0n,
  };
}

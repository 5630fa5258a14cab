import { refundBirthHash } from '../db/index.js';
import { InputError } from '../errors.js';
import { allocate, formatAmount, parseAmount } from '../money/index.js';
import type { RefundEvent } from '../payments/events.js';
import type { PaymentsStore } from '../payments/store.js';
import type { RefundWorkStore } from './store.js';
import type { WalletDelta } from '../wallet/wallet-store.js';
import type { RefundedOrder } from './refunded-order.js';

export type RefundIntakeOutcome = { ok: true } | { ok: false; field: string; reason: string };

/**
 * Accepts a `refund` event inside the intake transaction: the order must be captured and the
 * amount must fit in what is still refundable. The amount is reserved on the order at once, so
 * partial refunds — however many, however concurrent — never exceed what was captured.
 */
export class RefundIntake {
  /** The caller's stores on the intake's connection. */
  constructor(
    private readonly orders: PaymentsStore,
    private readonly refunds: RefundWorkStore,
  ) {}

  apply(event: RefundEvent, source: string, at: string): RefundIntakeOutcome {
    const order = this.orders.refundableOrder(event.orderId);
    if (!order)
      return { ok: false, field: 'orderId', reason: `order ${event.orderId} does not exist` };
    if (order.status !== 'succeeded')
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} is ${order.status}, not captured: there is nothing to refund`,
      };
    const currency = order.currency;
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
    if (!this.orders.reserveRefund(event.orderId, amountMinor, at)) {
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
    this.refunds.insertCreated(
      {
        refundId: event.eventId,
        orderId: event.orderId,
        currency,
        amountMinor,
        reason: event.reason,
        refundKey,
        psp: order.psp,
        createdAt: at,
        birthHash,
      },
      `event ${event.eventId} from ${source}`,
    );
    return { ok: true };
  }
}

export type { RefundedOrder } from './refunded-order.js';

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

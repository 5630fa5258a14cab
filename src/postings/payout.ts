import type { PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import { payoutsInTransit, sellerPayable, sellerPending } from './accounts.js';
import { payoutSentKey, releaseKey } from './keys.js';

/** A delivered order's release (`pay_out` event): its seller share leaves pending for payable. */
export interface ReleasedOrder {
  orderId: string;
  sellerId: string;
  currency: Currency;
  /** The share still in pending (refunds made before the release already took theirs); > 0. */
  shareMinor: bigint;
  eventId: string;
}

/** Release (pay_out delivered): Dr seller pending / Cr seller payable (share). */
export function releaseTransaction(order: ReleasedOrder, at: string): PostingRequest {
  return {
    idempotencyKey: releaseKey(order.orderId),
    kind: 'payout.release',
    description: `Released ${order.orderId} to ${order.sellerId}: delivered`,
    effectiveAt: at,
    metadata: { orderId: order.orderId, sellerId: order.sellerId, eventId: order.eventId },
    entries: [
      {
        account: sellerPending(order.sellerId),
        currency: order.currency,
        direction: 'debit',
        amountMinor: order.shareMinor,
      },
      {
        account: sellerPayable(order.sellerId),
        currency: order.currency,
        direction: 'credit',
        amountMinor: order.shareMinor,
      },
    ],
  };
}

/** One transfer to a seller: the sum of the seller's payable orders. */
export interface SentPayout {
  payoutId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
}

/**
 * Payout sent: Dr seller payable / Cr liabilities:payouts:in-transit (amount), in transit until
 * the bank statement's debit shows it left (`payoutsLeftTransaction`).
 */
export function payoutSentTransaction(
  payout: SentPayout,
  pspReference: string,
  at: string,
): PostingRequest {
  return {
    idempotencyKey: payoutSentKey(payout.payoutId),
    kind: 'payout.sent',
    description: `Payout ${payout.payoutId} to ${payout.sellerId}`,
    effectiveAt: at,
    metadata: { payoutId: payout.payoutId, sellerId: payout.sellerId, pspReference },
    entries: [
      {
        account: sellerPayable(payout.sellerId),
        currency: payout.currency,
        direction: 'debit',
        amountMinor: payout.amountMinor,
      },
      {
        account: payoutsInTransit,
        currency: payout.currency,
        direction: 'credit',
        amountMinor: payout.amountMinor,
      },
    ],
  };
}

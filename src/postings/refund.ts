import type { EntryRequest, PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import {
  type SellerBucket,
  chargebackFees,
  chargebackLosses,
  platformFees,
  pspReceivable,
  sellerAccount,
} from './accounts.js';
import { chargebackKey, refundSentKey } from './keys.js';

/** The order a refund or chargeback gives money back from. */
export interface RefundOrder {
  orderId: string;
  sellerId: string;
  currency: Currency;
}

/** A refund's split between the seller's share and the platform fee (`splitRefund`, src/refunds). */
export interface RefundShares {
  shareMinor: bigint;
  feeMinor: bigint;
  /** Where the seller's part is taken from: pending until the order is released, then payable. */
  bucket: SellerBucket;
}

/** The seller's part (from pending or payable) and the platform's part, as debits; zeros dropped. */
function sharesBack(order: RefundOrder, split: RefundShares): EntryRequest[] {
  const entries: EntryRequest[] = [];
  if (split.shareMinor > 0n)
    entries.push({
      account: sellerAccount(order.sellerId, split.bucket),
      currency: order.currency,
      direction: 'debit',
      amountMinor: split.shareMinor,
    });
  if (split.feeMinor > 0n)
    entries.push({
      account: platformFees,
      currency: order.currency,
      direction: 'debit',
      amountMinor: split.feeMinor,
    });
  return entries;
}

/**
 * Refund: Dr seller pending|payable (share) + Dr revenue:platform-fees (fee) / Cr psp receivable
 * (refund = share + fee).
 */
export function refundTransaction(
  refundId: string,
  order: RefundOrder,
  refundMinor: bigint,
  split: RefundShares,
  psp: string,
  pspReference: string,
  at: string,
): PostingRequest {
  const entries = sharesBack(order, split);
  entries.push({
    account: pspReceivable(psp),
    currency: order.currency,
    direction: 'credit',
    amountMinor: refundMinor,
  });
  return {
    idempotencyKey: refundSentKey(refundId),
    kind: 'refund.sent',
    description: `Refund ${refundId} of ${order.orderId}`,
    effectiveAt: at,
    metadata: {
      refundId,
      orderId: order.orderId,
      sellerId: order.sellerId,
      pspReference,
      from: split.bucket,
    },
    entries,
  };
}

/** A buyer's dispute the PSP lost on our behalf (src/psp/port.ts `Dispute`). */
export interface ChargebackFacts {
  disputeId: string;
  chargeReference: string;
  amountMinor: bigint;
  disputeFeeMinor: bigint;
  createdAt: string;
}

/**
 * Chargeback: what the order still held (`clawed`, split like a refund) comes back from the
 * seller and the platform fee, the rest of the dispute is a loss, and the PSP's dispute fee an
 * expense: Dr seller pending|payable (share) + Dr revenue:platform-fees (fee) + Dr
 * expenses:chargeback-losses (amount − clawed) + Dr expenses:chargeback-fees (dispute fee) / Cr
 * psp receivable (amount + dispute fee). There is no reversal rule: a dispute reaches payops
 * once the PSP lost it, and one won back later is not modelled.
 */
export function chargebackTransaction(
  dispute: ChargebackFacts,
  order: RefundOrder,
  clawedMinor: bigint,
  split: RefundShares,
  psp: string,
): PostingRequest {
  const currency = order.currency;
  const entries = sharesBack(order, split);
  const lossMinor = dispute.amountMinor - clawedMinor;
  if (lossMinor > 0n)
    entries.push({
      account: chargebackLosses,
      currency,
      direction: 'debit',
      amountMinor: lossMinor,
    });
  if (dispute.disputeFeeMinor > 0n)
    entries.push({
      account: chargebackFees,
      currency,
      direction: 'debit',
      amountMinor: dispute.disputeFeeMinor,
    });
  entries.push({
    account: pspReceivable(psp),
    currency,
    direction: 'credit',
    amountMinor: dispute.amountMinor + dispute.disputeFeeMinor,
  });
  return {
    idempotencyKey: chargebackKey(dispute.disputeId),
    kind: 'chargeback.received',
    description: `Chargeback ${dispute.disputeId} on ${order.orderId}`,
    effectiveAt: dispute.createdAt,
    metadata: {
      disputeId: dispute.disputeId,
      orderId: order.orderId,
      sellerId: order.sellerId,
      pspReference: dispute.chargeReference,
      from: split.bucket,
    },
    entries,
  };
}

import type { EntryRequest, PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import { platformFees, pspFees, pspReceivable, sellerPending } from './accounts.js';
import { captureKey, pspFeeKey } from './keys.js';

/** DESIGN.md §6 posting rules for pay-in. Keys derive from the order: a retry can never post twice. */
export interface CapturedOrder {
  orderId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  platformFeeMinor: bigint;
}

/**
 * Pay-in captured: Dr psp receivable (amount) / Cr seller pending (share) / Cr
 * revenue:platform-fees (fee), where share = amount − fee. A zero share or fee has no line.
 */
export function captureTransaction(
  order: CapturedOrder,
  psp: string,
  pspReference: string,
  at: string,
): PostingRequest {
  const shareMinor = order.amountMinor - order.platformFeeMinor;
  const entries: EntryRequest[] = [
    {
      account: pspReceivable(psp),
      currency: order.currency,
      direction: 'debit',
      amountMinor: order.amountMinor,
    },
  ];
  if (shareMinor > 0n)
    entries.push({
      account: sellerPending(order.sellerId),
      currency: order.currency,
      direction: 'credit',
      amountMinor: shareMinor,
    });
  if (order.platformFeeMinor > 0n)
    entries.push({
      account: platformFees,
      currency: order.currency,
      direction: 'credit',
      amountMinor: order.platformFeeMinor,
    });
  return {
    idempotencyKey: captureKey(order.orderId),
    kind: 'payin.capture',
    description: `Captured ${order.orderId} for ${order.sellerId}`,
    effectiveAt: at,
    metadata: { orderId: order.orderId, sellerId: order.sellerId, psp, pspReference },
    entries,
  };
}

/**
 * The PSP's fee on a capture, when its answer carries it: Dr expenses:psp-fees / Cr psp
 * receivable (fee). A fee learned later from a settlement file is `settlementPspFeesTransaction`.
 */
export function pspFeeTransaction(
  order: CapturedOrder,
  psp: string,
  feeMinor: bigint,
  pspReference: string,
  at: string,
): PostingRequest {
  return {
    idempotencyKey: pspFeeKey(order.orderId),
    kind: 'payin.psp-fee',
    description: `PSP fee on ${order.orderId}`,
    effectiveAt: at,
    metadata: { orderId: order.orderId, psp, pspReference },
    entries: [
      { account: pspFees, currency: order.currency, direction: 'debit', amountMinor: feeMinor },
      {
        account: pspReceivable(psp),
        currency: order.currency,
        direction: 'credit',
        amountMinor: feeMinor,
      },
    ],
  };
}

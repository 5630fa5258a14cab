import type { PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import { sellerAccount } from '../wallet/wallet.js';

/** DESIGN.md §6 posting rules for pay-in. Keys derive from the order: a retry can never post twice. */
export interface CapturedOrder {
  orderId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  platformFeeMinor: bigint;
}

export function pspReceivableAccount(psp: string): string {
  return `assets:psp:${psp}:receivable`;
}

/** Dr psp receivable (amount) / Cr seller pending (share) / Cr revenue:platform-fees (fee). */
export function captureTransaction(
  order: CapturedOrder,
  psp: string,
  pspReference: string,
  at: string,
): PostingRequest {
  const shareMinor = order.amountMinor - order.platformFeeMinor;
  const entries: PostingRequest['entries'][number][] = [
    {
      account: pspReceivableAccount(psp),
      currency: order.currency,
      direction: 'debit',
      amountMinor: order.amountMinor,
    },
  ];
  if (shareMinor > 0n)
    entries.push({
      account: sellerAccount(order.sellerId, 'pending'),
      currency: order.currency,
      direction: 'credit',
      amountMinor: shareMinor,
    });
  if (order.platformFeeMinor > 0n)
    entries.push({
      account: 'revenue:platform-fees',
      currency: order.currency,
      direction: 'credit',
      amountMinor: order.platformFeeMinor,
    });
  return {
    idempotencyKey: `payin.capture:${order.orderId}`,
    kind: 'payin.capture',
    description: `Captured ${order.orderId} for ${order.sellerId}`,
    effectiveAt: at,
    metadata: { orderId: order.orderId, sellerId: order.sellerId, psp, pspReference },
    entries,
  };
}

/** Dr expenses:psp-fees / Cr psp receivable, when the PSP told us its fee. */
export function pspFeeTransaction(
  order: CapturedOrder,
  psp: string,
  feeMinor: bigint,
  pspReference: string,
  at: string,
): PostingRequest {
  return {
    idempotencyKey: `payin.psp-fee:${order.orderId}`,
    kind: 'payin.psp-fee',
    description: `PSP fee on ${order.orderId}`,
    effectiveAt: at,
    metadata: { orderId: order.orderId, psp, pspReference },
    entries: [
      {
        account: 'expenses:psp-fees',
        currency: order.currency,
        direction: 'debit',
        amountMinor: feeMinor,
      },
      {
        account: pspReceivableAccount(psp),
        currency: order.currency,
        direction: 'credit',
        amountMinor: feeMinor,
      },
    ],
  };
}

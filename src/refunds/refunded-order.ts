import type { Currency } from '../money/index.js';

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

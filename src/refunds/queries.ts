import type { Database } from '../db/index.js';
import { type Currency, formatAmount } from '../money/index.js';

export function listChargebacks(db: Database): { disputeId: string; orderId: string; currency: Currency; amount: string; disputeFee: string; sellerShare: string; disputedAt: string }[] {
  return (db.prepare('SELECT * FROM chargebacks ORDER BY id').all() as {
    dispute_id: string; order_id: string; currency: string; amount_minor: bigint; dispute_fee_minor: bigint; share_minor: bigint; disputed_at: string;
  }[]).map((row) => {
    const currency = row.currency as Currency;
    return {
      disputeId: row.dispute_id,
      orderId: row.order_id,
      currency,
      amount: formatAmount(row.amount_minor, currency),
      disputeFee: formatAmount(row.dispute_fee_minor, currency),
      sellerShare: formatAmount(row.share_minor, currency),
      disputedAt: row.disputed_at,
    };
  });
}

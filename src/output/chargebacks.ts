import { z } from 'zod';
import type { ChargebackRecord } from '../refunds/queries.js';
import {
  countSchema,
  instantSchema,
  moneyJson,
  moneyJsonSchema,
  moneyTotalsSchema,
} from './contract.js';
import { amount, csvTable, text } from './csv.js';

/** `chargebacks sync|list --json`. */
export const chargebacksSyncSchema = z.strictObject({
  recorded: countSchema,
  alreadyRecorded: countSchema,
  unmatched: z.array(z.string()),
  mismatched: z.array(
    z.strictObject({ disputeId: z.string(), orderId: z.string(), detail: z.string() }),
  ),
  waiting: z.array(
    z.strictObject({
      disputeId: z.string(),
      orderId: z.string(),
      orderStatus: z.string(),
      reason: z.string(),
    }),
  ),
  conflicts: z.array(z.string()),
  clawedBack: moneyTotalsSchema,
});

export const chargebackSchema = z.strictObject({
  disputeId: z.string(),
  orderId: z.string(),
  amount: moneyJsonSchema,
  disputeFee: moneyJsonSchema,
  sellerShare: moneyJsonSchema,
  disputedAt: instantSchema,
});

export const chargebacksListSchema = z.array(chargebackSchema);

export function chargebackJson(c: ChargebackRecord): z.input<typeof chargebackSchema> {
  return {
    disputeId: c.disputeId,
    orderId: c.orderId,
    amount: moneyJson(c.amountMinor, c.currency),
    disputeFee: moneyJson(c.disputeFeeMinor, c.currency),
    sellerShare: moneyJson(c.sellerShareMinor, c.currency),
    disputedAt: c.disputedAt,
  };
}

export function chargebacksCsv(rows: readonly ChargebackRecord[]): string {
  return csvTable(
    ['dispute_id', 'order_id', 'currency', 'amount', 'dispute_fee', 'seller_share', 'disputed_at'],
    rows.map((c) => [
      text(c.disputeId),
      text(c.orderId),
      text(c.currency),
      amount(c.amountMinor, c.currency),
      amount(c.disputeFeeMinor, c.currency),
      amount(c.sellerShareMinor, c.currency),
      text(c.disputedAt),
    ]),
  );
}

import { z } from 'zod';
import {
  countSchema,
  currencySchema,
  daySchema,
  instantSchema,
  moneyJsonSchema,
} from './contract.js';

/** `reconcile payouts --json`: the three legs of every payout (docs/RECONCILIATION.md "Three legs per payout"). */
const kindSchema = z.enum(['psp-payout', 'seller-payout']);

export const reconcilePayoutsSchema = z.strictObject({
  dateBasis: z.literal('settled'),
  psp: z.string().nullable(),
  open: z.boolean(),
  payouts: z.array(
    z.strictObject({
      kind: kindSchema,
      psp: z.string(),
      payout: z.string(),
      currency: currencySchema,
      books: moneyJsonSchema,
      pspLeg: z.strictObject({
        amount: moneyJsonSchema,
        at: instantSchema.nullable(),
        reference: z.string().nullable(),
      }),
      bankLeg: z
        .strictObject({ amount: moneyJsonSchema, bookingDate: daySchema, entry: z.string() })
        .nullable(),
      difference: moneyJsonSchema,
      inTransit: moneyJsonSchema,
      status: z.enum(['in transit', 'received', 'short', 'not received past due', 'written off']),
      openItemId: z.string().nullable(),
    }),
  ),
  totals: z.array(
    z.strictObject({
      kind: kindSchema,
      currency: currencySchema,
      payouts: countSchema,
      books: moneyJsonSchema,
      psp: moneyJsonSchema,
      bank: moneyJsonSchema,
      difference: moneyJsonSchema,
      inTransit: moneyJsonSchema,
    }),
  ),
});

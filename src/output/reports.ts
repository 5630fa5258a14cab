import { z } from 'zod';
import { TRANSFER_STATUSES } from '../payments/order-state.js';
import {
  countSchema,
  currencySchema,
  daySchema,
  instantSchema,
  moneyJsonSchema,
} from './contract.js';

/** `report daily|sellers|income|balance-sheet --json`. */
const countAmount = z.strictObject({ count: countSchema, amount: moneyJsonSchema });

export const reportDailySchema = z.strictObject({
  date: daySchema,
  dateBasis: z.literal('effective'),
  /** `given` (--date) or `last-day-with-money` (without --date). */
  dateChosen: z.enum(['given', 'last-day-with-money']),
  currencies: z.array(
    z.strictObject({
      currency: currencySchema,
      payIns: countAmount,
      refunds: countAmount,
      chargebacks: countAmount.extend({ fees: moneyJsonSchema }),
      payouts: countAmount,
      pspFees: moneyJsonSchema,
      platformFees: moneyJsonSchema,
    }),
  ),
});

/** One row per seller and currency (`currency` names the wallet). */
export const reportSellersSchema = z.array(
  z.strictObject({
    sellerId: z.string(),
    name: z.string().nullable(),
    /** Masked: the full account number never leaves the database. */
    account: z.string().nullable(),
    currency: currencySchema,
    pending: moneyJsonSchema,
    payable: moneyJsonSchema,
    paidOut: moneyJsonSchema,
    negative: z.boolean(),
    lastPayout: z
      .strictObject({
        payoutId: z.string(),
        amount: moneyJsonSchema,
        status: z.enum(TRANSFER_STATUSES),
        at: instantSchema,
      })
      .nullable(),
  }),
);

/** Per period amounts (one per entry of `periods`) and their total. */
const amountsFields = {
  currency: currencySchema,
  amounts: z.array(moneyJsonSchema),
  total: moneyJsonSchema,
};

const statementFields = {
  dateBasis: z.literal('effective'),
  period: z.enum(['daily', 'weekly', 'monthly']).nullable(),
  begin: instantSchema.nullable(),
  end: instantSchema.nullable(),
  periods: z.array(z.strictObject({ start: instantSchema, end: instantSchema })),
  sections: z.array(
    z.strictObject({
      name: z.string(),
      type: z.string(),
      rows: z.array(z.strictObject({ account: z.string(), ...amountsFields })),
      totals: z.array(z.strictObject(amountsFields)),
    }),
  ),
};

export const reportIncomeSchema = z.strictObject({
  report: z.literal('income'),
  ...statementFields,
  net: z.array(z.strictObject(amountsFields)),
});

export const reportBalanceSheetSchema = z.strictObject({
  report: z.literal('balance-sheet'),
  ...statementFields,
  unclosedNetIncome: z.array(z.strictObject(amountsFields)),
  balanced: z.boolean(),
  check: z.array(
    z.strictObject({ currency: currencySchema, differences: z.array(moneyJsonSchema) }),
  ),
});

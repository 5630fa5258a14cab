import { z } from 'zod';
import { countSchema, currencySchema, instantSchema, moneyJsonSchema } from './contract.js';

/** `ledger history --json`: the register of one account by effective date. */
export const ledgerHistorySchema = z.strictObject({
  account: z.string(),
  dateBasis: z.literal('effective'),
  lines: z.array(
    z.strictObject({
      txId: countSchema,
      effectiveAt: instantSchema,
      kind: z.string(),
      description: z.string(),
      currency: currencySchema,
      debit: moneyJsonSchema.nullable(),
      credit: moneyJsonSchema.nullable(),
      /** The running balance of this line's currency. */
      balance: moneyJsonSchema,
      /** Every currency's running balance after this line. */
      balances: z.array(moneyJsonSchema),
    }),
  ),
});

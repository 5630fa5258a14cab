import { z } from 'zod';
import { countSchema, daySchema, instantSchema, moneyJsonSchema } from './contract.js';

/** `reconcile bank --json`: one run per statement file, in the order given. Dates are booking days (`dateBasis: "booked"`). */
const statementSchema = z.strictObject({
  statementRef: z.string(),
  account: z.string(),
  openingDate: daySchema,
  opening: moneyJsonSchema,
  openingBooks: moneyJsonSchema,
  closingDate: daySchema,
  closing: moneyJsonSchema,
  closingBooks: moneyJsonSchema,
  credits: moneyJsonSchema,
  debits: moneyJsonSchema,
  entries: countSchema,
  skipped: countSchema,
  agrees: z.boolean(),
});

const bankRunSchema = z.strictObject({
  status: z.enum(['reconciled', 'already_imported']),
  runId: z.string().regex(/^\d+$/),
  file: z.strictObject({
    name: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    format: z.string(),
    bytes: countSchema,
    entries: countSchema,
  }),
  periodEnd: instantSchema.nullable(),
  windowDays: countSchema,
  statements: z.array(statementSchema),
  /** The file's entries per class, direction and currency; money signed (credits +, debits −). */
  entries: z.array(
    z.strictObject({
      class: z.string(),
      direction: z.enum(['credit', 'debit']),
      entries: countSchema,
      money: moneyJsonSchema,
    }),
  ),
  /** Expected payouts this file found overdue, and statements whose balances differ from the books. */
  findings: z.array(
    z.strictObject({ class: z.string(), items: countSchema, money: moneyJsonSchema }),
  ),
  postedTransactions: countSchema,
  matchedPayouts: z.strictObject({ psp: countSchema, seller: countSchema }),
  rules: z.array(
    z.strictObject({
      rule: z.string(),
      itemId: z.string(),
      class: z.string(),
      action: z.string(),
      applied: z.boolean(),
      message: z.string(),
      money: moneyJsonSchema,
    }),
  ),
  life: z.strictObject({ new: countSchema, persisting: countSchema, resolved: countSchema }),
  open: z.array(
    z.strictObject({ class: z.string(), items: countSchema, money: z.array(moneyJsonSchema) }),
  ),
  openCount: countSchema,
});

export const reconcileBankSchema = z.strictObject({
  dateBasis: z.literal('booked'),
  dryRun: z.boolean(),
  runs: z.array(bankRunSchema),
  /** Bank items open after the last file. */
  openCount: countSchema,
});
export type BankRunJson = z.input<typeof bankRunSchema>;

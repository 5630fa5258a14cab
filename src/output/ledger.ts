import { z } from 'zod';
import type {
  AccountBalance,
  AccountSummary,
  TransactionRecord,
  VerifyReport,
} from '../ledger/index.js';
import { countSchema, hashSchema, instantSchema, moneyJson, moneyJsonSchema } from './contract.js';

/** `ledger post|balance|tx|accounts|verify|reverse --json` (`ledger history` is in its own module). */
export const ledgerPostSchema = z.strictObject({
  posted: countSchema,
  alreadyPosted: countSchema,
  transactions: z.array(z.strictObject({ txId: countSchema, created: z.boolean() })),
});

/** One row per account and currency, in the account's normal direction. */
export const ledgerBalanceSchema = z.array(
  z.strictObject({ account: z.string(), balance: moneyJsonSchema }),
);

const entrySchema = z.strictObject({
  account: z.string(),
  debit: moneyJsonSchema.nullable(),
  credit: moneyJsonSchema.nullable(),
});

export const ledgerTxSchema = z.strictObject({
  txId: countSchema,
  idempotencyKey: z.string(),
  kind: z.string(),
  description: z.string(),
  effectiveAt: instantSchema,
  createdAt: instantSchema,
  metadata: z.record(z.string(), z.string()),
  reversesTxId: countSchema.nullable(),
  reversedByTxId: countSchema.nullable(),
  hash: hashSchema,
  prevHash: hashSchema,
  entries: z.array(entrySchema),
});

export const ledgerAccountsSchema = z.array(
  z.strictObject({
    account: z.string(),
    type: z.string(),
    entries: countSchema,
    createdAt: instantSchema,
    balance: moneyJsonSchema,
  }),
);

export const ledgerVerifySchema = z.strictObject({
  ok: z.boolean(),
  transactionsChecked: countSchema,
  entriesChecked: countSchema,
  accountsChecked: countSchema,
  headHash: hashSchema,
  problems: z.array(z.strictObject({ txId: countSchema.nullable(), problem: z.string() })),
});

export const ledgerReverseSchema = z.strictObject({
  reversedTxId: countSchema,
  reversalTxId: countSchema,
});

export function ledgerBalanceJson(
  rows: readonly AccountBalance[],
): z.input<typeof ledgerBalanceSchema> {
  return rows.map((row) => ({
    account: row.account,
    balance: moneyJson(row.balanceMinor, row.currency),
  }));
}

export function ledgerTxJson(tx: TransactionRecord): z.input<typeof ledgerTxSchema> {
  return {
    txId: tx.txId,
    idempotencyKey: tx.idempotencyKey,
    kind: tx.kind,
    description: tx.description,
    effectiveAt: tx.effectiveAt,
    createdAt: tx.createdAt,
    metadata: tx.metadata,
    reversesTxId: tx.reversesTxId,
    reversedByTxId: tx.reversedByTxId,
    hash: tx.hash,
    prevHash: tx.prevHash,
    entries: tx.entries.map((entry) => {
      const amount = moneyJson(entry.amountMinor, entry.currency);
      return {
        account: entry.account,
        debit: entry.direction === 'debit' ? amount : null,
        credit: entry.direction === 'credit' ? amount : null,
      };
    }),
  };
}

export function ledgerVerifyJson(report: VerifyReport): z.input<typeof ledgerVerifySchema> {
  return { ...report };
}

export function ledgerAccountsJson(
  accounts: readonly AccountSummary[],
): z.input<typeof ledgerAccountsSchema> {
  return accounts.map((a) => ({
    account: a.account,
    type: a.type,
    entries: a.entries,
    createdAt: a.createdAt,
    balance: moneyJson(a.balanceMinor, a.currency),
  }));
}

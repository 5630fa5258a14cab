import { z } from 'zod';
import {
  countSchema,
  currencySchema,
  instantSchema,
  moneyJson,
  moneyJsonSchema,
} from './contract.js';
import type { Currency } from '../money/index.js';
import type { BankItemView } from '../bank-item-view.js';

/** `reconcile run|review|items|decide|report --json`. Actions are spelled as typed (`write-off`). */
const idSchema = z.string().regex(/^\d+$/);
const actionSchema = z.enum(['accept', 'write-off', 'link', 'note', 'write-back']);
const moneyOrNull = moneyJsonSchema.nullable();

const bridgeSchema = z.strictObject({
  batchId: z.string(),
  currency: currencySchema,
  rows: countSchema,
  captures: moneyJsonSchema,
  fees: moneyJsonSchema,
  refunds: moneyJsonSchema,
  chargebacks: moneyJsonSchema,
  adjustments: moneyJsonSchema,
  rowsNet: moneyJsonSchema,
  payout: moneyOrNull,
  difference: moneyOrNull,
  settled: moneyJsonSchema,
  status: z.enum(['balanced', 'unbalanced', 'awaiting payout']),
});

const classMoneySchema = z.strictObject({
  class: z.string(),
  rows: countSchema,
  records: countSchema,
  money: z.array(moneyJsonSchema),
});

const summaryFields = {
  dateBasis: z.literal('settled'),
  runId: idSchema,
  psp: z.string(),
  file: z.strictObject({
    name: z.string(),
    sha256: z.string(),
    format: z.string(),
    bytes: countSchema,
    rowsRead: countSchema,
    rowsRejected: countSchema,
  }),
  periodEnd: instantSchema.nullable(),
  graceDays: countSchema,
  quietPending: z.boolean(),
  life: z.strictObject({ new: countSchema, persisting: countSchema, resolved: countSchema }),
  openCount: countSchema,
  batches: z.array(bridgeSchema),
  rules: z.array(
    z.strictObject({
      rule: z.string(),
      itemId: z.string(),
      class: z.string(),
      action: actionSchema,
      currency: currencySchema,
      applied: z.boolean(),
      message: z.string(),
      money: moneyJsonSchema,
    }),
  ),
  quietPendingByCurrency: z.array(
    z.strictObject({ currency: currencySchema, records: countSchema, money: moneyJsonSchema }),
  ),
  classes: z.array(classMoneySchema),
  classesByCurrency: z.array(
    z.strictObject({
      class: z.string(),
      currency: currencySchema.nullable(),
      rows: countSchema.nullable(),
      records: countSchema.nullable(),
      money: moneyOrNull,
    }),
  ),
  classTotals: z.strictObject({ rows: countSchema, records: countSchema }),
  open: z.array(classMoneySchema),
};

export const reconcileRunSchema = z.strictObject({
  status: z.enum(['reconciled', 'already_imported']),
  dryRun: z.boolean(),
  ...summaryFields,
});

export const reconcileReportSchema = z.strictObject({
  run: z.strictObject({
    id: idSchema,
    psp: z.string(),
    fileSha256: z.string(),
    fileName: z.string(),
    fileBytes: idSchema,
    format: z.string(),
    rowsRead: idSchema,
    rowsRejected: idSchema,
    periodEnd: instantSchema.nullable(),
    graceDays: countSchema,
    /** The rules file the run used, as read (its keys are the rules file's). */
    rules: z.record(z.string(), z.unknown()),
    runBy: z.string(),
    startedAt: instantSchema,
    finishedAt: instantSchema.nullable(),
  }),
  ...summaryFields,
  bridges: z.array(bridgeSchema),
  openNow: z.array(
    z.strictObject({
      class: z.string(),
      currency: currencySchema,
      items: countSchema,
      money: moneyJsonSchema,
    }),
  ),
  openTotal: z.strictObject({ items: countSchema }),
  decisions: z.array(
    z.strictObject({
      id: idSchema,
      itemId: z.string(),
      itemRowId: idSchema,
      action: actionSchema,
      class: z.string(),
      rule: z.string().nullable(),
      runId: idSchema.nullable(),
      decidedBy: z.string(),
      decidedAt: instantSchema,
      note: z.string(),
      linkedTo: z.string().nullable(),
      txIds: z.array(countSchema),
      currency: currencySchema,
      subject: z.string(),
    }),
  ),
});

export const reconcileItemsSchema = z.strictObject({
  dateBasis: z.literal('run'),
  asOf: instantSchema,
  count: countSchema,
  items: z.array(
    z.strictObject({
      itemId: z.string(),
      class: z.string(),
      psp: z.string(),
      status: z.enum(['open', 'resolved']),
      life: z.string(),
      subject: z.string(),
      currency: currencySchema,
      amount: moneyJsonSchema,
      payopsGross: moneyOrNull,
      pspGross: moneyOrNull,
      ageDays: countSchema,
      firstSeenAt: instantSchema,
      occurredAt: instantSchema.nullable(),
      batchId: z.string().nullable(),
      /** How the item was resolved, in words (null while open). */
      resolution: z.string().nullable(),
      why: z.string(),
    }),
  ),
});

/** A side (payops' or the PSP's) or a batch of a review item: its `…Minor` figures as money. */
const sideSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.null(), moneyJsonSchema]),
);

/** A bank item's facts (statement, entry, due day, where its money waits; balances beside the books'). */
const bankViewSchema = z.strictObject({
  account: z.string(),
  statementRef: z.string(),
  source: z.string(),
  entryId: z.string().nullable(),
  direction: z.enum(['credit', 'debit']).nullable(),
  bookingDate: z.string().nullable(),
  dueBy: z.string().nullable(),
  bookedTo: z.string().nullable(),
  balances: z
    .strictObject({
      openingDate: z.string(),
      openingBank: moneyJsonSchema,
      openingBooks: moneyJsonSchema,
      closingDate: z.string(),
      closingBank: moneyJsonSchema,
      closingBooks: moneyJsonSchema,
    })
    .nullable(),
});

export const reconcileReviewSchema = z.array(
  z.strictObject({
    itemId: z.string(),
    class: z.string(),
    psp: z.string(),
    subject: z.string(),
    amount: moneyJsonSchema,
    batchId: z.string().nullable(),
    internalRef: z.string().nullable(),
    probableRef: z.string().nullable(),
    why: z.string(),
    ours: sideSchema.nullable(),
    theirs: sideSchema.nullable(),
    batch: sideSchema.nullable(),
    bank: bankViewSchema.nullable(),
  }),
);

export const reconcileDecideSchema = z.strictObject({
  itemId: z.string(),
  action: actionSchema,
  txIds: z.array(countSchema),
  resolved: z.boolean(),
  message: z.string(),
});

/** `grossMinor: "1234"` becomes `gross: {amount, currency, amountMinor}`; the other fields stay. */
/** The `bank` part of a review item as JSON: its balances' figures as money. */
export function bankViewJson(
  view: BankItemView | undefined,
  currency: Currency,
): z.infer<typeof bankViewSchema> | null {
  if (view === undefined) return null;
  const { balances, ...facts } = view;
  const money = (minor: string) => moneyJson(BigInt(minor), currency);
  return {
    ...facts,
    balances:
      balances === undefined
        ? null
        : {
            openingDate: balances.openingDate,
            openingBank: money(balances.openingBankMinor),
            openingBooks: money(balances.openingBooksMinor),
            closingDate: balances.closingDate,
            closingBank: money(balances.closingBankMinor),
            closingBooks: money(balances.closingBooksMinor),
          },
  };
}

export function withMoney(
  view: object | null | undefined,
  currency: Currency,
): Record<string, unknown> | null {
  if (view === null || view === undefined) return null;
  return Object.fromEntries(
    Object.entries(view).map(([key, value]) =>
      key.endsWith('Minor') && typeof value === 'string'
        ? [key.slice(0, -'Minor'.length), moneyJson(BigInt(value), currency)]
        : [key, value],
    ),
  );
}

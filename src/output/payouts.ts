import { z } from 'zod';
import { TRANSFER_STATUSES } from '../payments/order-state.js';
import type { PayoutDetail, PayoutSummary, SellerReport } from '../payouts/queries.js';
import type { PayoutRunSummary } from '../work/executors/payout-run.js';
import {
  bookBehindJson,
  bookBehindSchema,
  countSchema,
  heldSchema,
  instantSchema,
  moneyJson,
  moneyJsonSchema,
  moneyTotals,
  moneyTotalsSchema,
} from './contract.js';
import { heldView } from './held.js';
import { amount, count, csvTable, text } from './csv.js';

/** `payout run|list|show --json` and `wallet show --json`. */
const sellerAmountSchema = z.strictObject({ sellerId: z.string(), amount: moneyJsonSchema });

export const payoutRunSchema = z.strictObject({
  dryRun: z.boolean(),
  planned: z.array(sellerAmountSchema),
  skipped: z.array(sellerAmountSchema.extend({ reason: z.string() })),
  payoutIds: z.array(z.string()),
  execution: z.strictObject({
    attempted: countSchema,
    succeeded: countSchema,
    failed: countSchema,
    retryScheduled: countSchema,
    deadLettered: countSchema,
    needsAttention: countSchema,
    lostLease: countSchema,
    recoveredLeases: countSchema,
    rejections: z.array(z.string()),
    paid: moneyTotalsSchema,
  }),
  open: z.strictObject({
    retryScheduled: countSchema,
    deadLettered: countSchema,
    needsAttention: countSchema,
  }),
  held: heldSchema,
  /** pay_outs held for an order not yet captured, settled before planning (dry run: would be). */
  heldPayOuts: z.strictObject({
    released: countSchema,
    rejected: z.array(
      z.strictObject({ eventId: z.string(), orderId: z.string(), reason: z.string() }),
    ),
    stillHeld: countSchema,
  }),
  bookBehind: bookBehindSchema,
});

export const payoutSummarySchema = z.strictObject({
  payoutId: z.string(),
  sellerId: z.string(),
  amount: moneyJsonSchema,
  status: z.enum(TRANSFER_STATUSES),
  attempts: countSchema,
  /** Masked: the full account number never leaves the database. */
  destination: z.string(),
  pspReference: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export const payoutListSchema = z.array(payoutSummarySchema);

export const payoutShowSchema = payoutSummarySchema.extend({
  payoutKey: z.string(),
  ledgerTxId: countSchema.nullable(),
  transitions: z.array(
    z.strictObject({
      from: z.enum(TRANSFER_STATUSES).nullable(),
      to: z.enum(TRANSFER_STATUSES),
      attempt: countSchema,
      at: instantSchema,
      cause: z.string(),
    }),
  ),
});

export const walletShowSchema = z.array(
  z.strictObject({
    sellerId: z.string(),
    name: z.string().nullable(),
    account: z.string().nullable(),
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

export function payoutSummaryJson(p: PayoutSummary): z.input<typeof payoutSummarySchema> {
  return {
    payoutId: p.payoutId,
    sellerId: p.sellerId,
    amount: moneyJson(p.amountMinor, p.currency),
    status: p.status,
    attempts: p.attempts,
    destination: p.destination,
    pspReference: p.pspReference,
    lastError: p.lastError,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function payoutShowJson(p: PayoutDetail): z.input<typeof payoutShowSchema> {
  return {
    ...payoutSummaryJson(p),
    payoutKey: p.payoutKey,
    ledgerTxId: p.ledgerTxId,
    transitions: p.transitions,
  };
}

export function walletJson(reports: readonly SellerReport[]): z.input<typeof walletShowSchema> {
  return reports.map((r) => ({
    sellerId: r.sellerId,
    name: r.name,
    account: r.account,
    pending: moneyJson(r.pendingMinor, r.currency),
    payable: moneyJson(r.payableMinor, r.currency),
    paidOut: moneyJson(r.paidOutMinor, r.currency),
    negative: r.negative,
    lastPayout: r.lastPayout && {
      payoutId: r.lastPayout.payoutId,
      amount: moneyJson(r.lastPayout.amountMinor, r.currency),
      status: r.lastPayout.status,
      at: r.lastPayout.at,
    },
  }));
}

export function payoutsCsv(payouts: readonly PayoutSummary[]): string {
  return csvTable(
    [
      'payout_id',
      'seller_id',
      'currency',
      'amount',
      'status',
      'attempts',
      'destination',
      'psp_reference',
      'last_error',
      'created_at',
      'updated_at',
    ],
    payouts.map((p) => [
      text(p.payoutId),
      text(p.sellerId),
      text(p.currency),
      amount(p.amountMinor, p.currency),
      text(p.status),
      count(p.attempts),
      text(p.destination),
      text(p.pspReference),
      text(p.lastError),
      text(p.createdAt),
      text(p.updatedAt),
    ]),
  );
}

export function payoutRunJson(
  summary: PayoutRunSummary,
  bookBehind: Parameters<typeof bookBehindJson>[0],
): z.input<typeof payoutRunSchema> {
  const t = summary.execution;
  return {
    dryRun: summary.dryRun,
    planned: summary.plan.payouts.map((p) => ({
      sellerId: p.sellerId,
      amount: moneyJson(p.amountMinor, p.currency),
    })),
    skipped: summary.plan.skipped.map((s) => ({
      sellerId: s.sellerId,
      amount: moneyJson(s.amountMinor, s.currency),
      reason: s.reason,
    })),
    payoutIds: summary.payoutIds,
    execution: {
      attempted: t.attempted,
      succeeded: t.succeeded,
      failed: t.failed,
      retryScheduled: t.retryScheduled,
      deadLettered: t.deadLettered,
      needsAttention: t.needsAttention,
      lostLease: t.lostLease,
      recoveredLeases: t.recoveredLeases,
      rejections: t.rejections,
      paid: moneyTotals(t.paidMinor),
    },
    open: {
      retryScheduled: summary.open.retryScheduled,
      deadLettered: summary.open.deadLettered,
      needsAttention: summary.open.needsAttention,
    },
    held: heldView(summary.held),
    heldPayOuts: summary.heldPayOuts,
    bookBehind: bookBehindJson(bookBehind),
  };
}

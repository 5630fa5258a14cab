import { z } from 'zod';
import type { HeldGroup } from '../work/leases/leases.js';
import type { QueuedWork } from '../queue/work-list.js';
import type { RetryRunSummary } from '../queue/retry.js';
import type { PspCallStats } from '../psp/port.js';
import { mergeReasons } from '../work/reasons.js';
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
  orderQueueJson,
  orderQueueSchema,
  reasonsSchema,
} from './contract.js';
import { heldView } from './held.js';

/** `retry run|list --json` and `dlq list|requeue --json`: the retry queue and the dead letters. */
const tallyFields = {
  attempted: countSchema,
  succeeded: countSchema,
  failed: countSchema,
  retryScheduled: countSchema,
  deadLettered: countSchema,
  retriesByReason: reasonsSchema,
  deadLettersByReason: reasonsSchema,
  needsAttention: countSchema,
  recoveredLeases: countSchema,
  rejections: z.array(z.string()),
  bookBehind: bookBehindSchema,
};

const chargesSchema = z.strictObject({
  ...tallyFields,
  pending: countSchema,
  lostLease: countSchema,
  captured: moneyTotalsSchema,
});
const refundsSchema = z.strictObject({
  ...tallyFields,
  lostLease: countSchema,
  refunded: moneyTotalsSchema,
});
const payoutsSchema = z.strictObject({
  ...tallyFields,
  lostLease: countSchema,
  paid: moneyTotalsSchema,
});

const openWorkSchema = z.strictObject({
  retryScheduled: countSchema,
  deadLettered: countSchema,
  needsAttention: countSchema,
});

const runFields = {
  charges: chargesSchema,
  refunds: refundsSchema,
  payouts: payoutsSchema,
  queue: orderQueueSchema,
  /** Refunds and payouts of this PSP still scheduled, dead-lettered or needing attention after the run. */
  open: z.strictObject({ refunds: openWorkSchema, payouts: openWorkSchema }),
  held: heldSchema,
  /** Charges, refunds and payouts together. */
  retriesByReason: reasonsSchema,
  deadLettersByReason: reasonsSchema,
};

export const retryRunSchema = z.strictObject({
  ...runFields,
  heldPayOuts: z.strictObject({
    released: countSchema,
    rejected: z.array(
      z.strictObject({ eventId: z.string(), orderId: z.string(), reason: z.string() }),
    ),
    stillHeld: countSchema,
  }),
  /** The PSP adapter's calls of this process (http and stripe adapters only). */
  psp: z
    .strictObject({
      calls: countSchema,
      p50Ms: z.number().nullable(),
      p99Ms: z.number().nullable(),
      busyMs: z.number(),
    })
    .optional(),
});

export const dlqRequeueSchema = z.strictObject(runFields);

function runJson(summary: RetryRunSummary): z.input<typeof dlqRequeueSchema> {
  const { capturedMinor, bookBehind, ...charges } = summary.charges;
  const { refundedMinor, bookBehind: refundsBehind, ...refunds } = summary.refunds;
  const { paidMinor, bookBehind: payoutsBehind, ...payouts } = summary.payouts;
  return {
    charges: {
      ...charges,
      bookBehind: bookBehindJson(bookBehind),
      captured: moneyTotals(capturedMinor),
    },
    refunds: {
      ...refunds,
      bookBehind: bookBehindJson(refundsBehind),
      refunded: moneyTotals(refundedMinor),
    },
    payouts: {
      ...payouts,
      bookBehind: bookBehindJson(payoutsBehind),
      paid: moneyTotals(paidMinor),
    },
    queue: orderQueueJson(summary.queue),
    open: summary.open,
    held: heldView(summary.held as HeldGroup[]),
    retriesByReason: mergeReasons(
      charges.retriesByReason,
      refunds.retriesByReason,
      payouts.retriesByReason,
    ),
    deadLettersByReason: mergeReasons(
      charges.deadLettersByReason,
      refunds.deadLettersByReason,
      payouts.deadLettersByReason,
    ),
  };
}

export function retryRunJson(
  summary: RetryRunSummary,
  stats: PspCallStats | undefined,
): z.input<typeof retryRunSchema> {
  return {
    ...runJson(summary),
    heldPayOuts: summary.heldPayOuts,
    ...(stats ? { psp: stats } : {}),
  };
}

export function dlqRequeueJson(summary: RetryRunSummary): z.input<typeof dlqRequeueSchema> {
  return runJson(summary);
}

const queuedFields = {
  kind: z.enum(['charge', 'refund', 'payout']),
  id: z.string(),
  orderId: z.string().nullable(),
  sellerId: z.string().nullable(),
  amount: moneyJsonSchema,
  attempts: countSchema,
  lastError: z.string().nullable(),
  since: instantSchema,
  psp: z.string(),
};

export const retryListSchema = z.array(
  z.strictObject({ ...queuedFields, nextAttemptAt: instantSchema.nullable() }),
);
export const dlqListSchema = z.array(z.strictObject(queuedFields));

export function queuedJson(
  items: readonly QueuedWork[],
  retrying: boolean,
): z.input<typeof retryListSchema> | z.input<typeof dlqListSchema> {
  return items.map(({ amountMinor, currency, nextAttemptAt, ...item }) => ({
    ...item,
    amount: moneyJson(amountMinor, currency),
    ...(retrying ? { nextAttemptAt } : {}),
  }));
}

/** `release list --json`: pay_outs held until their order is captured (with --all, also released or rejected). */
export const releaseListSchema = z.strictObject({
  dateBasis: z.literal('received'),
  payOuts: z.array(
    z.strictObject({
      eventId: z.string(),
      orderId: z.string(),
      sellerId: z.string(),
      source: z.string(),
      status: z.enum(['held', 'released', 'rejected']),
      orderStatus: z.string(),
      heldAt: instantSchema,
      resolvedAt: instantSchema.nullable(),
      reason: z.string().nullable(),
    }),
  ),
});

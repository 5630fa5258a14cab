import { z } from 'zod';
import type { HeldGroup } from '../work/leases/leases.js';
import type { PayinSummary } from '../work/executors/payin.js';
import type { PspCallStats } from '../psp/port.js';
import {
  bookBehindJson,
  bookBehindSchema,
  countSchema,
  heldSchema,
  moneyTotals,
  moneyTotalsSchema,
  orderQueueJson,
  orderQueueSchema,
  reasonsSchema,
} from './contract.js';
import { heldView } from './held.js';
import { mergeReasons, sortedReasons } from '../work/reasons.js';

/** `payin run --json`: what was read, charged and refunded, and what is left in the queue. */
export const payinRunSchema = z.strictObject({
  events: z.strictObject({
    read: countSchema,
    accepted: countSchema,
    duplicates: countSchema,
    rejected: countSchema,
    releases: countSchema,
    refunds: countSchema,
    payOutsHeld: countSchema,
  }),
  /** pay_outs held for an order not yet captured, settled by this run: released, rejected, still waiting. */
  heldPayOuts: z.strictObject({
    released: countSchema,
    rejected: z.array(
      z.strictObject({ eventId: z.string(), orderId: z.string(), reason: z.string() }),
    ),
    stillHeld: countSchema,
  }),
  rolledBack: z.boolean(),
  rejectsFiles: z.array(z.string()),
  emptyFiles: z.array(z.string()),
  /** The first rejections; all of them are in the rejects files. */
  rejections: z.array(
    z.strictObject({
      file: z.string(),
      line: countSchema,
      eventId: z.string().optional(),
      field: z.string(),
      reason: z.string(),
    }),
  ),
  orders: z.strictObject({
    accepted: countSchema,
    attempted: countSchema,
    succeeded: countSchema,
    pending: countSchema,
    failed: countSchema,
    retryScheduled: countSchema,
    deadLettered: countSchema,
    needsAttention: countSchema,
    lostLease: countSchema,
    recoveredLeases: countSchema,
    rejected: countSchema,
    retriesByReason: reasonsSchema,
    deadLettersByReason: reasonsSchema,
  }),
  /** Charges and refunds together: retries scheduled and dead letters, grouped by reason. */
  retriesByReason: reasonsSchema,
  deadLettersByReason: reasonsSchema,
  accepted: moneyTotalsSchema,
  captured: moneyTotalsSchema,
  refunds: z.strictObject({
    attempted: countSchema,
    succeeded: countSchema,
    failed: countSchema,
    retryScheduled: countSchema,
    deadLettered: countSchema,
    needsAttention: countSchema,
    recoveredLeases: countSchema,
    rejected: countSchema,
    retriesByReason: reasonsSchema,
    deadLettersByReason: reasonsSchema,
    refunded: moneyTotalsSchema,
  }),
  /** Every order of this PSP by status, after the run. */
  queue: orderQueueSchema,
  held: heldSchema,
  bookBehind: bookBehindSchema,
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

export function payinRunJson(
  summary: PayinSummary,
  bookBehind: Parameters<typeof bookBehindJson>[0],
  stats: PspCallStats | undefined,
): z.input<typeof payinRunSchema> {
  const { intake, execution, queue, refunds } = summary;
  return {
    events: {
      read: intake.eventsRead,
      accepted: intake.eventsAccepted,
      duplicates: intake.duplicates,
      rejected: intake.rejected,
      releases: intake.releases,
      refunds: intake.refunds,
      payOutsHeld: intake.payOutsHeld,
    },
    heldPayOuts: summary.heldPayOuts,
    rolledBack: intake.rolledBack,
    rejectsFiles: intake.rejectsFiles,
    emptyFiles: intake.emptyFiles,
    rejections: intake.rejections,
    orders: {
      accepted: intake.ordersAccepted,
      attempted: execution.attempted,
      succeeded: execution.succeeded,
      pending: execution.pending,
      failed: execution.failed,
      retryScheduled: execution.retryScheduled,
      deadLettered: execution.deadLettered,
      needsAttention: execution.needsAttention,
      lostLease: execution.lostLease,
      recoveredLeases: execution.recoveredLeases,
      rejected: execution.rejections.length,
      retriesByReason: sortedReasons(execution.retriesByReason),
      deadLettersByReason: sortedReasons(execution.deadLettersByReason),
    },
    retriesByReason: mergeReasons(execution.retriesByReason, refunds.retriesByReason),
    deadLettersByReason: mergeReasons(execution.deadLettersByReason, refunds.deadLettersByReason),
    accepted: moneyTotals(intake.acceptedMinor),
    captured: moneyTotals(execution.capturedMinor),
    refunds: {
      attempted: refunds.attempted,
      succeeded: refunds.succeeded,
      failed: refunds.failed,
      retryScheduled: refunds.retryScheduled,
      deadLettered: refunds.deadLettered,
      needsAttention: refunds.needsAttention,
      recoveredLeases: refunds.recoveredLeases,
      rejected: refunds.rejections.length,
      retriesByReason: sortedReasons(refunds.retriesByReason),
      deadLettersByReason: sortedReasons(refunds.deadLettersByReason),
      refunded: moneyTotals(refunds.refundedMinor),
    },
    queue: orderQueueJson(queue),
    held: heldView(summary.held as HeldGroup[]),
    bookBehind: bookBehindJson(bookBehind),
    ...(stats ? { psp: stats } : {}),
  };
}

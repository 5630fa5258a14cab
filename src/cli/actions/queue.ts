import { withBook, withDatabase } from '../context.js';
import {
  executionFrom,
  formatTotals,
  heldLine,
  reportBookBehind,
  reportNeedsAttention,
  reportRejections,
  heldPayOutsLine,
  reasonLines,
  reportHeldPayOutRejections,
} from '../execution.js';
import type { ExecutionFlags } from '../psp-options.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { queuedWork } from '../../queue/work-list.js';
import { SqliteQueueReadStore } from '../../queue/sqlite-queue-read-store.js';
import { contractJson } from '../../output/contract.js';
import {
  dlqListSchema,
  queuedJson,
  retryListSchema,
  retryRunJson,
  retryRunSchema,
  dlqRequeueJson,
  dlqRequeueSchema,
  releaseListSchema,
} from '../../output/queue.js';
import { type RetryRunSummary, retryDue, requeueDeadLetters } from '../../queue/retry.js';
import * as os from 'node:os';
import { SqlitePayoutsStore } from '../../payouts/sqlite-payouts-store.js';
import {
  dlqRequeueLines,
  needsAttentionCount,
  queuedCsv,
  releaseListCsv,
  renderQueued,
  renderReleaseList,
  retryRunLines,
} from '../../reports/queue-output.js';

export interface ListFlags {
  json?: boolean;
  csv?: boolean;
}

/** `retry list` and `dlq list`: one row per charge, refund or payout; returns how many there are. */
async function printQueued(
  context: CliContext,
  flags: ListFlags,
  status: 'retry_scheduled' | 'dead_lettered',
): Promise<number> {
  const items = await withDatabase(context, (db) =>
    queuedWork(new SqliteQueueReadStore(db), status),
  );
  const retrying = status === 'retry_scheduled';
  if (flags.json) {
    context.out(
      contractJson(retrying ? retryListSchema : dlqListSchema, queuedJson(items, retrying)),
    );
  } else if (flags.csv) context.out(queuedCsv(items, retrying));
  else context.out(renderQueued(items, retrying));
  return items.length;
}

/** A summary line cli/execution.ts words only when there is something to say: none or one. */
function optional(line: string | undefined): string[] {
  return line ? [line] : [];
}

/** Work the run left for later (retry, dead letter, held, needs attention): exit code 6 when any. */
function workLeft({ queue, open, held }: RetryRunSummary): number {
  return (
    queue.retry_scheduled +
    queue.dead_lettered +
    open.refunds.retryScheduled +
    open.refunds.deadLettered +
    open.payouts.retryScheduled +
    open.payouts.deadLettered +
    held.length
  );
}

export type RetryRunFlags = ExecutionFlags & { json?: boolean };
export type DlqRequeueFlags = ExecutionFlags & { all?: boolean; json?: boolean };
export type ReleaseListFlags = { all?: boolean; json?: boolean; csv?: boolean };

export async function retryRun(context: CliContext, flags: RetryRunFlags): Promise<void> {
  const execution = await executionFrom(context, flags);
  try {
    const summary = await withBook(context, (book) => retryDue(book, execution));
    const { charges: tally, refunds, payouts, held, heldPayOuts } = summary;
    reportBookBehind(context, tally, refunds, payouts);
    if (flags.json) {
      context.out(contractJson(retryRunSchema, retryRunJson(summary, execution.psp.callStats?.())));
    } else {
      const shared = [
        ...reasonLines(tally, refunds, payouts),
        ...optional(heldPayOutsLine(heldPayOuts)),
        ...optional(heldLine(held)),
      ];
      for (const line of retryRunLines(summary, formatTotals(tally.capturedMinor), shared))
        context.out(line);
    }
    if (workLeft(summary) + needsAttentionCount(summary) > 0)
      process.exitCode = ExitCode.workPending;
    if (heldPayOuts.rejected.length > 0) process.exitCode = ExitCode.inputRejected;
    reportNeedsAttention(context, needsAttentionCount(summary));
    reportRejections(context, tally.rejections, refunds.rejections, payouts.rejections);
    reportHeldPayOutRejections(context, heldPayOuts);
  } finally {
    execution.psp.close();
  }
}

export async function retryList(context: CliContext, flags: ListFlags): Promise<void> {
  await printQueued(context, flags, 'retry_scheduled');
}

export async function dlqList(context: CliContext, flags: ListFlags): Promise<void> {
  const letters = await printQueued(context, flags, 'dead_lettered');
  if (letters > 0) process.exitCode = ExitCode.workPending;
}

export async function dlqRequeue(
  context: CliContext,
  ids: string[],
  flags: DlqRequeueFlags,
): Promise<void> {
  if (ids.length > 0 === Boolean(flags.all))
    throw new UsageError(
      'name the charges (order ids), refunds or payouts to requeue, or pass --all (not both)',
    );
  const execution = await executionFrom(context, flags);
  const actor = `operator ${os.userInfo().username}`;
  try {
    const summary = await withBook(context, (book) =>
      requeueDeadLetters(book, execution, flags.all ? { all: true } : { ids }, actor),
    );
    const { charges: tally, refunds, payouts, held } = summary;
    if (flags.json) {
      context.out(contractJson(dlqRequeueSchema, dlqRequeueJson(summary)));
    } else {
      const shared = [...reasonLines(tally, refunds, payouts), ...optional(heldLine(held))];
      for (const line of dlqRequeueLines(summary, shared)) context.out(line);
    }
    if (workLeft(summary) + needsAttentionCount(summary) > 0)
      process.exitCode = ExitCode.workPending;
    reportNeedsAttention(context, needsAttentionCount(summary));
    reportRejections(context, tally.rejections, refunds.rejections, payouts.rejections);
  } finally {
    execution.psp.close();
  }
}

export async function releaseList(context: CliContext, flags: ReleaseListFlags): Promise<void> {
  const rows = await withDatabase(context, (db) =>
    new SqlitePayoutsStore(db).heldPayOuts(flags.all === true),
  );
  if (flags.json) {
    context.out(contractJson(releaseListSchema, { dateBasis: 'received', payOuts: rows }));
  } else if (flags.csv) context.out(releaseListCsv(rows));
  else context.out(renderReleaseList(rows, Boolean(flags.all)));
}

import { csvNumeric, csvRow, csvText } from '../../csv-cells.js';
import { withDatabase } from '../context.js';
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
import { renderTable } from '../../reports/table.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { queuedWork } from '../../queue/work-list.js';
import { formatAmount } from '../../money/index.js';
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
import { retryDue, requeueDeadLetters } from '../../queue/retry.js';
import * as os from 'node:os';
import { HeldPayOuts } from '../../payouts/held-payouts.js';

/** One CSV: a header row of snake_case names, then the rows, every text cell neutralized. */
export function csvOf(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly string[] = [],
): string {
  const cell = (value: string, column: string) =>
    numeric.includes(column) && value !== '' ? csvNumeric(value) : csvText(value);
  return [
    csvRow(header),
    ...rows.map((row) => csvRow(row.map((value, index) => cell(value, header[index] as string)))),
  ].join('');
}

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
  const items = await withDatabase(context, (db) => queuedWork(db, status));
  const retrying = status === 'retry_scheduled';
  if (flags.json) {
    context.out(
      contractJson(retrying ? retryListSchema : dlqListSchema, queuedJson(items, retrying)),
    );
  } else if (flags.csv) {
    const header = [
      'kind',
      'id',
      'order_id',
      'seller_id',
      'amount',
      'currency',
      'attempts',
      ...(retrying ? ['next_attempt_at'] : []),
      'since',
      'psp',
      'last_error',
    ];
    const rows = items.map((i) => [
      i.kind,
      i.id,
      i.orderId ?? '',
      i.sellerId ?? '',
      formatAmount(i.amountMinor, i.currency),
      i.currency,
      String(i.attempts),
      ...(retrying ? [i.nextAttemptAt ?? ''] : []),
      i.since,
      i.psp,
      i.lastError ?? '',
    ]);
    context.out(csvOf(header, rows, ['amount', 'attempts']).trimEnd());
  } else if (items.length === 0) {
    context.out(retrying ? 'the retry queue is empty' : 'no dead letters');
  } else {
    context.out(
      renderTable(
        [
          { header: 'kind' },
          { header: 'id' },
          { header: 'amount', align: 'right' },
          { header: 'currency' },
          { header: 'attempts', align: 'right' },
          { header: retrying ? 'next attempt' : 'since' },
          { header: 'last error' },
        ],
        items.map((i) => [
          i.kind,
          i.id,
          formatAmount(i.amountMinor, i.currency),
          i.currency,
          String(i.attempts),
          (retrying ? i.nextAttemptAt : i.since) ?? '',
          i.lastError ?? '',
        ]),
      ),
    );
  }
  return items.length;
}

export type RetryRunFlags = ExecutionFlags & { json?: boolean };
export type DlqRequeueFlags = ExecutionFlags & { all?: boolean; json?: boolean };
export type ReleaseListFlags = { all?: boolean; json?: boolean; csv?: boolean };

export async function retryRun(context: CliContext, flags: RetryRunFlags): Promise<void> {
  const execution = await executionFrom(context, flags);
  try {
    const summary = await withDatabase(context, (db) => retryDue(db, execution));
    const { charges: tally, refunds, payouts, queue, open, held, heldPayOuts } = summary;
    const needsAttention =
      queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention;
    reportBookBehind(context, tally, refunds, payouts);
    if (flags.json) {
      context.out(contractJson(retryRunSchema, retryRunJson(summary, execution.psp.callStats?.())));
    } else {
      if (refunds.attempted > 0)
        context.out(
          `refunds attempted ${refunds.attempted}: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered ${refunds.deadLettered}`,
        );
      if (payouts.attempted > 0)
        context.out(
          `payouts attempted ${payouts.attempted}: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered ${payouts.deadLettered}`,
        );
      context.out(
        `attempted ${tally.attempted}: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered ${tally.deadLettered}` +
          `${tally.recoveredLeases > 0 ? `; recovered ${tally.recoveredLeases} from crashed runs` : ''}\ncaptured ${formatTotals(tally.capturedMinor)}\n` +
          `queue: retry scheduled ${queue.retry_scheduled}, dead-lettered ${queue.dead_lettered}` +
          `${needsAttention > 0 ? `, needs attention ${needsAttention} (charges ${queue.needs_attention}, refunds ${open.refunds.needsAttention}, payouts ${open.payouts.needsAttention}): \`payops attention list\`` : ''}`,
      );
      for (const line of reasonLines(tally, refunds, payouts)) context.out(line);
      const payOuts = heldPayOutsLine(heldPayOuts);
      if (payOuts) context.out(payOuts);
      const line = heldLine(held);
      if (line) context.out(line);
    }
    const left =
      queue.retry_scheduled +
      queue.dead_lettered +
      open.refunds.retryScheduled +
      open.refunds.deadLettered +
      open.payouts.retryScheduled +
      open.payouts.deadLettered +
      held.length;
    if (
      left + queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention >
      0
    )
      process.exitCode = ExitCode.workPending;
    if (heldPayOuts.rejected.length > 0) process.exitCode = ExitCode.inputRejected;
    reportNeedsAttention(
      context,
      queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention,
    );
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
    const summary = await withDatabase(context, (db) =>
      requeueDeadLetters(db, execution, flags.all ? { all: true } : { ids }, actor),
    );
    const { charges: tally, refunds, payouts, queue, open, held } = summary;
    if (flags.json) {
      context.out(contractJson(dlqRequeueSchema, dlqRequeueJson(summary)));
    } else {
      context.out(
        `requeued ${tally.attempted} charges: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered again ${tally.deadLettered}`,
      );
      if (refunds.attempted > 0)
        context.out(
          `requeued ${refunds.attempted} refunds: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered again ${refunds.deadLettered}`,
        );
      if (payouts.attempted > 0)
        context.out(
          `requeued ${payouts.attempted} payouts: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered again ${payouts.deadLettered}`,
        );
      for (const line of reasonLines(tally, refunds, payouts)) context.out(line);
      const line = heldLine(held);
      if (line) context.out(line);
    }
    const left =
      queue.retry_scheduled +
      queue.dead_lettered +
      open.refunds.retryScheduled +
      open.refunds.deadLettered +
      open.payouts.retryScheduled +
      open.payouts.deadLettered +
      held.length;
    if (
      left + queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention >
      0
    )
      process.exitCode = ExitCode.workPending;
    reportNeedsAttention(
      context,
      queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention,
    );
    reportRejections(context, tally.rejections, refunds.rejections, payouts.rejections);
  } finally {
    execution.psp.close();
  }
}

export async function releaseList(context: CliContext, flags: ReleaseListFlags): Promise<void> {
  const rows = await withDatabase(context, (db) => new HeldPayOuts(db).list({ all: flags.all }));
  if (flags.json) {
    context.out(contractJson(releaseListSchema, { dateBasis: 'received', payOuts: rows }));
    return;
  }
  const cells = rows.map((r) => [
    r.eventId,
    r.orderId,
    r.sellerId,
    r.orderStatus,
    r.status,
    r.heldAt,
    r.resolvedAt ?? '',
    r.reason ?? '',
  ]);
  if (flags.csv) {
    context.out(
      csvOf(
        [
          'event_id',
          'order_id',
          'seller_id',
          'order_status',
          'status',
          'held_at',
          'resolved_at',
          'reason',
        ],
        cells,
      ).trimEnd(),
    );
  } else if (rows.length === 0) {
    context.out(
      flags.all
        ? 'no pay_out was ever held'
        : 'no pay_out is held: every accepted pay_out was applied or rejected (--all shows those once held)',
    );
  } else {
    context.out(
      `dates: received (when payops accepted the pay_out)\n${renderTable(
        [
          { header: 'event' },
          { header: 'order' },
          { header: 'seller' },
          { header: 'order status' },
          { header: 'pay_out' },
          { header: 'held at' },
          { header: 'resolved at' },
          { header: 'reason' },
        ],
        cells,
      )}`,
    );
  }
}

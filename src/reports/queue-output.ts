import { csvNumeric, csvRow, csvText } from '../csv-cells.js';
import { formatAmount } from '../money/index.js';
import type { HeldPayOut } from '../payouts/held-payouts.js';
import type { RetryRunSummary } from '../queue/retry.js';
import type { QueuedWork } from '../queue/work-list.js';
import { renderTable } from './table.js';

/**
 * `retry list`, `dlq list`, `retry run`, `dlq requeue` and `release list` as CSV and text: data in,
 * strings out (a summary as lines: each is printed as its own line, as before the move). The lines every run command shares (totals, reasons, held work) are worded in
 * cli/execution.ts and handed in already written.
 */

/** One CSV: a header row of snake_case names, then the rows, every text cell neutralized. */
function csvOf(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly string[] = [],
): string {
  const cell = (value: string, column: string) =>
    numeric.includes(column) && value !== '' ? csvNumeric(value) : csvText(value);
  return [
    csvRow(header),
    ...rows.map((row) => csvRow(row.map((value, index) => cell(value, header[index] ?? '')))),
  ].join('');
}

/** `retry list --csv` (`retrying`) or `dlq list --csv`: one row per charge, refund or payout. */
export function queuedCsv(items: readonly QueuedWork[], retrying: boolean): string {
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
  return csvOf(header, rows, ['amount', 'attempts']).trimEnd();
}

/** `retry list` (`retrying`) or `dlq list` as a table, or the line that says the list is empty. */
export function renderQueued(items: readonly QueuedWork[], retrying: boolean): string {
  if (items.length === 0) return retrying ? 'the retry queue is empty' : 'no dead letters';
  return renderTable(
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
  );
}

/** Charges, refunds and payouts the PSP answered and payops could not record, after a run. */
export function needsAttentionCount({ queue, open }: RetryRunSummary): number {
  return queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention;
}

/**
 * `retry run`'s lines of text: the refund and payout lines (when any ran), the charges and the queue after
 * the run, then `shared` (reasons, held pay_outs, held work) as cli/execution.ts words them.
 */
export function retryRunLines(
  summary: RetryRunSummary,
  captured: string,
  shared: readonly string[],
): string[] {
  const { charges: tally, refunds, payouts, queue, open } = summary;
  const needsAttention = needsAttentionCount(summary);
  return [
    ...(refunds.attempted > 0
      ? [
          `refunds attempted ${refunds.attempted}: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered ${refunds.deadLettered}`,
        ]
      : []),
    ...(payouts.attempted > 0
      ? [
          `payouts attempted ${payouts.attempted}: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered ${payouts.deadLettered}`,
        ]
      : []),
    `attempted ${tally.attempted}: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered ${tally.deadLettered}` +
      `${tally.recoveredLeases > 0 ? `; recovered ${tally.recoveredLeases} from crashed runs` : ''}\ncaptured ${captured}\n` +
      `queue: retry scheduled ${queue.retry_scheduled}, dead-lettered ${queue.dead_lettered}` +
      `${needsAttention > 0 ? `, needs attention ${needsAttention} (charges ${queue.needs_attention}, refunds ${open.refunds.needsAttention}, payouts ${open.payouts.needsAttention}): \`payops attention list\`` : ''}`,
    ...shared,
  ];
}

/** `dlq requeue`'s lines of text: what became of the requeued charges, refunds and payouts, then `shared`. */
export function dlqRequeueLines(summary: RetryRunSummary, shared: readonly string[]): string[] {
  const { charges: tally, refunds, payouts } = summary;
  return [
    `requeued ${tally.attempted} charges: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered again ${tally.deadLettered}`,
    ...(refunds.attempted > 0
      ? [
          `requeued ${refunds.attempted} refunds: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered again ${refunds.deadLettered}`,
        ]
      : []),
    ...(payouts.attempted > 0
      ? [
          `requeued ${payouts.attempted} payouts: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered again ${payouts.deadLettered}`,
        ]
      : []),
    ...shared,
  ];
}

function releaseCells(rows: readonly HeldPayOut[]): string[][] {
  return rows.map((r) => [
    r.eventId,
    r.orderId,
    r.sellerId,
    r.orderStatus,
    r.status,
    r.heldAt,
    r.resolvedAt ?? '',
    r.reason ?? '',
  ]);
}

/** `release list --csv`: one row per held (with `--all`, once held) pay_out. */
export function releaseListCsv(rows: readonly HeldPayOut[]): string {
  return csvOf(
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
    releaseCells(rows),
  ).trimEnd();
}

/** `release list` as a table under its date basis, or the line that says there is none. */
export function renderReleaseList(rows: readonly HeldPayOut[], all: boolean): string {
  if (rows.length === 0)
    return all
      ? 'no pay_out was ever held'
      : 'no pay_out is held: every accepted pay_out was applied or rejected (--all shows those once held)';
  return `dates: received (when payops accepted the pay_out)\n${renderTable(
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
    releaseCells(rows),
  )}`;
}

import { behindSummary } from '../../payments/book-mark.js';
import fs from 'node:fs';
import { type CliContext, withBook } from '../context.js';
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
import { progressBar } from '../progress.js';
import type { ExecutionFlags } from '../psp-options.js';
import { ExitCode } from '../../errors.js';
import type { PayinSummary } from '../../work/executors/payin.js';
import { runPayin } from '../../work/executors/payin.js';
import { defaultSimStateFile } from '../../psp/factory.js';
import { contractJson } from '../../output/contract.js';
import { payinRunJson, payinRunSchema } from '../../output/payin.js';

export interface PayinFlags extends ExecutionFlags {
  format?: string;
  allOrNothing?: boolean;
  rejects?: string;
  json?: boolean;
}

export function exitCodeOf(summary: PayinSummary): number {
  if (summary.intake.rejected > 0 || summary.heldPayOuts.rejected.length > 0)
    return ExitCode.inputRejected;
  // Work another process holds is not done either: reported and counted (DESIGN.md §5).
  // needs_attention: answered by the PSP and not recorded, work payops could not finish.
  const refundsLeft =
    summary.refundsOpen.retryScheduled +
    summary.refundsOpen.deadLettered +
    summary.refundsOpen.needsAttention;
  const left =
    summary.queue.retry_scheduled +
    summary.queue.dead_lettered +
    summary.queue.needs_attention +
    refundsLeft +
    summary.held.length;
  return left > 0 ? ExitCode.workPending : ExitCode.ok;
}

async function renderSummary(context: CliContext, summary: PayinSummary): Promise<string> {
  const { intake, execution, queue } = summary;
  const { bold, red, yellow } = context.color;
  const lines = [
    `${bold('events')}    read ${intake.eventsRead}, accepted ${intake.eventsAccepted}, duplicates ${intake.duplicates}, rejected ${intake.rejected > 0 ? red(String(intake.rejected)) : 0}${intake.releases > 0 ? `; ${intake.releases} orders released to their sellers (pay_out)` : ''}${intake.refunds > 0 ? `; ${intake.refunds} refunds accepted` : ''}${intake.payOutsHeld > 0 ? `; ${intake.payOutsHeld} pay_outs held until their order is captured` : ''}`,
    ...(intake.rolledBack
      ? [red('          --all-or-nothing: the input was rejected as a whole; nothing was written')]
      : []),
    ...(intake.rejectsFiles.length > 0
      ? [`          rejected records: ${intake.rejectsFiles.join(', ')}`]
      : []),
    `${bold('orders')}    accepted ${intake.ordersAccepted}; this run: succeeded ${execution.succeeded}, pending ${execution.pending}, failed ${execution.failed}, retry scheduled ${execution.retryScheduled}, dead-lettered ${execution.deadLettered}${execution.needsAttention > 0 ? `, ${red(`needs attention ${execution.needsAttention}`)}` : ''}${execution.recoveredLeases > 0 ? `, recovered from crashed runs ${execution.recoveredLeases}` : ''}`,
    `${bold('accepted')}  ${formatTotals(intake.acceptedMinor)}`,
    `${bold('captured')}  ${formatTotals(execution.capturedMinor)}`,
    ...(summary.refunds.attempted > 0
      ? [
          `${bold('refunded')}  ${formatTotals(summary.refunds.refundedMinor)} (succeeded ${summary.refunds.succeeded}, declined ${summary.refunds.failed}, retry scheduled ${summary.refunds.retryScheduled}, dead-lettered ${summary.refunds.deadLettered})`,
        ]
      : []),
  ];
  lines.push(...reasonLines(execution, summary.refunds).map((line) => yellow(line)));
  if (queue.retry_scheduled + queue.dead_lettered > 0) {
    lines.push(
      yellow(
        `queue     retry scheduled ${queue.retry_scheduled}, dead-lettered ${queue.dead_lettered}, executing ${queue.executing}: run \`payops retry run --wait\`, see \`payops dlq list\``,
      ),
    );
  }
  const attention = queue.needs_attention + summary.refundsOpen.needsAttention;
  if (attention > 0)
    lines.push(
      red(
        `attention ${attention} PSP answers (charges ${queue.needs_attention}, refunds ${summary.refundsOpen.needsAttention}) could not be recorded: \`payops attention list\`, then \`payops attention resolve\``,
      ),
    );
  const payOuts = heldPayOutsLine(summary.heldPayOuts);
  if (payOuts) lines.push(summary.heldPayOuts.rejected.length > 0 ? red(payOuts) : payOuts);
  const held = heldLine(summary.held);
  if (held) lines.push(yellow(held));
  if (queue.pending > 0)
    lines.push(`pending   ${queue.pending} orders await the PSP: \`payops orders sync\``);
  const behind = execution.bookBehind ?? summary.refunds.bookBehind;
  if (behind !== null)
    lines.push(yellow(`book      behind its mark: ${behindSummary(behind)} (${behind.reason})`));
  return lines.join('\n');
}

export async function payinRun(
  context: CliContext,
  files: string[],
  flags: PayinFlags,
): Promise<void> {
  const totalBytes = files.reduce(
    (sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0),
    0,
  );
  const showProgress = context.stderrIsTTY && !flags.json;
  const reading = progressBar(showProgress, 'read  ', 'events', totalBytes);
  let charging = progressBar(false, '', '', 0);
  const execution = await executionFrom(context, flags, (done) => charging.advance(done));
  try {
    const summary = await withBook(context, (book) =>
      runPayin(
        book,
        files,
        {
          format: flags.format,
          allOrNothing: flags.allOrNothing,
          rejectsFile: flags.rejects,
          pspStateFile: flags.pspState ?? defaultSimStateFile(context.dbPath),
          onRecord: (bytes) => reading.advance(1, bytes),
          onIntakeDone: (intake) => {
            reading.done();
            charging = progressBar(showProgress, 'charge', 'orders', intake.ordersAccepted);
          },
        },
        execution,
      ),
    );
    charging.done();
    for (const empty of summary.intake.emptyFiles) context.err(`${empty}: 0 events`);
    for (const rejection of summary.intake.rejections) {
      context.err(`${rejection.file}:${rejection.line} ${rejection.field}: ${rejection.reason}`);
    }
    if (summary.intake.rejected > summary.intake.rejections.length) {
      context.err(
        `… ${summary.intake.rejected - summary.intake.rejections.length} more rejected; see ${summary.intake.rejectsFiles.join(', ')}`,
      );
    }
    const stats = execution.psp.callStats?.();
    const bookBehind = reportBookBehind(context, summary.execution, summary.refunds);
    if (flags.json) {
      context.out(contractJson(payinRunSchema, payinRunJson(summary, bookBehind, stats)));
    } else context.out(await renderSummary(context, summary));
    process.exitCode = exitCodeOf(summary);
    reportNeedsAttention(
      context,
      summary.queue.needs_attention + summary.refundsOpen.needsAttention,
    );
    reportRejections(context, summary.execution.rejections, summary.refunds.rejections);
    reportHeldPayOutRejections(context, summary.heldPayOuts);
  } finally {
    execution.psp.close();
  }
}

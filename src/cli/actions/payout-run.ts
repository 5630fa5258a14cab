import type { Palette } from '../../output/palette.js';
import type { CliContext } from '../context.js';
import { behindSummary } from '../../payments/book-mark.js';
import { withBook } from '../context.js';
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
import { flagValue } from '../options.js';
import type { ExecutionFlags } from '../psp-options.js';
import { ExitCode } from '../../errors.js';
import { renderTable } from '../../reports/table.js';
import { checkPayoutFilter } from '../../payouts/plan.js';
import { type PayoutRunSummary, runPayouts } from '../../work/executors/payout-run.js';
import { formatAmount } from '../../money/index.js';
import { lazy } from '../lazy.js';

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, { payoutRunJson, payoutRunSchema }] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/payouts.js'),
  ]);
  return { contractJson, payoutRunJson, payoutRunSchema };
});

/** `payout run`: the payout engine and its PSP load for it alone, not for `list`, `show` or `wallet`. */

export interface PayoutRunFlags extends ExecutionFlags {
  seller?: string;
  currency?: string;
  minAmount?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `payout run --dry-run`: the held pay_outs the real run settles before it plans (already in the plan). */
function dryRunHeldLine(settlement: {
  released: number;
  rejected: readonly unknown[];
}): string | undefined {
  const settled = settlement.released + settlement.rejected.length;
  if (settled === 0) return undefined;
  return `pay_outs  ${settled} held pay_outs will be settled first: ${settlement.released} released (included below), ${settlement.rejected.length} rejected`;
}

export async function payoutRun(context: CliContext, flags: PayoutRunFlags): Promise<void> {
  flagValue(() => checkPayoutFilter({ currency: flags.currency, minAmount: flags.minAmount }));
  const execution = await executionFrom(context, flags);
  try {
    const summary = await withBook(context, (book) =>
      runPayouts(book, {
        ...execution,
        sellerId: flags.seller,
        currency: flags.currency,
        minAmount: flags.minAmount,
        dryRun: flags.dryRun,
      }),
    );
    const bookBehind = reportBookBehind(context, summary.execution);
    if (flags.json) {
      const { contractJson, payoutRunJson, payoutRunSchema } = await json();
      context.out(contractJson(payoutRunSchema, payoutRunJson(summary, bookBehind)));
    } else context.out(payoutRunText(context.color, summary, bookBehind));
    if (
      !summary.dryRun &&
      summary.open.retryScheduled +
        summary.open.deadLettered +
        summary.open.needsAttention +
        summary.held.length >
        0
    )
      process.exitCode = ExitCode.workPending;
    // A held pay_out rejected by this run is a rejected record, as in `payin run`: exit 3.
    if (!summary.dryRun && summary.heldPayOuts.rejected.length > 0)
      process.exitCode = ExitCode.inputRejected;
    if (!summary.dryRun) reportNeedsAttention(context, summary.open.needsAttention);
    if (!summary.dryRun) reportHeldPayOutRejections(context, summary.heldPayOuts);
    reportRejections(context, summary.execution.rejections);
  } finally {
    execution.psp.close();
  }
}

/** The run in words: the plan (or what a dry run would pay), what was sent, what is left. */
function payoutRunText(
  color: Palette,
  summary: PayoutRunSummary,
  bookBehind: ReturnType<typeof reportBookBehind>,
): string {
  const planned = summary.plan.payouts.map((p) => ({
    sellerId: p.sellerId,
    currency: p.currency,
    amount: formatAmount(p.amountMinor, p.currency),
  }));
  const skipped = summary.plan.skipped.map((s) => ({
    sellerId: s.sellerId,
    currency: s.currency,
    amount: formatAmount(s.amountMinor, s.currency),
    reason: s.reason,
  }));
  const lines = [
    summary.dryRun ? color.bold('dry run: nothing was changed') : '',
    summary.dryRun ? dryRunHeldLine(summary.heldPayOuts) : heldPayOutsLine(summary.heldPayOuts),
    planned.length === 0
      ? 'nothing is payable'
      : renderTable(
          [{ header: 'seller' }, { header: 'amount', align: 'right' }, { header: 'currency' }],
          planned.map((p) => [p.sellerId, p.amount, p.currency]),
        ),
    ...skipped.map((s) =>
      color.yellow(`skipped ${s.sellerId} ${s.amount} ${s.currency}: ${s.reason}`),
    ),
  ];
  if (!summary.dryRun) {
    const t = summary.execution;
    lines.push(
      `sent ${t.succeeded} (${t.attempted} attempts); failed ${t.failed}, retries scheduled ${t.retryScheduled}, dead-lettered ${t.deadLettered}${summary.open.needsAttention ? `, needs attention ${summary.open.needsAttention} (\`payops attention list\`)` : ''}${t.recoveredLeases ? `, recovered from crashed runs ${t.recoveredLeases}` : ''}`,
    );
    lines.push(...reasonLines(t));
    lines.push(`paid ${formatTotals(t.paidMinor)}`);
    const held = heldLine(summary.held);
    if (held) lines.push(color.yellow(held));
    if (bookBehind !== null)
      lines.push(color.yellow(`book behind its mark: ${behindSummary(bookBehind)}`));
  }
  return lines.filter(Boolean).join('\n');
}

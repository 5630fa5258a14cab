import { behindSummary } from '../payments/book-mark.js';
import { type Command, Option } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { heldPayOutsLine, reasonLines, reportHeldPayOutRejections } from './queue.js';
import {
  executionFrom,
  formatTotals,
  heldLine,
  reportBookBehind,
  reportNeedsAttention,
  reportRejections,
} from '../cli/execution.js';
import { flagValue } from '../cli/options.js';
import { type ExecutionFlags, addExecutionOptions } from '../cli/psp-options.js';
import { ExitCode } from '../errors.js';
import type { PayoutSummary } from '../payouts/queries.js';
import type { PayoutStatus } from '../payouts/store.js';
import { renderTable } from '../reports/table.js';
import { renderSellers } from './report.js';

const PAYOUT_STATUSES: readonly PayoutStatus[] = [
  'created',
  'executing',
  'succeeded',
  'failed',
  'retry_scheduled',
  'dead_lettered',
];

interface PayoutRunFlags extends ExecutionFlags {
  seller?: string;
  currency?: string;
  minAmount?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerPayout(program: Command): void {
  const payout = program
    .command('payout')
    .description('pay sellers what is payable: one transfer per seller and currency');
  addExecutionOptions(
    payout
      .command('run')
      .description(
        'pay every seller their whole payable balance, one payout per seller and currency',
      )
      .option('--seller <id>', 'only this seller')
      .option('--currency <code>', 'only this currency')
      .option(
        '--min-amount <amount>',
        'leave balances below this amount (major units) for a later run',
      )
      .option('--dry-run', 'show what would be paid and change nothing')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      examples('payops payout run --dry-run', 'payops payout run --currency EUR --min-amount 10'),
    )
    .action(async (flags: PayoutRunFlags, command: Command) => {
      const context = contextOf(command);
      const { checkPayoutFilter } = await import('../payouts/plan.js');
      flagValue(() => checkPayoutFilter({ currency: flags.currency, minAmount: flags.minAmount }));
      const execution = await executionFrom(context, flags);
      const { runPayouts } = await import('../payouts/payout-run.js');
      const { formatAmount } = await import('../money/index.js');
      try {
        const summary = await withDatabase(context, (db) =>
          runPayouts(db, {
            ...execution,
            sellerId: flags.seller,
            currency: flags.currency,
            minAmount: flags.minAmount,
            dryRun: flags.dryRun,
          }),
        );
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
        const bookBehind = reportBookBehind(context, summary.execution);
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { payoutRunJson, payoutRunSchema } = await import('../output/payouts.js');
          context.out(contractJson(payoutRunSchema, payoutRunJson(summary, bookBehind)));
        } else {
          const lines = [
            summary.dryRun ? context.color.bold('dry run: nothing was changed') : '',
            summary.dryRun
              ? dryRunHeldLine(summary.heldPayOuts)
              : heldPayOutsLine(summary.heldPayOuts),
            planned.length === 0
              ? 'nothing is payable'
              : renderTable(
                  [
                    { header: 'seller' },
                    { header: 'amount', align: 'right' },
                    { header: 'currency' },
                  ],
                  planned.map((p) => [p.sellerId, p.amount, p.currency]),
                ),
            ...skipped.map((s) =>
              context.color.yellow(`skipped ${s.sellerId} ${s.amount} ${s.currency}: ${s.reason}`),
            ),
          ];
          if (!summary.dryRun) {
            const t = summary.execution;
            lines.push(
              `sent ${t.succeeded} (${t.attempted} attempts); failed ${t.failed}, retries scheduled ${t.retryScheduled}, dead-lettered ${t.deadLettered}${summary.open.needsAttention ? `, needs attention ${summary.open.needsAttention} (\`payops attention list\`)` : ''}${t.recoveredLeases ? `, recovered from crashed runs ${t.recoveredLeases}` : ''}`,
            );
            lines.push(...reasonLines(t));
            lines.push(`paid ${await formatTotals(t.paidMinor)}`);
            const held = await heldLine(summary.held);
            if (held) lines.push(context.color.yellow(held));
            if (bookBehind !== null)
              lines.push(
                context.color.yellow(`book behind its mark: ${behindSummary(bookBehind)}`),
              );
          }
          context.out(lines.filter(Boolean).join('\n'));
        }
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
    });

  payout
    .command('list')
    .description('payouts with their status; account numbers masked')
    .option('--seller <id>', 'only this seller')
    .addOption(
      new Option('--status <status>', 'only payouts in this status').choices(PAYOUT_STATUSES),
    )
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples(
        'payops payout list --seller seller_7',
        'payops payout list --status succeeded --csv > payouts.csv',
      ),
    )
    .action(
      async (
        flags: { seller?: string; status?: string; json?: boolean; csv?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { listPayouts } = await import('../payouts/queries.js');
        const { formatAmount } = await import('../money/index.js');
        const output = await import('../output/payouts.js');
        const payouts = await withDatabase(context, (db) =>
          listPayouts(db, { sellerId: flags.seller, status: flags.status }),
        );
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          context.out(contractJson(output.payoutListSchema, payouts.map(output.payoutSummaryJson)));
          return;
        }
        if (flags.csv) {
          context.out(output.payoutsCsv(payouts));
          return;
        }
        const view = payouts.map((p: PayoutSummary) => ({
          ...p,
          amount: formatAmount(p.amountMinor, p.currency),
        }));
        context.out(
          payouts.length === 0
            ? `no payouts${flags.seller === undefined ? '' : ` for --seller ${flags.seller}`}${flags.status === undefined ? '' : ` with --status ${flags.status}`}`
            : renderTable(
                [
                  { header: 'payout' },
                  { header: 'seller' },
                  { header: 'amount', align: 'right' },
                  { header: 'currency' },
                  { header: 'status' },
                  { header: 'to' },
                  { header: 'psp ref' },
                ],
                view.map((p) => [
                  p.payoutId,
                  p.sellerId,
                  p.amount,
                  p.currency,
                  p.status,
                  p.destination,
                  p.pspReference ?? '',
                ]),
              ),
        );
      },
    );

  payout
    .command('show')
    .description('one payout: amount, destination (masked), attempts, keys and its posting')
    .argument('<payoutId>', 'e.g. po_00000001')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops payout show po_00000001'))
    .action(async (payoutId: string, flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { showPayout } = await import('../payouts/queries.js');
      const { formatAmount } = await import('../money/index.js');
      const p = await withDatabase(context, (db) => showPayout(db, payoutId));
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { payoutShowJson, payoutShowSchema } = await import('../output/payouts.js');
        context.out(contractJson(payoutShowSchema, payoutShowJson(p)));
        return;
      }
      context.out(
        [
          `payout ${p.payoutId}  ${p.status}  ${formatAmount(p.amountMinor, p.currency)} ${p.currency} to ${p.sellerId} (${p.destination})`,
          `  key ${p.payoutKey}${p.pspReference ? `, reference ${p.pspReference}` : ''}, attempts ${p.attempts}${p.ledgerTxId ? `, posted as transaction ${p.ledgerTxId}` : ''}`,
          ...(p.lastError ? [`  last error: ${p.lastError}`] : []),
          '',
          renderTable(
            [
              { header: 'at' },
              { header: 'attempt', align: 'right' },
              { header: 'transition' },
              { header: 'cause' },
            ],
            p.transitions.map((t) => [
              t.at,
              String(t.attempt),
              `${t.from ?? '·'} → ${t.to}`,
              t.cause,
            ]),
          ),
        ].join('\n'),
      );
    });

  program
    .command('wallet')
    .description('seller wallets')
    .command('show')
    .description("one seller's pending, payable and paid-out balances, per currency")
    .argument('<sellerId>', 'the seller')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops wallet show seller_7'))
    .action(async (sellerId: string, flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { sellerReports } = await import('../payouts/queries.js');
      const { NotFoundError } = await import('../errors.js');
      const reports = await withDatabase(context, (db) => sellerReports(db, sellerId));
      if (reports.length === 0)
        throw new NotFoundError(`seller ${sellerId} has no wallet`, {
          hint: 'see `payops report sellers`',
        });
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { walletJson, walletShowSchema } = await import('../output/payouts.js');
        context.out(contractJson(walletShowSchema, walletJson(reports)));
      } else context.out(renderSellers(reports));
    });
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

import { behindSummary } from '../payments/book-mark.js';
import { type Command, Option } from 'commander';
import { contextOf, examples, toJson, withDatabase } from '../cli/context.js';
import { executionFrom, formatTotals, heldLine, reportBookBehind, reportNeedsAttention, reportRejections } from '../cli/execution.js';
import { flagValue } from '../cli/options.js';
import { type ExecutionFlags, addExecutionOptions } from '../cli/psp-options.js';
import { ExitCode } from '../errors.js';
import type { PayoutSummary, SellerReport } from '../payouts/queries.js';
import type { PayoutStatus } from '../payouts/store.js';
import { csvRow, csvText } from '../reports/csv.js';
import { renderTable } from '../reports/table.js';

const PAYOUT_STATUSES: readonly PayoutStatus[] = ['created', 'executing', 'succeeded', 'failed', 'retry_scheduled', 'dead_lettered'];

interface PayoutRunFlags extends ExecutionFlags {
  seller?: string;
  currency?: string;
  minAmount?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerPayout(program: Command): void {
  const payout = program.command('payout').description('pay sellers what is payable: one transfer per seller and currency');
  addExecutionOptions(
    payout
      .command('run')
      .description('pay every seller their whole payable balance, one payout per seller and currency')
      .option('--seller <id>', 'only this seller')
      .option('--currency <code>', 'only this currency')
      .option('--min-amount <amount>', 'leave balances below this amount (major units) for a later run')
      .option('--dry-run', 'show what would be paid and change nothing')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops payout run --dry-run', 'payops payout run --currency EUR --min-amount 10'))
    .action(async (flags: PayoutRunFlags, command: Command) => {
      const context = contextOf(command);
      const { checkPayoutFilter } = await import('../payouts/plan.js');
      flagValue(() => checkPayoutFilter({ currency: flags.currency, minAmount: flags.minAmount }));
      const execution = await executionFrom(context, flags);
      const { runPayouts } = await import('../payouts/payout-run.js');
      const { formatAmount } = await import('../money/index.js');
      try {
        const summary = await withDatabase(context, (db) =>
          runPayouts(db, { ...execution, sellerId: flags.seller, currency: flags.currency, minAmount: flags.minAmount, dryRun: flags.dryRun }),
        );
        const planned = summary.plan.payouts.map((p) => ({ sellerId: p.sellerId, currency: p.currency, amount: formatAmount(p.amountMinor, p.currency) }));
        const skipped = summary.plan.skipped.map((s) => ({ sellerId: s.sellerId, currency: s.currency, amount: formatAmount(s.amountMinor, s.currency), reason: s.reason }));
        const bookBehind = reportBookBehind(context, summary.execution);
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { payoutRunJson, payoutRunSchema } = await import('../output/payouts.js');
          context.out(contractJson(payoutRunSchema, payoutRunJson(summary, bookBehind)));
        } else {
          const lines = [
            summary.dryRun ? context.color.bold('dry run: nothing was changed') : '',
            planned.length === 0 ? 'nothing is payable' : renderTable([{ header: 'seller' }, { header: 'amount', align: 'right' }, { header: 'currency' }], planned.map((p) => [p.sellerId, p.amount, p.currency])),
            ...skipped.map((s) => context.color.yellow(`skipped ${s.sellerId} ${s.amount} ${s.currency}: ${s.reason}`)),
          ];
          if (!summary.dryRun) {
            const t = summary.execution;
            lines.push(`sent ${t.succeeded} (${t.attempted} attempts); failed ${t.failed}, retries scheduled ${t.retryScheduled}, dead-lettered ${t.deadLettered}${summary.open.needsAttention ? `, needs attention ${summary.open.needsAttention} (\`payops attention list\`)` : ''}${t.recoveredLeases ? `, recovered from crashed runs ${t.recoveredLeases}` : ''}`);
            lines.push(`paid ${await formatTotals(t.paidMinor)}`);
            const held = await heldLine(summary.held);
            if (held) lines.push(context.color.yellow(held));
            if (bookBehind !== null) lines.push(context.color.yellow(`book behind its mark: ${behindSummary(bookBehind)}`));
          }
          context.out(lines.filter(Boolean).join('\n'));
        }
        if (!summary.dryRun && summary.open.retryScheduled + summary.open.deadLettered + summary.open.needsAttention + summary.held.length > 0) process.exitCode = ExitCode.workPending;
        if (!summary.dryRun) reportNeedsAttention(context, summary.open.needsAttention);
        reportRejections(context, summary.execution.rejections);
      } finally {
        execution.psp.close();
      }
    });

  payout
    .command('list')
    .description('payouts with their status; account numbers masked')
    .option('--seller <id>', 'only this seller')
    .addOption(new Option('--status <status>', 'only payouts in this status').choices(PAYOUT_STATUSES))
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText('after', examples('payops payout list --seller seller_7', 'payops payout list --status succeeded --csv > payouts.csv'))
    .action(async (flags: { seller?: string; status?: string; json?: boolean; csv?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listPayouts } = await import('../payouts/queries.js');
      const { formatAmount } = await import('../money/index.js');
      const output = await import('../output/payouts.js');
      const payouts = await withDatabase(context, (db) => listPayouts(db, { sellerId: flags.seller, status: flags.status }));
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        context.out(contractJson(output.payoutListSchema, payouts.map(output.payoutSummaryJson)));
        return;
      }
      if (flags.csv) {
        context.out(output.payoutsCsv(payouts));
        return;
      }
      const view = payouts.map((p: PayoutSummary) => ({ ...p, amount: formatAmount(p.amountMinor, p.currency) }));
      context.out(
        payouts.length === 0
          ? 'no payouts'
          : renderTable(
              [{ header: 'payout' }, { header: 'seller' }, { header: 'amount', align: 'right' }, { header: 'currency' }, { header: 'status' }, { header: 'to' }, { header: 'psp ref' }],
              view.map((p) => [p.payoutId, p.sellerId, p.amount, p.currency, p.status, p.destination, p.pspReference ?? '']),
            ),
      );
    });

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
          renderTable([{ header: 'at' }, { header: 'attempt', align: 'right' }, { header: 'transition' }, { header: 'cause' }], p.transitions.map((t) => [t.at, String(t.attempt), `${t.from ?? '·'} → ${t.to}`, t.cause])),
        ].join('\n'),
      );
    });

  program
    .command('wallet')
    .description('seller wallets')
    .command('show')
    .description('one seller\'s pending, payable and paid-out balances, per currency')
    .argument('<sellerId>', 'the seller')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops wallet show seller_7'))
    .action(async (sellerId: string, flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { sellerReports } = await import('../payouts/queries.js');
      const { NotFoundError } = await import('../errors.js');
      const reports = await withDatabase(context, (db) => sellerReports(db, sellerId));
      if (reports.length === 0) throw new NotFoundError(`seller ${sellerId} has no wallet`, { hint: 'see `payops report sellers`' });
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { walletJson, walletShowSchema } = await import('../output/payouts.js');
        context.out(contractJson(walletShowSchema, walletJson(reports)));
      } else context.out(await renderSellers(reports));
    });

  const report = program.command('report').description('reports for finance');
  registerDaily(report);
  report
    .command('sellers')
    .description('every seller: pending, payable, paid out, negative balances, last payout')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV')
    .addHelpText('after', examples('payops report sellers', 'payops report sellers --csv > sellers.csv'))
    .action(async (flags: { json?: boolean; csv?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { sellerReports } = await import('../payouts/queries.js');
      const reports = await withDatabase(context, (db) => sellerReports(db));
      const rows = await sellersJson(reports);
      if (flags.json) context.out(toJson(rows));
      else if (flags.csv) {
        context.out(
          csvRow(['seller', 'name', 'account', 'currency', 'pending', 'payable', 'paid_out', 'negative', 'last_payout', 'last_payout_status']) +
            rows.map((r) => csvRow([csvText(r.sellerId), csvText(r.name ?? ''), csvText(r.account ?? ''), r.currency, r.pending, r.payable, r.paidOut, String(r.negative), r.lastPayout?.payoutId ?? '', r.lastPayout?.status ?? ''])).join(''),
        );
      } else context.out(rows.length === 0 ? 'no sellers yet' : await renderSellers(reports));
    });
}

function registerDaily(report: Command): void {
  report
    .command('daily')
    .description('one day of money movement per currency: pay-ins, refunds, chargebacks, payouts, PSP and platform fees')
    .option('--date <date>', 'the UTC day (default: today)')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops report daily --date 2026-11-23'))
    .action(async (flags: { date?: string; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { checkReportDate, dailyReport } = await import('../reports/daily.js');
      const { formatAmount } = await import('../money/index.js');
      const date = flags.date ?? new Date().toISOString().slice(0, 10);
      flagValue(() => checkReportDate(date));
      const lines = await withDatabase(context, (db) => dailyReport(db, date));
      const view = lines.map((l) => {
        const f = (minor: bigint) => formatAmount(minor, l.currency);
        return {
          currency: l.currency,
          payIns: { count: l.payIns.count, amount: f(l.payIns.amountMinor) },
          refunds: { count: l.refunds.count, amount: f(l.refunds.amountMinor) },
          chargebacks: { count: l.chargebacks.count, amount: f(l.chargebacks.amountMinor), fees: f(l.chargebacks.feesMinor) },
          payouts: { count: l.payouts.count, amount: f(l.payouts.amountMinor) },
          pspFees: f(l.pspFeesMinor),
          platformFees: f(l.platformFeesMinor),
        };
      });
      if (flags.json) {
        context.out(toJson({ date, currencies: view }));
        return;
      }
      if (view.length === 0) {
        context.out(`${date}: no money moved`);
        return;
      }
      context.out(
        `${context.color.bold(date)} (UTC)\n` +
          renderTable(
            [{ header: 'currency' }, { header: 'pay-ins', align: 'right' }, { header: 'refunds', align: 'right' }, { header: 'chargebacks', align: 'right' }, { header: 'payouts', align: 'right' }, { header: 'PSP fees', align: 'right' }, { header: 'platform fees', align: 'right' }],
            view.map((v) => [v.currency, `${v.payIns.count} · ${v.payIns.amount}`, `${v.refunds.count} · ${v.refunds.amount}`, `${v.chargebacks.count} · ${v.chargebacks.amount} + ${v.chargebacks.fees}`, `${v.payouts.count} · ${v.payouts.amount}`, v.pspFees, v.platformFees]),
          ),
      );
    });
}

async function sellersJson(reports: readonly SellerReport[]) {
  const { formatAmount } = await import('../money/index.js');
  return reports.map((r) => ({
    sellerId: r.sellerId,
    name: r.name,
    account: r.account,
    currency: r.currency,
    pending: formatAmount(r.pendingMinor, r.currency),
    payable: formatAmount(r.payableMinor, r.currency),
    paidOut: formatAmount(r.paidOutMinor, r.currency),
    negative: r.negative,
    lastPayout: r.lastPayout && { payoutId: r.lastPayout.payoutId, amount: formatAmount(r.lastPayout.amountMinor, r.currency), status: r.lastPayout.status, at: r.lastPayout.at },
  }));
}

async function renderSellers(reports: readonly SellerReport[]): Promise<string> {
  const rows = await sellersJson(reports);
  return renderTable(
    [{ header: 'seller' }, { header: 'currency' }, { header: 'pending', align: 'right' }, { header: 'payable', align: 'right' }, { header: 'paid out', align: 'right' }, { header: 'account' }, { header: 'last payout' }],
    rows.map((r) => [r.sellerId + (r.negative ? ' (negative)' : ''), r.currency, r.pending, r.payable, r.paidOut, r.account ?? '', r.lastPayout ? `${r.lastPayout.payoutId} ${r.lastPayout.status}` : '']),
  );
}

import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { positiveInteger } from './options.js';
import { lazy } from './lazy.js';
import type { ReportDailyFlags } from './actions/report.js';
import type { ReportSellersFlags } from './actions/report-sellers.js';
import type { StatementFlags } from './actions/report-statement.js';
import type { ReportHtmlFlags } from './actions/report-html.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/report.js'));
/** The period statements and the HTML page builder load only for the commands that print them. */
const statementActions = lazy(() => import('./actions/report-statement.js'));
const htmlActions = lazy(() => import('./actions/report-html.js'));
const sellerActions = lazy(() => import('./actions/report-sellers.js'));

const STATEMENT_HELP = {
  income: {
    description:
      'income statement: revenue (platform fees), expenses (PSP fees, chargebacks, reconciliation adjustments and write-offs) and net, per period and currency',
    examples: [
      'payops report income --period monthly',
      'payops report income -b 2026-11-01 -e 2026-12-01 --depth 2 --csv',
    ],
  },
  'balance-sheet': {
    description:
      'balance sheet: assets, liabilities and equity at each period end, and the check that they balance, per currency',
    examples: [
      'payops report balance-sheet --period monthly',
      'payops report balance-sheet -e 2026-12-01 --json',
    ],
  },
} as const;

/** `payops report …`: statements, the daily flows and the sellers, for finance. */
export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('reports for finance: income statement, balance sheet, daily flows, sellers');
  reportStatement(report, 'income');
  reportStatement(report, 'balance-sheet');
  reportDaily(report);
  reportSellers(report);
  reportHtml(report);
}

function reportStatement(report: Command, name: 'income' | 'balance-sheet'): void {
  report
    .command(name)
    .description(STATEMENT_HELP[name].description)
    .addOption(
      new Option('--period <period>', 'one column per period (ISO weeks start on Monday)').choices([
        'daily',
        'weekly',
        'monthly',
      ]),
    )
    .option('-b, --begin <date>', 'first UTC day, inclusive (default: the first day with an entry)')
    .option(
      '-e, --end <date>',
      'UTC day after the last, exclusive (default: the day after the last entry)',
    )
    .option('--depth <n>', 'roll accounts up to N segments', positiveInteger)
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      `${examples(...STATEMENT_HELP[name].examples)}Amounts by effective date; never summed across currencies. See docs/REPORTS.md.\n`,
    )
    .action(async (flags: StatementFlags, command: Command) =>
      (await statementActions()).reportStatement(contextOf(command), name, flags),
    );
}

function reportDaily(report: Command): void {
  report
    .command('daily')
    .description(
      'one day of money movement per currency: pay-ins, refunds, chargebacks, payouts, PSP and platform fees',
    )
    .option('--date <date>', 'the UTC day, by effective date (default: the last day with money)')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops report daily', 'payops report daily --date 2026-11-23 --csv'),
    )
    .action(async (flags: ReportDailyFlags, command: Command) =>
      (await actions()).reportDaily(contextOf(command), flags),
    );
}

function reportSellers(report: Command): void {
  report
    .command('sellers')
    .description('every seller: pending, payable, paid out, negative balances, last payout')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops report sellers', 'payops report sellers --csv > sellers.csv'),
    )
    .action(async (flags: ReportSellersFlags, command: Command) =>
      (await sellerActions()).reportSellers(contextOf(command), flags),
    );
}

/** `payops report html`: one self-contained HTML file (statements, daily flow charts, open items, payout bridges). */
function reportHtml(report: Command): void {
  report
    .command('html')
    .description(
      'one self-contained HTML file: balance sheet, income statement, daily flow charts, open reconciliation items, payout bridges',
    )
    .requiredOption(
      '--out <file>',
      'the HTML file to write (created 0600; never the book or an input)',
    )
    .addOption(
      new Option('--period <period>', 'statement columns per period').choices([
        'daily',
        'weekly',
        'monthly',
      ]),
    )
    .option(
      '-b, --begin <date>',
      "first UTC day, inclusive (default: the book's first, at most a year back)",
    )
    .option(
      '-e, --end <date>',
      'UTC day the report stops before, exclusive as in hledger (default: the day after the last)',
    )
    .option(
      '--depth <n>',
      'roll statement accounts up to this many segments, as hledger --depth',
      positiveInteger,
    )
    .addHelpText(
      'after',
      examples(
        'payops report html --out report.html',
        'payops report html --out november.html --period weekly -b 2026-11-01 -e 2026-12-01',
      ),
    )
    .action(async (flags: ReportHtmlFlags, command: Command) =>
      (await htmlActions()).reportHtml(contextOf(command), flags),
    );
}

import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { positiveInteger } from './options.js';
import { lazy } from './lazy.js';
import type { ReportHtmlFlags } from './actions/report-html.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/report-html.js'));

/** `payops report html`: one self-contained HTML file (statements, daily flow charts, open items, payout bridges). */
export function registerReportHtml(report: Command): void {
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
      (await actions()).reportHtml(contextOf(command), flags),
    );
}

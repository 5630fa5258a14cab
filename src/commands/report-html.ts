import { type Command, Option } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { flagValue, positiveInteger } from '../cli/options.js';
import type { Period } from '../reports/statements.js';

interface ReportHtmlFlags {
  out: string;
  period?: Period;
  begin?: string;
  end?: string;
  depth?: number;
}

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
    .action(async (flags: ReportHtmlFlags, command: Command) => {
      const context = contextOf(command);
      const { parseReportDate } = await import('../reports/periods.js');
      if (flags.begin !== undefined)
        flagValue(() => parseReportDate(flags.begin as string, '--begin'));
      if (flags.end !== undefined) flagValue(() => parseReportDate(flags.end as string, '--end'));
      const { PrivateFile, assertSafeOutput } = await import('../private-files.js');
      const { defaultSimStateFile } = await import('../psp/factory.js');
      const { buildHtmlReport, loadAssets, renderPage } = await import('../reports/html/index.js');
      const guard = {
        flag: '--out',
        database: context.dbPath,
        pspState: defaultSimStateFile(context.dbPath),
      };
      assertSafeOutput(flags.out, guard);
      const options = {
        period: flags.period,
        beginDay: flags.begin,
        endDay: flags.end,
        depth: flags.depth,
        generatedAt: new Date().toISOString(),
      };
      const model = await withDatabase(context, (db) =>
        flagValue(() => buildHtmlReport(db, options)),
      );
      const page = renderPage(model, loadAssets());
      const file = PrivateFile.create(flags.out, guard);
      try {
        file.write(page);
        file.commit();
      } catch (error) {
        file.abort();
        throw error;
      }
      context.err(
        `wrote ${flags.out}: ${model.statements.length} statements, ${model.flows.length} currencies charted, ${model.openItems.count} open items, ${model.bridges.count} payout bridges`,
      );
    });
}

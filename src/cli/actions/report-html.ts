import { type CliContext, withDatabase } from '../context.js';
import { pspFactory } from '../lazy.js';
import { flagValue, flagValueAsync } from '../options.js';
import type { Period } from '../../reports/periods.js';
import { parseReportDate } from '../../reports/periods.js';
import { PrivateFile, assertSafeOutput } from '../../private-files.js';
import { buildHtmlReport, loadAssets, renderPage } from '../../reports/html/index.js';
import { SqliteReportStore } from '../../reports/sqlite-report-store.js';

/** `report html`: the page builder and its assets load for it alone. */

export interface ReportHtmlFlags {
  out: string;
  period?: Period;
  begin?: string;
  end?: string;
  depth?: number;
}

export async function reportHtml(context: CliContext, flags: ReportHtmlFlags): Promise<void> {
  const { defaultSimStateFile } = await pspFactory();
  if (flags.begin !== undefined) flagValue(() => parseReportDate(flags.begin as string, '--begin'));
  if (flags.end !== undefined) flagValue(() => parseReportDate(flags.end as string, '--end'));
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
    flagValueAsync(() => buildHtmlReport(new SqliteReportStore(db), options)),
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
}

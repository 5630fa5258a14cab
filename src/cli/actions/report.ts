import { type CliContext, withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { flagValue } from '../options.js';
import { checkReportDate, dailyReport, daysWithMoney } from '../../reports/daily.js';
import { dailyCsv, dailyJson, renderDaily } from '../../reports/daily-output.js';
import { SqliteReportStore } from '../../reports/sqlite-report-store.js';

/** `report daily`; the statements, the sellers and the HTML report are modules of their own. */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, schemas] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/reports.js'),
  ]);
  return { contractJson, ...schemas };
});

export type ReportDailyFlags = { date?: string; json?: boolean; csv?: boolean };

export async function reportDaily(context: CliContext, flags: ReportDailyFlags): Promise<void> {
  if (flags.date !== undefined) flagValue(() => checkReportDate(flags.date as string));
  const result = await withDatabase(context, async (db) => {
    const store = new SqliteReportStore(db);
    // Without --date, the last day with money: the walkthrough's events are dated in the past.
    const days = await daysWithMoney(store, flags.date ?? '0000-01-01');
    const date = flags.date ?? days.last ?? new Date().toISOString().slice(0, 10);
    return { date, lines: await dailyReport(store, date), days };
  });
  const chosen = flags.date === undefined ? 'last-day-with-money' : 'given';
  if (flags.json) {
    const { contractJson, reportDailySchema } = await json();
    context.out(
      contractJson(reportDailySchema, {
        date: result.date,
        dateBasis: 'effective',
        dateChosen: chosen,
        currencies: result.lines.map(dailyJson),
      }),
    );
  } else if (flags.csv) context.out(dailyCsv(result.date, result.lines));
  else context.out(renderDaily(context.color, result.date, chosen, result.lines, result.days));
}

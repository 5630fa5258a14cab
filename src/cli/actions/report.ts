import { type CliContext, withDatabase } from '../context.js';
import { pspFactory } from '../lazy.js';
import { flagValue } from '../options.js';
import { type Currency, formatAmount, moneyJson } from '../../money/index.js';
import { csvNumeric, csvRow } from '../../csv-cells.js';
import type { DailyLine, DaysWithMoney } from '../../reports/daily.js';
import type { Period } from '../../reports/periods.js';
import { renderTable } from '../../reports/table.js';
import { balanceSheet, incomeStatement } from '../../reports/statements.js';
import * as output from '../../reports/statement-output.js';
import { contractJson } from '../../output/contract.js';
import {
  reportBalanceSheetSchema,
  reportIncomeSchema,
  reportDailySchema,
  reportSellersSchema,
} from '../../output/reports.js';
import { InvariantError } from '../../errors.js';
import { checkReportDate, dailyReport, daysWithMoney } from '../../reports/daily.js';
import { sellerReports } from '../../payouts/queries.js';
import { renderSellers, sellersCsv, sellersJson } from '../../reports/sellers.js';
import { parseReportDate } from '../../reports/periods.js';
import { PrivateFile, assertSafeOutput } from '../../private-files.js';
import { buildHtmlReport, loadAssets, renderPage } from '../../reports/html/index.js';

export interface StatementFlags {
  period?: Period;
  begin?: string;
  end?: string;
  depth?: number;
  json?: boolean;
  csv?: boolean;
}

function dailyJson(line: DailyLine) {
  const money = (minor: bigint) => moneyJson(minor, line.currency);
  return {
    currency: line.currency,
    payIns: { count: line.payIns.count, amount: money(line.payIns.amountMinor) },
    refunds: { count: line.refunds.count, amount: money(line.refunds.amountMinor) },
    chargebacks: {
      count: line.chargebacks.count,
      amount: money(line.chargebacks.amountMinor),
      fees: money(line.chargebacks.feesMinor),
    },
    payouts: { count: line.payouts.count, amount: money(line.payouts.amountMinor) },
    pspFees: money(line.pspFeesMinor),
    platformFees: money(line.platformFeesMinor),
  };
}

/** One row per currency: no figure repeats across rows. */
function dailyCsv(date: string, lines: readonly DailyLine[]): string {
  const header = [
    'date',
    'currency',
    'pay_ins_count',
    'pay_ins_amount',
    'refunds_count',
    'refunds_amount',
    'chargebacks_count',
    'chargebacks_amount',
    'chargeback_fees',
    'payouts_count',
    'payouts_amount',
    'psp_fees',
    'platform_fees',
  ];
  const rows = lines.map((line) => {
    const amount = (minor: bigint) => csvNumeric(formatAmount(minor, line.currency));
    return csvRow([
      date,
      line.currency,
      String(line.payIns.count),
      amount(line.payIns.amountMinor),
      String(line.refunds.count),
      amount(line.refunds.amountMinor),
      String(line.chargebacks.count),
      amount(line.chargebacks.amountMinor),
      amount(line.chargebacks.feesMinor),
      String(line.payouts.count),
      amount(line.payouts.amountMinor),
      amount(line.pspFeesMinor),
      amount(line.platformFeesMinor),
    ]);
  });
  return csvRow(header) + rows.join('');
}

function renderDaily(
  context: CliContext,
  date: string,
  chosen: 'given' | 'last-day-with-money',
  lines: readonly DailyLine[],
  days: DaysWithMoney,
): string {
  if (lines.length === 0) {
    if (days.last === null)
      return `${date} (UTC, by effective date): no money moved; the ledger is empty`;
    const nearest = [
      days.before && `${days.before} (before)`,
      days.after && `${days.after} (after)`,
    ]
      .filter(Boolean)
      .join(', ');
    return `${date} (UTC, by effective date): no money moved. Nearest days with money: ${nearest}; the ledger runs from ${days.first} to ${days.last}. Try --date ${days.before ?? days.after}`;
  }
  const note =
    chosen === 'last-day-with-money' ? ', the last day with money (give --date for another)' : '';
  const f = (minor: bigint, currency: Currency) => formatAmount(minor, currency);
  return (
    `${context.color.bold(date)} (UTC, by effective date${note})\n` +
    renderTable(
      [
        { header: 'currency' },
        { header: 'pay-ins', align: 'right' },
        { header: 'refunds', align: 'right' },
        { header: 'chargebacks', align: 'right' },
        { header: 'payouts', align: 'right' },
        { header: 'PSP fees', align: 'right' },
        { header: 'platform fees', align: 'right' },
      ],
      lines.map((l) => [
        l.currency,
        `${l.payIns.count} · ${f(l.payIns.amountMinor, l.currency)}`,
        `${l.refunds.count} · ${f(l.refunds.amountMinor, l.currency)}`,
        `${l.chargebacks.count} · ${f(l.chargebacks.amountMinor, l.currency)} + ${f(l.chargebacks.feesMinor, l.currency)}`,
        `${l.payouts.count} · ${f(l.payouts.amountMinor, l.currency)}`,
        f(l.pspFeesMinor, l.currency),
        f(l.platformFeesMinor, l.currency),
      ]),
    )
  );
}

/** The sellers' wallets as JSON (also `wallet show --json`): money as moneyJson. */
export type ReportDailyFlags = { date?: string; json?: boolean; csv?: boolean };
export type ReportSellersFlags = { json?: boolean; csv?: boolean };

export async function reportStatement(
  context: CliContext,
  name: 'income' | 'balance-sheet',
  flags: StatementFlags,
): Promise<void> {
  const options = {
    period: flags.period,
    begin: flags.begin,
    end: flags.end,
    depth: flags.depth,
  };
  const statement = await withDatabase(context, (db) =>
    flagValue(() => (name === 'income' ? incomeStatement(db, options) : balanceSheet(db, options))),
  );
  if (flags.json) {
    context.out(
      contractJson(
        name === 'income' ? reportIncomeSchema : reportBalanceSheetSchema,
        output.statementJson(statement) as never,
      ),
    );
  } else if (flags.csv) context.out(output.statementCsv(statement));
  else context.out(output.renderStatement(statement));
  if (statement.report === 'balance-sheet' && !statement.balanced) {
    throw new InvariantError(
      `the balance sheet does not balance: ${output.balanceCheckLine(statement)}`,
      { hint: 'run `payops ledger verify`: the books were changed outside payops' },
    );
  }
}

export async function reportDaily(context: CliContext, flags: ReportDailyFlags): Promise<void> {
  if (flags.date !== undefined) flagValue(() => checkReportDate(flags.date as string));
  const result = await withDatabase(context, (db) => {
    // Without --date, the last day with money: the walkthrough's events are dated in the past.
    const days = daysWithMoney(db, flags.date ?? '0000-01-01');
    const date = flags.date ?? days.last ?? new Date().toISOString().slice(0, 10);
    return { date, lines: dailyReport(db, date), days };
  });
  const chosen = flags.date === undefined ? 'last-day-with-money' : 'given';
  if (flags.json) {
    context.out(
      contractJson(reportDailySchema, {
        date: result.date,
        dateBasis: 'effective',
        dateChosen: chosen,
        currencies: result.lines.map(dailyJson),
      }),
    );
  } else if (flags.csv) context.out(dailyCsv(result.date, result.lines));
  else context.out(renderDaily(context, result.date, chosen, result.lines, result.days));
}

export async function reportSellers(context: CliContext, flags: ReportSellersFlags): Promise<void> {
  const reports = await withDatabase(context, (db) => sellerReports(db));
  if (flags.json) {
    context.out(contractJson(reportSellersSchema, sellersJson(reports)));
  } else if (flags.csv) context.out(sellersCsv(reports));
  else context.out(reports.length === 0 ? 'no sellers yet' : renderSellers(reports));
}

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
  const model = await withDatabase(context, (db) => flagValue(() => buildHtmlReport(db, options)));
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

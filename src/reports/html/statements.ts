import { type Currency, type MoneyJson, moneyJson } from '../../money/index.js';
import {
  type BalanceSheet,
  type CurrencyAmounts,
  type IncomeStatement,
  type Period,
  type PeriodSpan,
  type StatementSection,
  balanceSheet,
  incomeStatement,
} from '../statements.js';
import type { ReportStore } from '../report-store.js';

/** A statement as the page draws it: one row per account and currency, a column per period, then the total. */
export interface StatementTable {
  title: string;
  columns: string[];
  rows: StatementLine[];
  /** Under the table: the balance check, or why the table is empty. */
  note: string;
}

export interface StatementLine {
  label: string;
  currency: Currency;
  kind: 'section' | 'account' | 'total';
  cells: MoneyJson[];
}

/** The income statement and the balance sheet of src/reports/statements.ts over the report's range. */
export async function statementTables(
  store: ReportStore,
  period: Period | undefined,
  begin: string,
  end: string,
  depth?: number,
): Promise<StatementTable[]> {
  const options = { period, begin, end, depth };
  const income = await incomeStatement(store, options);
  const sheet = await balanceSheet(store, options);
  return [incomeTable(income), balanceTable(sheet)];
}

function periodLabel(period: Period | null, span: PeriodSpan): string {
  const start = span.start.slice(0, 10);
  if (period === 'monthly') return start.slice(0, 7);
  if (period === 'weekly') return `week of ${start}`;
  if (period === 'daily') return start;
  return `${start} to ${new Date(Date.parse(span.end) - 1).toISOString().slice(0, 10)}`;
}

const cellsOf = (currency: Currency, amounts: readonly bigint[], total: bigint): MoneyJson[] =>
  [...amounts, total].map((minor) => moneyJson(minor, currency));

function sectionLines(section: StatementSection): StatementLine[] {
  return [
    ...section.rows.map(
      (row): StatementLine => ({
        label: row.account,
        currency: row.currency,
        kind: 'account',
        cells: cellsOf(row.currency, row.amountsMinor, row.totalMinor),
      }),
    ),
    ...totalLines(`total ${section.name}`, section.totals),
  ];
}

function totalLines(label: string, totals: readonly CurrencyAmounts[]): StatementLine[] {
  return totals.map((line) => ({
    label,
    currency: line.currency,
    kind: 'total',
    cells: cellsOf(line.currency, line.amountsMinor, line.totalMinor),
  }));
}

function columnsOf(statement: IncomeStatement | BalanceSheet, last: string): string[] {
  return [...statement.periods.map((span) => periodLabel(statement.period, span)), last];
}

function incomeTable(statement: IncomeStatement): StatementTable {
  return {
    title: 'Income statement',
    columns: columnsOf(statement, 'total'),
    rows: [...statement.sections.flatMap(sectionLines), ...totalLines('net income', statement.net)],
    note:
      statement.periods.length === 0
        ? 'no revenue or expenses in the range'
        : 'revenue minus expenses per period, by effective date; currencies are never added together',
  };
}

function balanceTable(sheet: BalanceSheet): StatementTable {
  const unbalanced = sheet.check.filter((line) =>
    line.differenceMinor.some((difference) => difference !== 0n),
  );
  return {
    title: 'Balance sheet',
    columns: columnsOf(sheet, 'at end'),
    rows: [
      ...sheet.sections.flatMap(sectionLines),
      ...totalLines('net income not yet closed to equity', sheet.unclosedNetIncome),
    ],
    note: sheet.balanced
      ? 'balanced: assets = liabilities + equity + net income not yet closed, in every currency at every period end'
      : `NOT BALANCED in ${unbalanced.map((line) => line.currency).join(', ')}: assets differ from liabilities + equity + net income`,
  };
}

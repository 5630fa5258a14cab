import { type Currency, formatAmount, moneyJson } from '../money/index.js';
import { csvNumeric, csvRow, csvText } from '../csv-cells.js';
import type { PeriodSpan } from './periods.js';
import type {
  BalanceSheet,
  CurrencyAmounts,
  IncomeStatement,
  StatementSection,
} from './statements.js';
import { renderTable } from './table.js';

/**
 * The statements as text, JSON (money as moneyJson) and CSV. Text and CSV have one column per
 * period; the income statement adds a total column (the sum of its periods), the balance sheet
 * does not (its last column is the closing balance, as `hledger bs -H` shows it).
 */

type Statement = IncomeStatement | BalanceSheet;

const TITLE = { income: 'Income statement', 'balance-sheet': 'Balance sheet' } as const;

/** `Income statement by effective date (UTC), 2026-02-01 to 2026-05-01 (end exclusive), monthly`. */
function statementHeader(statement: Statement): string {
  if (statement.begin === null || statement.end === null)
    return `${TITLE[statement.report]} by effective date (UTC): the ledger has no entries in this span`;
  const span = `${statement.begin.slice(0, 10)} to ${statement.end.slice(0, 10)} (end exclusive)`;
  const columns =
    statement.report === 'balance-sheet' ? ', balances at the end of each period' : '';
  return `${TITLE[statement.report]} by effective date (UTC), ${span}${statement.period ? `, ${statement.period}` : ''}${columns}`;
}

/** Column title of a period: a month `2026-02`, a day or week by its first day; balance sheet columns by their last day. */
function periodTitle(statement: Statement, span: PeriodSpan): string {
  if (statement.report === 'balance-sheet')
    return new Date(Date.parse(span.end) - 86_400_000).toISOString().slice(0, 10);
  if (statement.period === 'monthly') return span.start.slice(0, 7);
  if (statement.period === null) return 'amount';
  return span.start.slice(0, 10);
}

export function renderStatement(statement: Statement): string {
  const header = statementHeader(statement);
  if (statement.periods.length === 0) return header;
  const withTotal = statement.report === 'income' && statement.periods.length > 1;
  const amounts = (
    currency: Currency,
    line: { amountsMinor: readonly bigint[]; totalMinor: bigint },
  ) => [
    ...line.amountsMinor.map((amount) => formatAmount(amount, currency)),
    ...(withTotal ? [formatAmount(line.totalMinor, currency)] : []),
  ];
  const rows: string[][] = [];
  for (const section of statement.sections) {
    rows.push([section.name]);
    for (const row of section.rows)
      rows.push([`  ${row.account}`, row.currency, ...amounts(row.currency, row)]);
    for (const line of section.totals)
      rows.push([`  total ${section.name}`, line.currency, ...amounts(line.currency, line)]);
    if (section.rows.length === 0) rows.push(['  (none)']);
  }
  for (const [label, lines] of closingLines(statement)) {
    rows.push([label]);
    for (const line of lines) rows.push(['', line.currency, ...amounts(line.currency, line)]);
  }
  const columns = [
    { header: 'account' },
    { header: 'currency' },
    ...statement.periods.map((span) => ({
      header: periodTitle(statement, span),
      align: 'right' as const,
    })),
    ...(withTotal ? [{ header: 'total', align: 'right' as const }] : []),
  ];
  return `${header}\n${renderTable(columns, rows)}${statement.report === 'balance-sheet' ? `\n${balanceCheckLine(statement)}` : ''}`;
}

function closingLines(statement: Statement): [string, readonly CurrencyAmounts[]][] {
  if (statement.report === 'income') return [['net (revenue - expenses)', statement.net]];
  return [['unclosed net income (revenue - expenses)', statement.unclosedNetIncome]];
}

/** How the balance sheet shows that it balances (or where it does not). */
export function balanceCheckLine(sheet: BalanceSheet): string {
  if (sheet.balanced)
    return 'balanced: assets = liabilities + equity + unclosed net income, in every currency at every period end';
  const off = sheet.check
    .flatMap((line) =>
      line.differenceMinor.map((difference, index) => ({ line, difference, index })),
    )
    .filter(({ difference }) => difference !== 0n)
    .map(
      ({ line, difference, index }) =>
        `${line.currency} ${formatAmount(difference, line.currency)} at ${periodTitle(sheet, sheet.periods[index] as PeriodSpan)}`,
    );
  return `NOT BALANCED: assets - (liabilities + equity + unclosed net income) = ${off.join('; ')}`;
}

const amountsJson = (line: {
  currency: Currency;
  amountsMinor: readonly bigint[];
  totalMinor: bigint;
}) => ({
  amounts: line.amountsMinor.map((amount) => moneyJson(amount, line.currency)),
  total: moneyJson(line.totalMinor, line.currency),
});

function sectionJson(section: StatementSection) {
  return {
    name: section.name,
    type: section.type,
    rows: section.rows.map((row) => ({
      account: row.account,
      currency: row.currency,
      ...amountsJson(row),
    })),
    totals: section.totals.map((line) => ({ currency: line.currency, ...amountsJson(line) })),
  };
}

/** JSON view: plain data with every amount as moneyJson (docs/REPORTS.md). */
export function statementJson(statement: Statement) {
  const base = {
    report: statement.report,
    dateBasis: statement.dateBasis,
    period: statement.period,
    begin: statement.begin,
    end: statement.end,
    periods: statement.periods,
    sections: statement.sections.map(sectionJson),
  };
  if (statement.report === 'income')
    return {
      ...base,
      net: statement.net.map((line) => ({ currency: line.currency, ...amountsJson(line) })),
    };
  return {
    ...base,
    unclosedNetIncome: statement.unclosedNetIncome.map((line) => ({
      currency: line.currency,
      ...amountsJson(line),
    })),
    balanced: statement.balanced,
    check: statement.check.map((line) => ({
      currency: line.currency,
      differences: line.differenceMinor.map((amount) => moneyJson(amount, line.currency)),
    })),
  };
}

/**
 * CSV: one row per account and currency, then the section totals and the net, told apart by
 * `row_type` (account, total, net) so a spreadsheet that sums a column filters on it first.
 * Period columns are named by the period's first day (income statement) or by the day whose end
 * the balance is taken at (balance sheet); `total` is the sum of the periods for the income
 * statement and the closing balance for the balance sheet.
 */
export function statementCsv(statement: Statement): string {
  const periodColumn = (span: PeriodSpan) =>
    statement.report === 'balance-sheet' ? periodTitle(statement, span) : span.start.slice(0, 10);
  const header = [
    'section',
    'row_type',
    'account',
    'currency',
    ...statement.periods.map(periodColumn),
    'total',
  ];
  const line = (
    section: string,
    rowType: string,
    account: string,
    currency: Currency,
    amounts: { amountsMinor: readonly bigint[]; totalMinor: bigint },
  ) =>
    csvRow([
      csvText(section),
      rowType,
      csvText(account),
      currency,
      ...[...amounts.amountsMinor, amounts.totalMinor].map((amount) =>
        csvNumeric(formatAmount(amount, currency)),
      ),
    ]);
  let text = csvRow(header);
  for (const section of statement.sections) {
    for (const row of section.rows)
      text += line(section.name, 'account', row.account, row.currency, row);
    for (const total of section.totals)
      text += line(section.name, 'total', '', total.currency, total);
  }
  const [netSection, net] =
    statement.report === 'income'
      ? ['net', statement.net]
      : ['unclosed_net_income', statement.unclosedNetIncome];
  for (const total of net) text += line(netSection, 'net', '', total.currency, total);
  return text;
}

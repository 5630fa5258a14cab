import { InputError } from '../errors.js';
import { type AccountType, toNormalBalance } from '../ledger/accounts.js';
import type { Currency } from '../money/index.js';
import type { RawBalance, ReportStore } from './report-store.js';
import {
  type Period,
  type PeriodSpan,
  dayAfter,
  dayStart,
  parseReportDate,
  reportPeriods,
} from './periods.js';

export type {
  Period,
  PeriodSpan,
} from './periods.js';

/**
 * Financial statements in the shape hledger's `incomestatement` and `balancesheet` give them,
 * computed from the ledger by effective time: per account and currency, one amount per period.
 * Currencies are never summed together. Pure reading: the commands and the HTML report render it.
 */

/** Statements are read by the effective time of each journal entry. */
export type DateBasis = 'effective';

export interface StatementOptions {
  period?: Period;
  /** Inclusive UTC date `YYYY-MM-DD`; default: the first day with an entry. */
  begin?: string;
  /** Exclusive UTC date `YYYY-MM-DD`; default: the day after the last day with an entry. */
  end?: string;
  /** Roll accounts up to this many segments, as hledger's --depth does. */
  depth?: number;
}

export interface StatementRow {
  account: string;
  currency: Currency;
  /** One per period, in the account's normal direction (revenue and liabilities positive when credited). */
  amountsMinor: bigint[];
  /** Income statement: the sum of the periods. Balance sheet: the balance at the end of the last period. */
  totalMinor: bigint;
}

export interface CurrencyAmounts {
  currency: Currency;
  amountsMinor: bigint[];
  totalMinor: bigint;
}

export type SectionName = 'revenue' | 'expenses' | 'assets' | 'liabilities' | 'equity';

export interface StatementSection {
  name: SectionName;
  type: AccountType;
  rows: StatementRow[];
  /** Per currency, the section's rows added up. */
  totals: CurrencyAmounts[];
}

export interface StatementHeader {
  dateBasis: DateBasis;
  period: Period | null;
  /** Effective span of the report, begin inclusive, end exclusive (ISO instants); null when the ledger is empty. */
  begin: string | null;
  end: string | null;
  periods: PeriodSpan[];
}

export interface IncomeStatement extends StatementHeader {
  report: 'income';
  sections: StatementSection[];
  /** Revenue minus expenses, per currency and period. */
  net: CurrencyAmounts[];
}

export interface BalanceCheck {
  currency: Currency;
  /** Assets minus (liabilities + equity + unclosed net income), per period end: zero in a sound ledger. */
  differenceMinor: bigint[];
}

export interface BalanceSheet extends StatementHeader {
  report: 'balance-sheet';
  sections: StatementSection[];
  /** Revenue minus expenses from the first entry up to each period end: not yet closed into equity. */
  unclosedNetIncome: CurrencyAmounts[];
  /** Assets = liabilities + equity + unclosed net income, per currency and period end. */
  check: BalanceCheck[];
  balanced: boolean;
}

const SECTIONS: Readonly<Record<AccountType, SectionName>> = {
  revenue: 'revenue',
  expense: 'expenses',
  asset: 'assets',
  liability: 'liabilities',
  equity: 'equity',
};

/** Revenue and expenses per period (flows between period boundaries), and their net. */
export async function incomeStatement(
  store: ReportStore,
  options: StatementOptions,
): Promise<IncomeStatement> {
  const header = await resolveHeader(store, options);
  const bounds =
    header.periods.length === 0
      ? []
      : [header.periods[0]!.start, ...header.periods.map((span) => span.end)];
  const snapshots = await store.balancesBefore('income', bounds);
  const rows = accountRows(snapshots, options.depth);
  for (const row of rows) row.raw = row.raw.slice(1).map((value, index) => value - row.raw[index]!);
  const sections = (['revenue', 'expense'] as const).map((type) =>
    section(rows, type, 'sum', header.periods.length),
  );
  const net = combine(
    [sections[0]!.totals, negate(sections[1]!.totals)],
    header.periods.length,
    'sum',
  );
  return { report: 'income', ...header, sections, net };
}

/** Assets, liabilities and equity at each period end (historical: everything before counts). */
export async function balanceSheet(
  store: ReportStore,
  options: StatementOptions,
): Promise<BalanceSheet> {
  const header = await resolveHeader(store, options);
  const snapshots = await store.balancesBefore(
    'position',
    header.periods.map((span) => span.end),
  );
  const rows = accountRows(snapshots, options.depth);
  const columns = header.periods.length;
  const sections = (['asset', 'liability', 'equity'] as const).map((type) =>
    section(rows, type, 'last', columns),
  );
  const [revenue, expenses] = (['revenue', 'expense'] as const).map(
    (type) => section(rows, type, 'last', columns).totals,
  );
  const unclosedNetIncome = combine([revenue!, negate(expenses!)], columns, 'last');
  const claims = combine(
    [sections[1]!.totals, sections[2]!.totals, unclosedNetIncome],
    columns,
    'last',
  );
  const check = combine([sections[0]!.totals, negate(claims)], columns, 'last').map((line) => ({
    currency: line.currency,
    differenceMinor: line.amountsMinor,
  }));
  const balanced = check.every((line) =>
    line.differenceMinor.every((difference) => difference === 0n),
  );
  return { report: 'balance-sheet', ...header, sections, unclosedNetIncome, check, balanced };
}

/** The default span is the whole journal's, as hledger's: both statements of a book have the same columns. */
async function resolveHeader(
  store: ReportStore,
  options: StatementOptions,
): Promise<StatementHeader> {
  if (options.depth !== undefined && !(Number.isInteger(options.depth) && options.depth >= 1)) {
    throw new InputError(
      `--depth: expected a whole number greater than zero, got ${options.depth}`,
    );
  }
  const begin =
    options.begin === undefined ? undefined : Date.parse(parseReportDate(options.begin, '--begin'));
  const end =
    options.end === undefined ? undefined : Date.parse(parseReportDate(options.end, '--end'));
  if (begin !== undefined && end !== undefined && !(begin < end)) {
    throw new InputError(
      `--end ${options.end} must come after --begin ${options.begin} (the end is exclusive)`,
    );
  }
  const span =
    begin === undefined || end === undefined ? await store.effectiveSpan('position') : undefined;
  const beginMs = begin ?? (span ? dayStart(Date.parse(span.first)) : undefined);
  const endMs = end ?? (span ? dayAfter(Date.parse(span.last)) : undefined);
  const periods =
    beginMs === undefined || endMs === undefined
      ? []
      : reportPeriods(options.period, beginMs, endMs);
  return {
    dateBasis: 'effective',
    period: options.period ?? null,
    begin: periods[0]?.start ?? null,
    end: periods[periods.length - 1]?.end ?? null,
    periods,
  };
}

interface WorkRow {
  account: string;
  currency: Currency;
  type: AccountType;
  /** Debits minus credits, one per snapshot. */
  raw: bigint[];
}

/** Snapshots (one list of balances per bound) pivoted into one row per (account at depth, currency). */
function accountRows(snapshots: readonly RawBalance[][], depth: number | undefined): WorkRow[] {
  const byKey = new Map<string, WorkRow>();
  snapshots.forEach((snapshot, column) => {
    for (const balance of snapshot) {
      const account =
        depth === undefined
          ? balance.account
          : balance.account.split(':').slice(0, depth).join(':');
      const key = `${account}\u0000${balance.currency}`;
      let row = byKey.get(key);
      if (!row) {
        row = {
          account,
          currency: balance.currency as Currency,
          type: balance.type,
          raw: snapshots.map(() => 0n),
        };
        byKey.set(key, row);
      }
      row.raw[column] = row.raw[column]! + balance.debitMinusCreditMinor;
    }
  });
  return [...byKey.values()].sort(
    (a, b) => compare(a.account, b.account) || compare(a.currency, b.currency),
  );
}

type TotalRule = 'sum' | 'last';

function section(
  rows: readonly WorkRow[],
  type: AccountType,
  rule: TotalRule,
  columns: number,
): StatementSection {
  const selected = rows
    .filter((row) => row.type === type && row.raw.some((value) => value !== 0n))
    .map((row) => {
      const amountsMinor = row.raw.map((value) => toNormalBalance(type, value));
      return {
        account: row.account,
        currency: row.currency,
        amountsMinor,
        totalMinor: total(amountsMinor, rule),
      };
    });
  return { name: SECTIONS[type], type, rows: selected, totals: combine([selected], columns, rule) };
}

/** Adds lists of per-currency amounts column by column, one line per currency, sorted by currency. */
function combine(
  lists: readonly (readonly { currency: Currency; amountsMinor: readonly bigint[] }[])[],
  columns: number,
  rule: TotalRule,
): CurrencyAmounts[] {
  const byCurrency = new Map<Currency, bigint[]>();
  for (const line of lists.flat()) {
    const sums = byCurrency.get(line.currency) ?? Array.from({ length: columns }, () => 0n);
    line.amountsMinor.forEach((amount, index) => {
      sums[index] = sums[index]! + amount;
    });
    byCurrency.set(line.currency, sums);
  }
  return [...byCurrency]
    .sort(([a], [b]) => compare(a, b))
    .map(([currency, amountsMinor]) => ({
      currency,
      amountsMinor,
      totalMinor: total(amountsMinor, rule),
    }));
}

function negate(lines: readonly CurrencyAmounts[]): CurrencyAmounts[] {
  return lines.map((line) => ({
    currency: line.currency,
    amountsMinor: line.amountsMinor.map((value) => -value),
    totalMinor: -line.totalMinor,
  }));
}

function total(amounts: readonly bigint[], rule: TotalRule): bigint {
  if (rule === 'last') return amounts[amounts.length - 1] ?? 0n;
  return amounts.reduce((sum, value) => sum + value, 0n);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import { type Currency, exponentOf, toCurrency } from '../../src/money/index.js';
import type { BalanceSheet, IncomeStatement } from '../../src/reports/statements.js';

/**
 * hledger as the reference for payops' statements: run `hledger incomestatement` or
 * `balancesheetequity` on an exported journal with `-O csv --layout=bare --flat`, and reduce both
 * hledger's table and payops' statement to the same map "section|account|currency|column" →
 * minor units (zeros left out, since both tools hide all-zero rows).
 */

const TOOL_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LEDGER_FILE: undefined,
};

export function hledgerInstalled(): boolean {
  const result = spawnSync('hledger', ['--version'], { stdio: 'ignore', env: TOOL_ENV });
  return result.error === undefined && result.status === 0;
}

export interface HledgerTable {
  /** The report title's span, e.g. "2026-02-01..2026-04-30" (end inclusive, as hledger prints it). */
  title: string;
  columns: string[];
  amounts: Map<string, bigint>;
}

const SECTION_OF: Readonly<Record<string, string>> = {
  Revenues: 'revenue',
  Expenses: 'expenses',
  Assets: 'assets',
  Liabilities: 'liabilities',
  Equity: 'equity',
};

export function hledgerStatement(
  journal: string,
  command: 'incomestatement' | 'balancesheetequity',
  args: readonly string[],
): HledgerTable {
  const result = spawnSync(
    'hledger',
    ['-f', journal, command, '--flat', '-O', 'csv', '--layout=bare', ...args],
    { encoding: 'utf8', env: TOOL_ENV, maxBuffer: 64 << 20 },
  );
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`hledger ${command} ${args.join(' ')}: ${result.stderr}`);
  const rows = parse(result.stdout, { relax_column_count: true }) as string[][];
  const [titleRow, headerRow, ...body] = rows;
  const amounts = new Map<string, bigint>();
  let section = '';
  for (const [account = '', commodity = '', ...cells] of body) {
    if (SECTION_OF[account] !== undefined) {
      section = SECTION_OF[account] as string;
      continue;
    }
    if (commodity === '') continue;
    const name =
      account === 'Net:'
        ? 'net|'
        : account === 'total'
          ? `${section}|total`
          : `${section}|${account}`;
    cells.forEach((cell, column) => {
      put(amounts, `${name}|${commodity}|${column}`, toMinor(cell, toCurrency(commodity)));
    });
  }
  return {
    title: (titleRow?.[0] ?? '').replace(/^.* (\S+)$/, '$1'),
    columns: (headerRow ?? []).slice(2),
    amounts,
  };
}

/** payops' statement in the same shape; the net row is the income statement's net or the balance sheet's unclosed net income. */
export function payopsAmounts(statement: IncomeStatement | BalanceSheet): Map<string, bigint> {
  const amounts = new Map<string, bigint>();
  for (const section of statement.sections) {
    for (const row of section.rows)
      row.amountsMinor.forEach((amount, column) => {
        put(amounts, `${section.name}|${row.account}|${row.currency}|${column}`, amount);
      });
    for (const line of section.totals)
      line.amountsMinor.forEach((amount, column) => {
        put(amounts, `${section.name}|total|${line.currency}|${column}`, amount);
      });
  }
  const net = statement.report === 'income' ? statement.net : statement.unclosedNetIncome;
  for (const line of net)
    line.amountsMinor.forEach((amount, column) => {
      put(amounts, `net||${line.currency}|${column}`, amount);
    });
  return amounts;
}

function put(amounts: Map<string, bigint>, key: string, amountMinor: bigint): void {
  if (amountMinor !== 0n) amounts.set(key, amountMinor);
}

/** "-1234.5" in a currency of exponent 2 → -123450n; hledger writes the exponent payops exported. */
function toMinor(cell: string, currency: Currency): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(cell.trim() || '0');
  if (!match) throw new Error(`hledger amount "${cell}" is not a plain decimal`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const exponent = exponentOf(currency);
  if (fraction.length > exponent)
    throw new Error(`hledger amount "${cell}" has more decimals than ${currency} allows`);
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return sign === '-' ? -minor : minor;
}

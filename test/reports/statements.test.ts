import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { Ledger, exportJournal } from '../../src/ledger/index.js';
import { SqliteLedgerReads } from '../../src/ledger/sqlite-ledger-reads.js';
import { toCurrency } from '../../src/money/index.js';
import {
  PERIOD_BALANCE_QUERY,
  SqliteReportStore,
  TYPES_OF,
} from '../../src/reports/sqlite-report-store.js';
import { reportPeriods } from '../../src/reports/periods.js';
import {
  type StatementOptions,
  balanceSheet,
  incomeStatement,
} from '../../src/reports/statements.js';
import { postBook } from '../helpers/book.js';
import { tempDir } from '../helpers/cli.js';
import { tempDatabase } from '../helpers/db.js';
import { hledgerInstalled, hledgerStatement, payopsAmounts } from './hledger.js';

/**
 * The statements against hledger on the export-hostile book (test/helpers/book.ts: four currencies
 * with 0, 2 and 3 decimals, backdated and time-zoned entries, reversals, parents with postings of
 * their own): every (section, account, currency, period) amount, the totals rows and the net, to
 * the minor unit. test/e2e/report.test.ts does the same on a book the real pipeline wrote.
 */

const HAS_HLEDGER = hledgerInstalled();
const withHledger = (name: string, fn: () => Promise<void>) =>
  it.skipIf(!HAS_HLEDGER)(HAS_HLEDGER ? name : `${name} [skipped: hledger not found on PATH]`, fn);

let book: { db: Database; cleanup: () => void };
let journal: string;
let dir: { dir: string; cleanup: () => void };

beforeAll(async () => {
  book = tempDatabase();
  postBook(book.db, { seed: 20261207, count: 2000 });
  dir = tempDir('payops-statements-');
  journal = path.join(dir.dir, 'book.journal');
  let text = '';
  await exportJournal(new SqliteLedgerReads(book.db), 'hledger', (chunk) => {
    text += chunk;
  });
  fs.writeFileSync(journal, text);
});

afterAll(() => {
  book.cleanup();
  dir.cleanup();
});

/** hledger's flags for the same options. */
function hledgerArgs(options: StatementOptions): string[] {
  const period = { daily: '-D', weekly: '-W', monthly: '-M' } as const;
  return [
    ...(options.period ? [period[options.period]] : []),
    ...(options.begin ? ['-b', options.begin] : []),
    ...(options.end ? ['-e', options.end] : []),
    ...(options.depth ? ['--depth', String(options.depth)] : []),
  ];
}

/** hledger titles a report with its span, end inclusive. */
function spanTitle(statement: { begin: string | null; end: string | null }): string {
  const lastDay = new Date(Date.parse(statement.end as string) - 86_400_000)
    .toISOString()
    .slice(0, 10);
  return `${(statement.begin as string).slice(0, 10)}..${lastDay}`;
}

const CASES: readonly [string, StatementOptions][] = [
  ['monthly with -b/-e', { period: 'monthly', begin: '2026-02-01', end: '2026-05-01' }],
  [
    'monthly, -b and -e inside months (widened to whole months)',
    { period: 'monthly', begin: '2026-02-10', end: '2026-04-20' },
  ],
  [
    'weekly: ISO weeks from Monday, -b on a Wednesday',
    { period: 'weekly', begin: '2026-01-14', end: '2026-03-04' },
  ],
  [
    'daily over a week, depth 2',
    { period: 'daily', begin: '2026-03-01', end: '2026-03-08', depth: 2 },
  ],
  ['one column with -b/-e', { begin: '2026-01-15', end: '2026-06-01' }],
  ['the whole ledger, monthly, no -b/-e', { period: 'monthly' }],
  ['the whole ledger, one column, depth 1', { depth: 1 }],
  ['the whole ledger, daily, no -b/-e', { period: 'daily' }],
];

describe('report income = hledger incomestatement, to the minor unit', () => {
  for (const [name, options] of CASES) {
    withHledger(name, async () => {
      const statement = await incomeStatement(new SqliteReportStore(book.db), options);
      const reference = hledgerStatement(journal, 'incomestatement', hledgerArgs(options));
      expect(reference.amounts.size).toBeGreaterThan(10);
      expect(payopsAmounts(statement)).toEqual(reference.amounts);
      expect(statement.periods.length).toBe(options.period ? reference.columns.length : 1);
      expect(spanTitle(statement)).toBe(reference.title);
    });
  }
});

describe('report balance-sheet = hledger balancesheetequity (historical), to the minor unit', () => {
  for (const [name, options] of CASES) {
    withHledger(name, async () => {
      const statement = await balanceSheet(new SqliteReportStore(book.db), options);
      const reference = hledgerStatement(journal, 'balancesheetequity', hledgerArgs(options));
      expect(reference.amounts.size).toBeGreaterThan(10);
      expect(payopsAmounts(statement)).toEqual(reference.amounts);
      expect(statement.periods.length).toBe(options.period ? reference.columns.length : 1);
      expect(statement.balanced).toBe(true);
    });
  }
});

describe('statements', () => {
  it('balance sheet: assets = liabilities + equity + unclosed net income, per currency and period end', async () => {
    const sheet = await balanceSheet(new SqliteReportStore(book.db), { period: 'monthly' });
    const income = await incomeStatement(new SqliteReportStore(book.db), {
      period: 'monthly',
      end: sheet.end?.slice(0, 10),
    });
    expect(sheet.check.length).toBeGreaterThanOrEqual(4);
    for (const line of sheet.check)
      expect(line.differenceMinor.every((difference) => difference === 0n)).toBe(true);
    // The unclosed net income at the last period end is all the income statement's net since the first entry.
    const lastNet = new Map(
      sheet.unclosedNetIncome.map((line) => [line.currency, line.totalMinor]),
    );
    const incomeNet = new Map(income.net.map((line) => [line.currency, line.totalMinor]));
    expect(lastNet).toEqual(incomeNet);
  });

  it('never sums currencies: one row per account and currency, one total per currency', async () => {
    const statement = await incomeStatement(new SqliteReportStore(book.db), { depth: 1 });
    const revenue = statement.sections.find((section) => section.name === 'revenue');
    expect(revenue?.rows.map((row) => `${row.account} ${row.currency}`)).toEqual([
      'revenue EUR',
      'revenue JPY',
      'revenue KWD',
      'revenue USD',
    ]);
    expect(revenue?.totals.map((line) => line.currency)).toEqual(['EUR', 'JPY', 'KWD', 'USD']);
    expect(statement.dateBasis).toBe('effective');
  });

  it('an empty ledger has no periods and empty sections', async () => {
    const empty = tempDatabase();
    try {
      const statement = await balanceSheet(new SqliteReportStore(empty.db), { period: 'monthly' });
      expect(statement.periods).toEqual([]);
      expect(statement.sections.every((section) => section.rows.length === 0)).toBe(true);
      expect(statement.balanced).toBe(true);
    } finally {
      empty.cleanup();
    }
  });

  it('end is exclusive: an entry effective at the end instant belongs to the next period', async () => {
    const db = tempDatabase();
    try {
      const usd = toCurrency('USD');
      const post = (key: string, effectiveAt: string, amountMinor: bigint) =>
        new Ledger(db.db).post({
          idempotencyKey: key,
          kind: 'manual',
          description: key,
          effectiveAt,
          entries: [
            { account: 'assets:bank:operating', currency: usd, direction: 'debit', amountMinor },
            { account: 'revenue:platform-fees', currency: usd, direction: 'credit', amountMinor },
          ],
        });
      post('last-ms-of-march', '2026-03-31T23:59:59.999Z', 100n);
      post('first-ms-of-april', '2026-04-01T00:00:00.000Z', 7n);
      const statement = await incomeStatement(new SqliteReportStore(db.db), {
        period: 'monthly',
        begin: '2026-03-01',
        end: '2026-05-01',
      });
      expect(statement.sections[0]?.rows).toEqual([
        {
          account: 'revenue:platform-fees',
          currency: 'USD',
          amountsMinor: [100n, 7n],
          totalMinor: 107n,
        },
      ]);
      const sheet = await balanceSheet(new SqliteReportStore(db.db), {
        period: 'monthly',
        begin: '2026-03-01',
        end: '2026-05-01',
      });
      expect(sheet.sections[0]?.rows[0]?.amountsMinor).toEqual([100n, 107n]);
    } finally {
      db.cleanup();
    }
  });

  it('refuses a begin after the end, a non-date, and too many columns', async () => {
    const store = new SqliteReportStore(book.db);
    await expect(
      incomeStatement(store, { begin: '2026-05-01', end: '2026-05-01' }),
    ).rejects.toThrow(/must come after --begin/);
    await expect(incomeStatement(store, { begin: '2026-05-01T00:00Z' })).rejects.toThrow(
      /--begin: .* is not a date/,
    );
    await expect(
      incomeStatement(store, { period: 'daily', begin: '2020-01-01', end: '2026-01-01' }),
    ).rejects.toThrow(/more than 1000 columns/);
  });

  it('weekly periods start on Monday (ISO weeks), monthly on the 1st, both widened to whole periods', () => {
    const weeks = reportPeriods(
      'weekly',
      Date.parse('2026-01-14T00:00:00Z'),
      Date.parse('2026-01-20T00:00:00Z'),
    );
    expect(weeks).toEqual([
      { start: '2026-01-12T00:00:00.000Z', end: '2026-01-19T00:00:00.000Z' },
      { start: '2026-01-19T00:00:00.000Z', end: '2026-01-26T00:00:00.000Z' },
    ]);
    const months = reportPeriods(
      'monthly',
      Date.parse('2026-12-15T00:00:00Z'),
      Date.parse('2027-01-02T00:00:00Z'),
    );
    expect(months.map((span) => span.start)).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('reads past balances from the running-balance index, never scanning entries', () => {
    for (const side of ['income', 'position'] as const) {
      const plan = (
        book.db
          .prepare(`EXPLAIN QUERY PLAN ${PERIOD_BALANCE_QUERY}`)
          .all({ before: '2026-03-01T00:00:00.000Z', types: TYPES_OF[side] }) as {
          detail: string;
        }[]
      )
        .map((row) => row.detail)
        .join('\n');
      expect(plan).toContain(
        'SEARCH e USING COVERING INDEX ledger_entries_by_account_time (account_id=? AND backdated=? AND effective_at<?)',
      );
      expect(plan).toContain(
        'SEARCH late USING INDEX ledger_entries_by_account_time (account_id=? AND backdated=? AND effective_at<?)',
      );
      expect(plan).not.toMatch(/SCAN (e|late|last|ledger_entries)\b/);
    }
  });
});

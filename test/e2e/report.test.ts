import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moneyJsonSchema } from '../../src/money/index.js';
import { REPO_ROOT, type RunResult, payops, tempDir } from '../helpers/cli.js';
import { hledgerInstalled, hledgerStatement } from '../reports/hledger.js';

/**
 * The report commands through the real binary, on a book the pipeline wrote: a day of pay-ins in
 * USD, EUR and JPY, refunds, chargebacks, a settlement reconciled into the bank with a fee
 * difference accepted by the rules (an adjustment payops posts), and operator postings in the two
 * months before (an opening balance, a reconciliation adjustment, a write-off, listing fees). Statements are compared with hledger on `ledger export`.
 */

const EVENTS = path.join(REPO_ROOT, 'fixtures', 'events');
const HAS_HLEDGER = hledgerInstalled();
const withHledger = (name: string, fn: () => void) =>
  it.skipIf(!HAS_HLEDGER)(HAS_HLEDGER ? name : `${name} [skipped: hledger not found on PATH]`, fn);

const OPERATOR_ENTRIES = [
  {
    idempotencyKey: 'opening-eur',
    description: 'Opening balance',
    effectiveAt: '2026-10-01',
    entries: [
      { account: 'assets:bank:operating', currency: 'EUR', debit: '2000.00' },
      { account: 'equity:opening', currency: 'EUR', credit: '2000.00' },
    ],
  },
  {
    idempotencyKey: 'adj-oct',
    kind: 'reconciliation.adjustment',
    description: 'Settlement short by 1.37',
    effectiveAt: '2026-10-15T09:00:00Z',
    entries: [
      { account: 'expenses:reconciliation:adjustments', currency: 'EUR', debit: '1.37' },
      { account: 'assets:bank:operating', currency: 'EUR', credit: '1.37' },
    ],
  },
  {
    idempotencyKey: 'writeoff-nov',
    kind: 'reconciliation.write-off',
    description: 'Unrecoverable difference',
    effectiveAt: '2026-11-30T23:59:59Z',
    entries: [
      { account: 'expenses:reconciliation:write-offs', currency: 'JPY', debit: '7' },
      { account: 'equity:opening', currency: 'JPY', credit: '7' },
    ],
  },
  {
    idempotencyKey: 'fee-income-nov',
    description: 'Listing fees',
    effectiveAt: '2026-11-03',
    entries: [
      { account: 'assets:bank:operating', currency: 'USD', debit: '40.00' },
      { account: 'revenue:listing-fees', currency: 'USD', credit: '40.00' },
    ],
  },
];

describe('payops report (end to end)', () => {
  let dir: { dir: string; cleanup: () => void };
  let db: string;
  let journal: string;
  const run = (...args: string[]): RunResult => payops([...args, '--db', db]);
  const json = <T>(result: RunResult): T => {
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };
  /** The first of the month after today: the statements' -e. */
  const nextMonth = (): string => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
      .toISOString()
      .slice(0, 10);
  };

  beforeAll(() => {
    dir = tempDir('payops-report-');
    db = path.join(dir.dir, 'books.db');
    expect(run('init').code).toBe(0);
    const operator = path.join(dir.dir, 'operator.ndjson');
    fs.writeFileSync(operator, OPERATOR_ENTRIES.map((entry) => JSON.stringify(entry)).join('\n'));
    expect(run('ledger', 'post', '--file', operator).code).toBe(0);
    expect(run('payin', 'run', path.join(EVENTS, 'day.ndjson'), '--seed', '7').code).toBe(0);
    expect(
      run(
        'payin',
        'run',
        path.join(EVENTS, 'refunds.ndjson'),
        '--seed',
        '7',
        '--rejects',
        path.join(dir.dir, 'r.ndjson'),
      ).code,
    ).toBe(3);
    expect(run('chargebacks', 'sync', '--faults', 'dispute=0.05', '--seed', '7').code).toBe(0);
    const settlement = path.join(dir.dir, 'settlement.csv');
    expect(
      run(
        'psp',
        'settle',
        '--date',
        new Date().toISOString().slice(0, 10),
        '--out',
        settlement,
        '--inject-discrepancies',
        '8',
        '--seed',
        '2',
      ).code,
    ).toBe(0);
    // The rules accept a fee difference within tolerance: a reconciliation adjustment posted by payops.
    const reconciled = run(
      'reconcile',
      'run',
      settlement,
      '--rules',
      path.join(REPO_ROOT, 'fixtures', 'reconcile', 'rules.json'),
      '--grace-days',
      '0',
      '--non-interactive',
    );
    expect(reconciled.code).toBe(4);
    expect(reconciled.stdout).toMatch(/fee_mismatch .* accepted by rule feeTolerance; posted #\d+/);
    journal = path.join(dir.dir, 'books.journal');
    expect(run('ledger', 'export', '--format', 'hledger', '--out', journal).code).toBe(0);
  }, 180_000);
  afterAll(() => dir.cleanup());

  /** `report income|balance-sheet --json` reduced to the map test/reports/hledger.ts builds from hledger. */
  const amountsOf = (report: StatementJson): Map<string, bigint> => {
    const amounts = new Map<string, bigint>();
    const put = (key: string, money: { amountMinor: string }) => {
      if (money.amountMinor !== '0') amounts.set(key, BigInt(money.amountMinor));
    };
    for (const section of report.sections) {
      for (const row of section.rows)
        row.amounts.forEach((money, column) => {
          put(`${section.name}|${row.account}|${row.currency}|${column}`, money);
        });
      for (const line of section.totals)
        line.amounts.forEach((money, column) => {
          put(`${section.name}|total|${line.currency}|${column}`, money);
        });
    }
    for (const line of report.net ?? report.unclosedNetIncome ?? [])
      line.amounts.forEach((money, column) => {
        put(`net||${line.currency}|${column}`, money);
      });
    return amounts;
  };

  withHledger(
    'report income --period monthly -b -e = hledger incomestatement -M -b -e, to the minor unit',
    () => {
      const args = ['--period', 'monthly', '-b', '2026-10-01', '-e', nextMonth()];
      const report = json<StatementJson>(run('report', 'income', ...args, '--json'));
      const reference = hledgerStatement(journal, 'incomestatement', [
        '-M',
        '-b',
        '2026-10-01',
        '-e',
        nextMonth(),
      ]);
      expect(report.dateBasis).toBe('effective');
      expect(report.periods.length).toBe(reference.columns.length);
      expect(report.periods.length).toBeGreaterThanOrEqual(3);
      const accounts = new Set([...reference.amounts.keys()].map((key) => key.split('|')[1]));
      for (const account of [
        'revenue:platform-fees',
        'revenue:listing-fees',
        'expenses:psp-fees',
        'expenses:chargeback-fees',
        'expenses:reconciliation:adjustments',
        'expenses:reconciliation:write-offs',
      ])
        expect(accounts).toContain(account);
      expect(new Set([...reference.amounts.keys()].map((key) => key.split('|')[2]))).toEqual(
        new Set(['EUR', 'JPY', 'USD']),
      );
      expect(amountsOf(report)).toEqual(reference.amounts);
    },
  );

  withHledger(
    'report balance-sheet --period monthly -b -e = hledger balancesheetequity (historical), to the minor unit',
    () => {
      const report = json<StatementJson>(
        run(
          'report',
          'balance-sheet',
          '--period',
          'monthly',
          '-b',
          '2026-10-01',
          '-e',
          nextMonth(),
          '--json',
        ),
      );
      const reference = hledgerStatement(journal, 'balancesheetequity', [
        '-M',
        '-b',
        '2026-10-01',
        '-e',
        nextMonth(),
      ]);
      expect(reference.amounts.size).toBeGreaterThan(20);
      expect(amountsOf(report)).toEqual(reference.amounts);
      expect(report.balanced).toBe(true);
    },
  );

  withHledger('report income and balance-sheet at depth 2 with weekly periods = hledger', () => {
    for (const [command, hledger] of [
      ['income', 'incomestatement'],
      ['balance-sheet', 'balancesheetequity'],
    ] as const) {
      const report = json<StatementJson>(
        run(
          'report',
          command,
          '--period',
          'weekly',
          '-b',
          '2026-11-20',
          '-e',
          nextMonth(),
          '--depth',
          '2',
          '--json',
        ),
      );
      expect(amountsOf(report)).toEqual(
        hledgerStatement(journal, hledger, [
          '-W',
          '-b',
          '2026-11-20',
          '-e',
          nextMonth(),
          '--depth',
          '2',
        ]).amounts,
      );
    }
  });

  it('text: a header naming the date basis and span, a column per period, totals and the balance check', () => {
    const income = run(
      'report',
      'income',
      '--period',
      'monthly',
      '-b',
      '2026-10-01',
      '-e',
      '2026-12-01',
    );
    expect(income.code, income.stderr).toBe(0);
    expect(income.stdout.split('\n')[0]).toBe(
      'Income statement by effective date (UTC), 2026-10-01 to 2026-12-01 (end exclusive), monthly',
    );
    expect(income.stdout).toMatch(/^account\s+currency\s+2026-10\s+2026-11\s+total$/m);
    expect(income.stdout).toMatch(
      /^ {2}expenses:reconciliation:adjustments\s+EUR\s+1\.37\s+0\.00\s+1\.37$/m,
    );
    expect(income.stdout).toMatch(/^ {2}total expenses\s+JPY\s+0\s+7\s+7$/m);
    expect(income.stdout).not.toContain('\u2212');
    const sheet = run('report', 'balance-sheet', '-e', '2026-12-01');
    expect(sheet.stdout).toContain('balanced: assets = liabilities + equity + unclosed net income');
    expect(sheet.stdout).toMatch(/^ {2}assets:bank:operating\s+EUR\s+1998\.63$/m);
  });

  it('CSV: account rows add up to the total rows, per currency and column, and agree with the JSON', () => {
    const csv = parse(run('report', 'income', '--period', 'monthly', '--csv').stdout, {
      columns: true,
    }) as Record<string, string>[];
    const report = json<StatementJson>(run('report', 'income', '--period', 'monthly', '--json'));
    const columns = Object.keys(csv[0] ?? {}).filter(
      (name) => /^\d{4}-\d{2}-\d{2}$/.test(name) || name === 'total',
    );
    expect(columns.length).toBe(report.periods.length + 1);
    const minor = (text: string) => BigInt(text.replace('.', ''));
    for (const section of report.sections) {
      for (const total of section.totals) {
        const rows = csv.filter(
          (row) => row.section === section.name && row.currency === total.currency,
        );
        const totalRow = rows.find((row) => row.row_type === 'total');
        columns.forEach((column, index) => {
          const sum = rows
            .filter((row) => row.row_type === 'account')
            .reduce((acc, row) => acc + minor(row[column] ?? ''), 0n);
          expect(sum).toBe(minor(totalRow?.[column] ?? ''));
          expect(sum.toString()).toBe(
            index < report.periods.length
              ? total.amounts[index]?.amountMinor
              : total.total.amountMinor,
          );
        });
      }
    }
  });

  it('every amount in the statements JSON is moneyJson', () => {
    for (const command of ['income', 'balance-sheet']) {
      const text = run('report', command, '--period', 'monthly', '--json').stdout;
      const found = collectMoney(JSON.parse(text));
      expect(found.length).toBeGreaterThan(20);
      for (const money of found) expect(moneyJsonSchema.safeParse(money).success).toBe(true);
    }
  });

  it.each([['income'], ['balance-sheet'], ['daily'], ['sellers']])(
    'gives `report %s` a help page with an example',
    (command) => {
      const result = payops(['report', command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Examples:\n\s+\$ payops report/);
    },
  );

  it('refuses bad periods and dates with exit 2 and one line', () => {
    expect(run('report', 'income', '--period', 'yearly')).toMatchObject({ code: 2 });
    const result = run('report', 'income', '-b', '2026-12-01', '-e', '2026-11-01');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^payops: --end 2026-11-01 must come after --begin 2026-12-01/);
    expect(run('report', 'balance-sheet', '-e', 'tomorrow').stderr).toMatch(
      /--end: "tomorrow" is not a date such as 2026-11-01/,
    );
  });

  it('report daily: JSON money via moneyJson with its dateBasis, and CSV with one row per currency', () => {
    const today = new Date().toISOString().slice(0, 10);
    const daily = json<{
      date: string;
      dateBasis: string;
      currencies: { currency: string; payIns: { count: number; amount: unknown } }[];
    }>(run('report', 'daily', '--date', today, '--json'));
    expect(daily.dateBasis).toBe('effective');
    expect(daily.currencies.map((line) => line.currency)).toEqual(['EUR', 'JPY', 'USD']);
    for (const money of collectMoney(daily))
      expect(moneyJsonSchema.safeParse(money).success).toBe(true);
    const csv = parse(run('report', 'daily', '--date', today, '--csv').stdout, {
      columns: true,
    }) as Record<string, string>[];
    expect(csv.map((row) => row.currency)).toEqual(['EUR', 'JPY', 'USD']);
    const usd = daily.currencies.find((line) => line.currency === 'USD');
    expect(csv.find((row) => row.currency === 'USD')?.pay_ins_count).toBe(
      String(usd?.payIns.count),
    );
    expect(Object.keys(csv[0] ?? {})).toContain('pay_ins_amount');
  });

  it('report daily: PSP and platform fees equal that day of report income --period daily, to the minor unit (captures, settlement fees, reconciliation)', () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const daily = json<{
      currencies: {
        currency: string;
        pspFees: { amountMinor: string };
        platformFees: { amountMinor: string };
      }[];
    }>(run('report', 'daily', '--date', today, '--json'));
    const income = json<StatementJson>(
      run('report', 'income', '--period', 'daily', '-b', today, '-e', tomorrow, '--json'),
    );
    const incomeRow = (section: string, account: string, currency: string): string =>
      income.sections
        .find((s) => s.name === section)
        ?.rows.find((row) => row.account === account && row.currency === currency)?.amounts[0]
        ?.amountMinor ?? '0';
    expect(daily.currencies.some((line) => line.pspFees.amountMinor !== '0')).toBe(true);
    for (const line of daily.currencies) {
      expect(line.pspFees.amountMinor, line.currency).toBe(
        incomeRow('expenses', 'expenses:psp-fees', line.currency),
      );
      expect(line.platformFees.amountMinor, line.currency).toBe(
        incomeRow('revenue', 'revenue:platform-fees', line.currency),
      );
    }
  });

  it('report sellers --json: money via moneyJson', () => {
    const sellers = json<{ pending: unknown; payable: unknown; paidOut: unknown }[]>(
      run('report', 'sellers', '--json'),
    );
    expect(sellers.length).toBeGreaterThan(10);
    for (const seller of sellers)
      for (const money of [seller.pending, seller.payable, seller.paidOut])
        expect(moneyJsonSchema.safeParse(money).success).toBe(true);
  });
});

describe('report daily on a book whose money moved on other days (the README walkthrough)', () => {
  let dir: { dir: string; cleanup: () => void };
  let db: string;
  const run = (...args: string[]): RunResult => payops([...args, '--db', db]);
  beforeAll(() => {
    dir = tempDir('payops-daily-');
    db = path.join(dir.dir, 'books.db');
    expect(run('init').code).toBe(0);
    expect(
      run(
        'ledger',
        'post',
        '--file',
        path.join(REPO_ROOT, 'fixtures', 'ledger', 'operator-entries.ndjson'),
      ).code,
    ).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('without --date reports the last day with money, and says so', () => {
    const result = run('report', 'daily');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('no money moved');
    expect(result.stdout.split('\n')[0]).toBe(
      '2026-11-23 (UTC, by effective date, the last day with money (give --date for another))',
    );
    const daily = JSON.parse(run('report', 'daily', '--json').stdout) as {
      date: string;
      dateChosen: string;
    };
    expect(daily).toMatchObject({ date: '2026-11-23', dateChosen: 'last-day-with-money' });
  });

  it('a day with nothing names the nearest days that have money', () => {
    const result = run('report', 'daily', '--date', '2026-11-10');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      '2026-11-10 (UTC, by effective date): no money moved. Nearest days with money: 2026-11-01 (before), 2026-11-23 (after); the ledger runs from 2026-11-01 to 2026-11-23. Try --date 2026-11-01',
    );
  });
});

describe('ledger history across currencies', () => {
  let dir: { dir: string; cleanup: () => void };
  let db: string;
  const run = (...args: string[]): RunResult => payops([...args, '--db', db]);
  beforeAll(() => {
    dir = tempDir('payops-history-');
    db = path.join(dir.dir, 'books.db');
    expect(run('init').code).toBe(0);
    const entry = (
      key: string,
      effectiveAt: string,
      currency: string,
      amount: string,
      direction: 'debit' | 'credit',
    ) => ({
      idempotencyKey: key,
      description: key,
      effectiveAt,
      entries: [
        { account: 'assets:bank:operating', currency, [direction]: amount },
        {
          account: 'equity:opening',
          currency,
          [direction === 'debit' ? 'credit' : 'debit']: amount,
        },
      ],
    });
    const file = path.join(dir.dir, 'entries.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        entry('usd-in', '2026-11-01', 'USD', '100.00', 'debit'),
        entry('eur-in', '2026-11-02', 'EUR', '50.00', 'debit'),
        entry('usd-out', '2026-11-03', 'USD', '30.00', 'credit'),
        entry('eur-early', '2026-10-30', 'EUR', '5.00', 'debit'),
        entry('jpy-in', '2026-11-04', 'JPY', '700', 'debit'),
      ]),
    );
    expect(run('ledger', 'post', '--file', file).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('keeps one running balance per currency on every line (JSON and text)', () => {
    const history = JSON.parse(
      run('ledger', 'history', 'assets:bank:operating', '--json').stdout,
    ) as {
      dateBasis: string;
      lines: { description: string; balances: { amount: string; currency: string }[] }[];
    };
    expect(history.dateBasis).toBe('effective');
    expect(
      history.lines.map((line) => [
        line.description,
        line.balances.map((balance) => `${balance.amount} ${balance.currency}`).join(', '),
      ]),
    ).toEqual([
      ['eur-early', '5.00 EUR'],
      ['usd-in', '5.00 EUR, 100.00 USD'],
      ['eur-in', '55.00 EUR, 100.00 USD'],
      ['usd-out', '55.00 EUR, 70.00 USD'],
      ['jpy-in', '55.00 EUR, 700 JPY, 70.00 USD'],
    ]);
    const text = run('ledger', 'history', 'assets:bank:operating').stdout.split('\n');
    expect(text[0]).toBe('assets:bank:operating by effective date (UTC)');
    expect(text[1]).toMatch(/balance EUR\s+balance JPY\s+balance USD$/);
    expect(text.find((line) => line.includes('usd-out'))).toMatch(/30\.00\s+55\.00\s+70\.00$/);
  });

  it("--csv: each row with its own currency's running balance; --limit keeps the balances of what came before", () => {
    const csv = parse(run('ledger', 'history', 'assets:bank:operating', '--csv').stdout, {
      columns: true,
    }) as Record<string, string>[];
    expect(
      csv.map((row) => [row.description, row.currency, row.debit, row.credit, row.balance]),
    ).toEqual([
      ['eur-early', 'EUR', '5.00', '', '5.00'],
      ['usd-in', 'USD', '100.00', '', '100.00'],
      ['eur-in', 'EUR', '50.00', '', '55.00'],
      ['usd-out', 'USD', '', '30.00', '70.00'],
      ['jpy-in', 'JPY', '700', '', '700'],
    ]);
    const last = JSON.parse(
      run('ledger', 'history', 'assets:bank:operating', '--limit', '1', '--json').stdout,
    ) as { lines: { balances: { amountMinor: string }[] }[] };
    expect(last.lines[0]?.balances.map((balance) => balance.amountMinor)).toEqual([
      '5500',
      '700',
      '7000',
    ]);
  });
});

interface AmountsJson {
  currency: string;
  amounts: { amountMinor: string }[];
  total: { amountMinor: string };
}

interface StatementJson {
  dateBasis: string;
  periods: { start: string; end: string }[];
  sections: { name: string; rows: (AmountsJson & { account: string })[]; totals: AmountsJson[] }[];
  net?: AmountsJson[];
  unclosedNetIncome?: AmountsJson[];
  balanced?: boolean;
}

/** Every object with an `amountMinor` key: the money in a JSON document. */
function collectMoney(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(collectMoney);
  if (value === null || typeof value !== 'object') return [];
  if ('amountMinor' in value) return [value];
  return Object.values(value).flatMap(collectMoney);
}

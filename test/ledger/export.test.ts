import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import {
  type AccountType,
  type ExportFormat,
  Ledger,
  balances,
  exportJournal,
} from '../../src/ledger/index.js';
import { SqliteLedgerReads } from '../../src/ledger/sqlite-ledger-reads.js';
import { type Currency, exponentOf, toCurrency } from '../../src/money/index.js';
import { BOOK_ACCOUNTS, BOOK_CURRENCIES, type BookSummary, postBook } from '../helpers/book.js';
import { tempDir } from '../helpers/cli.js';
import { tempDatabase } from '../helpers/db.js';
import { verifyBooks } from '../helpers/check.js';

/**
 * `payops ledger export` is only worth something if the real tools read the file and compute the
 * same balances as payops, to the minor unit. This suite generates a deterministic, export-hostile
 * book (test/helpers/book.ts), exports it in every format, runs hledger, ledger-cli and beancount
 * on the files, and compares every (account, currency) balance with payops' own. A tool that is
 * not installed has its tests skipped (and says so in the test name); CI installs all of them.
 */

const SEED = 20261123;
const COUNT = 3000;

// hledger needs a UTF-8 locale to read non-ASCII text; ledger gets --args-only so no ~/.ledgerrc
// or LEDGER_* variable changes what it reads.
const TOOL_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LEDGER_FILE: undefined,
};

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function tool(command: string, args: readonly string[]): ToolResult {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: TOOL_ENV,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function installed(command: string): boolean {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore', env: TOOL_ENV });
  return result.error === undefined && result.status === 0;
}

const HAS_HLEDGER = installed('hledger');
const HAS_LEDGER = installed('ledger');
const HAS_BEANCOUNT = installed('bean-check') && installed('bean-query');

/** `it`, skipped with the reason in its name when the tool's binary is missing. */
function withTool(present: boolean, binaries: string) {
  return (name: string, fn: () => void) =>
    it.skipIf(!present)(
      present
        ? name
        : `${name} [skipped: ${binaries} not found on PATH; CI installs it: apt-get install hledger ledger beancount]`,
      fn,
    );
}
const withHledger = withTool(HAS_HLEDGER, 'hledger');
const withLedger = withTool(HAS_LEDGER, 'ledger');
const withBeancount = withTool(HAS_BEANCOUNT, 'bean-check or bean-query');

// ---------------------------------------------------------------------------------------------
// Balances as maps "account  CUR" → debits minus credits in minor units, zeros left out.

type Balances = Map<string, bigint>;

const Exact = Decimal.clone({ precision: 60 });

function toMinor(text: string, currency: Currency, where: string): bigint {
  const scaled = new Exact(text.trim()).times(new Exact(10).pow(exponentOf(currency)));
  if (!scaled.isInteger())
    throw new Error(`${where}: "${text}" ${currency} is not a whole number of minor units`);
  return BigInt(scaled.toFixed(0));
}

function add(map: Balances, account: string, currency: string, minor: bigint): void {
  const key = `${account}  ${currency}`;
  map.set(key, (map.get(key) ?? 0n) + minor);
}

/** Sorted, zero-free, printable: a failing comparison shows exactly which balances differ. */
function view(map: Balances): Record<string, string> {
  return Object.fromEntries(
    [...map.entries()]
      .filter(([, minor]) => minor !== 0n)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, minor]) => [key, minor.toString()]),
  );
}

function payopsBalances(
  db: Database,
  asOf?: string,
  rename: (account: string, type: AccountType) => string = (account) => account,
): Balances {
  const map: Balances = new Map();
  for (const row of balances(db, { includeZero: false, asOf }))
    add(map, rename(row.account, row.type), row.currency, row.debitMinusCreditMinor);
  return map;
}

function hledgerBalances(file: string, extra: readonly string[] = []): Balances {
  // --layout=bare puts the commodity in its own column: one row per (account, commodity).
  const result = tool('hledger', [
    '-f',
    file,
    'balance',
    '--flat',
    '--no-total',
    '--layout=bare',
    '-O',
    'csv',
    ...extra,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const rows = parse(result.stdout, { columns: true }) as {
    account: string;
    commodity: string;
    balance: string;
  }[];
  const map: Balances = new Map();
  for (const row of rows) {
    const currency = toCurrency(row.commodity, `hledger commodity of ${row.account}`);
    add(map, row.account, currency, toMinor(row.balance, currency, `hledger ${row.account}`));
  }
  return map;
}

function ledgerBalances(file: string, extra: readonly string[] = []): Balances {
  // display_amount is the account's own postings (hledger's --flat shows the same); display_total
  // would add its sub-accounts. A multi-commodity amount prints one commodity a line, the first
  // on the account's line after a tab.
  const format = '%(account)\t%(scrub(display_amount))\n';
  const result = tool('ledger', [
    '--args-only',
    '-f',
    file,
    'balance',
    '--flat',
    '--no-total',
    '--format',
    format,
    ...extra,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const map: Balances = new Map();
  let account: string | undefined;
  for (const line of result.stdout.split('\n')) {
    if (line.length === 0) continue;
    let amount = line;
    if (line.includes('\t')) [account, amount] = line.split('\t') as [string, string];
    amount = amount.trim();
    if (amount === '0' || amount === '') continue;
    const match = /^(-?[0-9]+(?:\.[0-9]+)?) ([A-Z]{3})$/.exec(amount);
    if (!match || account === undefined)
      throw new Error(`ledger balance: cannot read line "${line}"`);
    const currency = toCurrency(match[2]);
    add(map, account, currency, toMinor(match[1] as string, currency, `ledger ${account}`));
  }
  return map;
}

function beancountBalances(file: string, where = ''): Balances {
  // bean-query renders a number column at one precision for every row, so a plain sum(number)
  // prints the KWD sums with two decimals when most rows are USD/EUR (-1006123012.752 comes out as
  // -1006123012.75). str() gives the exact Decimal instead: "Decimal('-1006123012.752')".
  const query = `SELECT account, currency, str(sum(number)) AS total ${where} GROUP BY account, currency ORDER BY account, currency`;
  const result = tool('bean-query', ['-f', 'csv', file, query]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  // bean-query pads its CSV cells to the column width.
  const rows = parse(result.stdout, { columns: true, trim: true }) as {
    account: string;
    currency: string;
    total: string;
  }[];
  const map: Balances = new Map();
  for (const row of rows) {
    const currency = toCurrency(row.currency, `bean-query currency of ${row.account}`);
    const number = /^Decimal\('(-?[0-9.E+-]+)'\)$/.exec(row.total)?.[1];
    if (number === undefined)
      throw new Error(
        `bean-query: cannot read the total ${JSON.stringify(row.total)} of ${row.account}`,
      );
    add(map, row.account, currency, toMinor(number, currency, `bean-query ${row.account}`));
  }
  return map;
}

const BEANCOUNT_ROOT: Readonly<Record<AccountType, string>> = {
  asset: 'Assets',
  liability: 'Liabilities',
  equity: 'Equity',
  revenue: 'Income',
  expense: 'Expenses',
};

/**
 * The beancount name payops documents: the root by type, each further segment capitalized with
 * "_" and "." turned into "-". A bare root such as `equity` keeps its name as the one component
 * beancount requires (`Equity:Equity`). Written here independently of export.ts.
 */
function beancountName(account: string, type: AccountType): string {
  const segments = account.split(':');
  const rest = segments.length === 1 ? segments : segments.slice(1);
  return [
    BEANCOUNT_ROOT[type],
    ...rest.map((segment) => {
      const component = segment.replace(/[_.]/g, '-');
      return component.charAt(0).toUpperCase() + component.slice(1);
    }),
  ].join(':');
}

/** The CSV's defence against spreadsheet formulas (src/csv-cells.ts). */
function csvCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** What the plain-text journal promises to keep of a description: all but `;` (a comment there). */
function journalDescription(description: string, kind: string): string {
  return description.replace(/;/g, ' ').trim() || kind;
}

// ---------------------------------------------------------------------------------------------

describe(`ledger export of a generated book (seed ${SEED}, ${COUNT} transactions), read by the real tools`, () => {
  let db: Database;
  let cleanupDb: () => void;
  let cleanupDir: () => void;
  let summary: BookSummary;
  const files = {} as Record<ExportFormat, string>;
  let transactions: {
    id: bigint;
    description: string;
    kind: string;
    idempotency_key: string;
    effective_at: string;
  }[];

  beforeAll(async () => {
    ({ db, cleanup: cleanupDb } = tempDatabase());
    const out = tempDir('payops-export-');
    cleanupDir = out.cleanup;
    summary = postBook(db, { seed: SEED, count: COUNT });
    const extension: Record<ExportFormat, string> = {
      hledger: 'journal',
      beancount: 'beancount',
      csv: 'csv',
    };
    for (const format of ['hledger', 'beancount', 'csv'] as const) {
      const file = path.join(out.dir, `book.${extension[format]}`);
      const fd = fs.openSync(file, 'w');
      try {
        await exportJournal(new SqliteLedgerReads(db), format, (chunk) => fs.writeSync(fd, chunk));
      } finally {
        fs.closeSync(fd);
      }
      files[format] = file;
      // To look at what the tools were given: PAYOPS_KEEP_EXPORT=/some/dir npx vitest run test/ledger/export.test.ts
      if (process.env.PAYOPS_KEEP_EXPORT)
        fs.copyFileSync(file, path.join(process.env.PAYOPS_KEEP_EXPORT, path.basename(file)));
    }
    transactions = db
      .prepare(
        'SELECT id, description, kind, idempotency_key, effective_at FROM ledger_transactions ORDER BY id',
      )
      .all() as typeof transactions;
  });

  afterAll(() => {
    cleanupDb?.();
    cleanupDir?.();
  });

  it('generates the book the comparison needs, deterministically', async () => {
    expect((await verifyBooks(db)).ok).toBe(true);
    expect(summary.transactions).toBeGreaterThanOrEqual(COUNT);
    expect(summary.reversals).toBeGreaterThanOrEqual(10);
    expect(summary.backdated).toBeGreaterThan(50);
    expect(summary.multiCurrency).toBeGreaterThan(200);
    expect(summary.reservedMetadata).toBeGreaterThan(0);
    const rows = balances(db, { includeZero: true });
    expect(new Set(rows.map((row) => row.type))).toEqual(
      new Set(['asset', 'liability', 'equity', 'revenue', 'expense']),
    );
    expect(new Set(rows.map((row) => row.currency))).toEqual(new Set(BOOK_CURRENCIES));
    expect(new Set(rows.map((row) => row.account)).size).toBeGreaterThanOrEqual(40);
    // The suspense account came back to zero through its reversal: every tool must leave it out.
    expect(rows.find((row) => row.account === 'expenses:suspense_tmp')?.debitMinusCreditMinor).toBe(
      0n,
    );
    const accounts = BOOK_ACCOUNTS.map((account) => account.name);
    expect(
      accounts.some((name) => name.includes('_')) && accounts.some((name) => name.includes('.')),
    ).toBe(true);

    const again = tempDatabase();
    try {
      expect(postBook(again.db, { seed: SEED, count: COUNT })).toEqual(summary);
      expect(view(payopsBalances(again.db))).toEqual(view(payopsBalances(db)));
    } finally {
      again.cleanup();
    }
  });

  withHledger(
    'hledger reads the journal with the same balance for every account and currency',
    () => {
      expect(view(hledgerBalances(files.hledger))).toEqual(view(payopsBalances(db)));
    },
  );

  withLedger('ledger-cli reads the same journal with the same balances', () => {
    expect(view(ledgerBalances(files.hledger))).toEqual(view(payopsBalances(db)));
  });

  withBeancount('bean-check accepts the beancount file without a single error', () => {
    const result = tool('bean-check', [files.beancount]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });

  withBeancount('bean-query computes the same balances under the mapped account names', () => {
    const names = new Map<string, string>();
    for (const row of balances(db, { includeZero: true })) {
      const mapped = beancountName(row.account, row.type);
      expect(names.get(mapped) ?? row.account, `two accounts map to ${mapped}`).toBe(row.account);
      names.set(mapped, row.account);
    }
    expect(view(beancountBalances(files.beancount))).toEqual(
      view(payopsBalances(db, undefined, beancountName)),
    );
  });

  it('the CSV sums to the same debits minus credits, keeps every text exactly and defuses formulas', () => {
    const rows = parse(fs.readFileSync(files.csv, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    const entries = db.prepare('SELECT COUNT(*) AS n FROM ledger_entries').get() as { n: bigint };
    expect(rows).toHaveLength(Number(entries.n));
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'tx_id',
      'effective_at',
      'created_at',
      'idempotency_key',
      'kind',
      'description',
      'account',
      'currency',
      'debit',
      'credit',
    ]);

    const byId = new Map(transactions.map((tx) => [String(tx.id), tx]));
    const map: Balances = new Map();
    const mismatches: string[] = [];
    for (const row of rows) {
      const currency = toCurrency(row.currency);
      const debit = row.debit as string;
      const credit = row.credit as string;
      expect(
        (debit === '') !== (credit === ''),
        `tx ${row.tx_id}: exactly one of debit and credit`,
      ).toBe(true);
      add(
        map,
        row.account as string,
        currency,
        debit !== ''
          ? toMinor(debit, currency, 'csv debit')
          : -toMinor(credit, currency, 'csv credit'),
      );
      const tx = byId.get(row.tx_id as string);
      if (!tx) throw new Error(`csv row for unknown transaction ${row.tx_id}`);
      if (row.description !== csvCell(tx.description))
        mismatches.push(`tx ${row.tx_id} description ${JSON.stringify(row.description)}`);
      if (row.idempotency_key !== csvCell(tx.idempotency_key))
        mismatches.push(`tx ${row.tx_id} key ${JSON.stringify(row.idempotency_key)}`);
      if (row.effective_at !== tx.effective_at)
        mismatches.push(`tx ${row.tx_id} effective_at ${row.effective_at}`);
    }
    expect(mismatches).toEqual([]);
    expect(new Set(rows.map((row) => row.tx_id)).size).toBe(transactions.length);
    expect(view(map)).toEqual(view(payopsBalances(db)));

    // A description that a spreadsheet would run as a formula comes out as text.
    expect(rows.some((row) => row.description === `'=HYPERLINK("x")`)).toBe(true);
    expect(rows.every((row) => !/^[=+\-@]/.test(row.description as string))).toBe(true);
  });

  /** Transaction id → (code, description) as a plain-text tool read them, keyed by the payops-tx tag. */
  function checkDescriptions(
    reader: string,
    read: { note: string; code: string; description: string }[],
  ): void {
    const byId = new Map<string, { code: string; description: string }>();
    for (const row of read) {
      const id = /^\s*payops-tx:(\d+)(,|$)/.exec(row.note)?.[1];
      if (id === undefined)
        throw new Error(
          `${reader}: a transaction without its payops-tx tag: ${JSON.stringify(row)}`,
        );
      byId.set(id, row);
    }
    const wrong = transactions
      .map((tx) => ({ tx, got: byId.get(String(tx.id)) }))
      .filter(
        ({ tx, got }) =>
          got?.description !== journalDescription(tx.description, tx.kind) ||
          got.code !== String(tx.id),
      )
      .map(
        ({ tx, got }) =>
          `tx ${tx.id}: wrote ${JSON.stringify(tx.description)}, ${reader} read code ${JSON.stringify(got?.code)} description ${JSON.stringify(got?.description)}`,
      );
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(byId.size).toBe(transactions.length);
  }

  withHledger(
    'hledger reads every description as written (less ";"), with the transaction id as its code',
    () => {
      const result = tool('hledger', ['-f', files.hledger, 'print', '-O', 'csv']);
      expect(result.stderr).toBe('');
      const rows = parse(result.stdout, { columns: true }) as {
        comment: string;
        code: string;
        description: string;
      }[];
      checkDescriptions(
        'hledger',
        rows.map((row) => ({ note: row.comment, code: row.code, description: row.description })),
      );
    },
  );

  withLedger(
    'ledger-cli reads every description as written (less ";"), with the transaction id as its code',
    () => {
      const result = tool('ledger', [
        '--args-only',
        '-f',
        files.hledger,
        'register',
        '--format',
        '%(note)\t%(code)\t%(payee)\n',
      ]);
      expect(result.stderr).toBe('');
      const rows = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t') as [string, string, string]);
      checkDescriptions(
        'ledger',
        rows.map(([note, code, description]) => ({ note, code, description })),
      );
    },
  );

  withBeancount("beancount reads every narration exactly and keeps payops' transaction id", () => {
    const result = tool('bean-query', [
      '-f',
      'csv',
      files.beancount,
      "SELECT DISTINCT entry_meta('payops-tx') AS tx, narration",
    ]);
    expect(result.stderr).toBe('');
    // bean-query pads CSV cells, inside the quotes too, so compare without surrounding blanks.
    const rows = parse(result.stdout, { columns: true, trim: true }) as {
      tx: string;
      narration: string;
    }[];
    const read = new Map(rows.map((row) => [row.tx.trim(), row.narration.trim()]));
    const wrong = transactions
      .filter((tx) => read.get(String(tx.id)) !== tx.description.trim())
      .map(
        (tx) =>
          `tx ${tx.id}: wrote ${JSON.stringify(tx.description)}, beancount read ${JSON.stringify(read.get(String(tx.id)))}`,
      );
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(read.size).toBe(transactions.length);
  });

  describe('as of the end of a day in the middle of the book', () => {
    // payops' asOf is an inclusive instant; the exports carry dates only. At the last millisecond
    // of a UTC day both sides mean "everything effective on or before that day", which the tools
    // spell as an exclusive end date: the next day.
    let asOf: string;
    let end: string;

    beforeAll(() => {
      const row = db
        .prepare(
          `SELECT substr(effective_at, 1, 10) AS day FROM ledger_transactions t
           WHERE effective_at LIKE '%T23:59:59.999Z' AND effective_at BETWEEN '2026-03-01' AND '2026-05-01'
             AND EXISTS (SELECT 1 FROM ledger_transactions n WHERE n.effective_at = strftime('%Y-%m-%dT00:00:00.000Z', t.effective_at, '+1 day'))
           ORDER BY effective_at LIMIT 1`,
        )
        .get() as { day: string } | undefined;
      if (!row)
        throw new Error(
          'the generated book has no transactions on both sides of a midnight in March or April',
        );
      asOf = `${row.day}T23:59:59.999Z`;
      end = new Date(Date.parse(`${row.day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    });

    it('is a boundary that matters: transactions on both sides, backdated entries before it', () => {
      const count = (sql: string, ...args: string[]) =>
        Number((db.prepare(sql).get(...args) as { n: bigint }).n);
      expect(
        count('SELECT COUNT(*) AS n FROM ledger_transactions WHERE effective_at = ?', asOf),
      ).toBeGreaterThan(0);
      expect(
        count(
          'SELECT COUNT(*) AS n FROM ledger_transactions WHERE effective_at = ?',
          `${end}T00:00:00.000Z`,
        ),
      ).toBeGreaterThan(0);
      expect(
        count(
          'SELECT COUNT(*) AS n FROM ledger_entries WHERE backdated = 1 AND effective_at <= ?',
          asOf,
        ),
      ).toBeGreaterThan(0);
      expect(view(payopsBalances(db, asOf))).not.toEqual(view(payopsBalances(db)));
    });

    withHledger("hledger -e NEXT_DAY gives payops' balances as of the end of the day", () => {
      expect(view(hledgerBalances(files.hledger, ['-e', end]))).toEqual(
        view(payopsBalances(db, asOf)),
      );
    });

    withLedger('ledger-cli -e NEXT_DAY gives the same', () => {
      expect(view(ledgerBalances(files.hledger, ['-e', end]))).toEqual(
        view(payopsBalances(db, asOf)),
      );
    });

    withBeancount('bean-query WHERE date < NEXT_DAY gives the same', () => {
      expect(view(beancountBalances(files.beancount, `WHERE date < ${end}`))).toEqual(
        view(payopsBalances(db, asOf, beancountName)),
      );
    });
  });
});

describe('ledger export: what the real tools caught, on a two-transaction book', () => {
  let db: Database;
  let cleanupDb: () => void;
  let cleanupDir: () => void;
  const files = {} as Record<ExportFormat, string>;
  const text = {} as Record<ExportFormat, string>;

  beforeAll(async () => {
    ({ db, cleanup: cleanupDb } = tempDatabase());
    const out = tempDir('payops-export-');
    cleanupDir = out.cleanup;
    const USD = toCurrency('USD');
    new Ledger(db).postBatch([
      {
        idempotencyKey: 'fix-1',
        kind: 'manual',
        description: '(dup) entered twice',
        effectiveAt: '2026-02-01T10:00:00Z',
        // Operator metadata may use any key: these are names the export or beancount use themselves.
        metadata: {
          lineno: '7',
          filename: 'bank.csv',
          kind: 'fee',
          'meta-kind': 'already taken',
          'payops-tx': 'theirs',
          key: 'k',
        },
        entries: [
          { account: 'equity', currency: USD, direction: 'debit', amountMinor: 10_000n },
          { account: 'revenue', currency: USD, direction: 'credit', amountMinor: 10_000n },
        ],
      },
      {
        // Same day: beancount compares the two entries' lineno when it sorts them.
        idempotencyKey: 'fix-2',
        kind: 'manual',
        description: 'second',
        effectiveAt: '2026-02-01T11:00:00Z',
        entries: [
          {
            account: 'assets:bank:operating',
            currency: USD,
            direction: 'debit',
            amountMinor: 2_500n,
          },
          { account: 'equity', currency: USD, direction: 'credit', amountMinor: 2_500n },
        ],
      },
    ]);
    for (const format of ['hledger', 'beancount', 'csv'] as const) {
      let written = '';
      await exportJournal(new SqliteLedgerReads(db), format, (chunk) => {
        written += chunk;
      });
      text[format] = written;
      files[format] = path.join(out.dir, `fix.${format === 'hledger' ? 'journal' : format}`);
      fs.writeFileSync(files[format], written);
    }
  });

  afterAll(() => {
    cleanupDb?.();
    cleanupDir?.();
  });

  it('writes the transaction id as the journal code, so a description starting with "(" is not taken for one', () => {
    // Before: "2026-02-01 * (dup) entered twice", which hledger and ledger-cli read as code "dup",
    // description "entered twice".
    expect(text.hledger).toContain('\n2026-02-01 * (1) (dup) entered twice\n');
    expect(text.hledger).toContain('\n2026-02-01 * (2) second\n');
  });

  it('gives a bare root account a component of its own in beancount', () => {
    // Before: "open Equity", which beancount refuses: "Invalid token: 'Equity'".
    expect(text.beancount).toContain(' open Equity:Equity\n');
    expect(text.beancount).toContain(' open Income:Revenue\n');
    expect(text.beancount).toContain('\n  Equity:Equity  100.00 USD\n');
  });

  it('renames metadata keys the export or beancount use themselves, losing none of them', () => {
    // Before: a second "kind:", "key:" and "payops-tx:" ("Duplicate metadata field on entry"), and
    // a string "lineno" that made bean-check crash with "TypeError: '<' not supported between
    // instances of 'str' and 'int'".
    const first = text.beancount.slice(text.beancount.indexOf('(dup)'));
    for (const line of [
      'payops-tx: "1"',
      'kind: "manual"',
      'key: "fix-1"',
      'meta-lineno: "7"',
      'meta-filename: "bank.csv"',
      'meta-meta-kind: "fee"',
      'meta-kind: "already taken"',
      'meta-payops-tx: "theirs"',
      'meta-key: "k"',
    ]) {
      expect(first).toContain(`\n  ${line}\n`);
    }
    expect(text.hledger).toContain(
      '; payops-tx:1, kind:manual, key:fix-1, lineno:7, filename:bank.csv, meta-meta-kind:fee, meta-kind:already taken, meta-payops-tx:theirs, meta-key:k\n',
    );
  });

  withBeancount('bean-check accepts the file and bean-query sees the same balances', () => {
    const check = tool('bean-check', [files.beancount]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(view(beancountBalances(files.beancount))).toEqual({
      'Assets:Bank:Operating  USD': '2500',
      'Equity:Equity  USD': '7500',
      'Income:Revenue  USD': '-10000',
    });
  });

  withHledger('hledger reads the code, the description and the balances', () => {
    const printed = tool('hledger', ['-f', files.hledger, 'print', '-O', 'csv']);
    const rows = parse(printed.stdout, { columns: true }) as {
      code: string;
      description: string;
    }[];
    expect(rows.map((row) => [row.code, row.description])).toContainEqual([
      '1',
      '(dup) entered twice',
    ]);
    expect(view(hledgerBalances(files.hledger))).toEqual(view(payopsBalances(db)));
  });

  withLedger('ledger-cli reads the code, the description and the balances', () => {
    const register = tool('ledger', [
      '--args-only',
      '-f',
      files.hledger,
      'register',
      '--format',
      '%(code)\t%(payee)\n',
    ]);
    expect(register.stdout.split('\n')).toContain('1\t(dup) entered twice');
    expect(view(ledgerBalances(files.hledger))).toEqual(view(payopsBalances(db)));
  });
});

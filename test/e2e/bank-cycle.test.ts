import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivalDay } from '../../src/bank/sim/index.js';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT, type RunResult, payops, tempDir } from '../helpers/cli.js';

interface BankManifest {
  windowDays: number;
  injected: { kind: string; expectedClass: string; reference: string; currency: string }[];
  skipped: { kind: string; reason: string }[];
}

interface OpenItem {
  itemId: string;
  class: string;
  bank: {
    statementRef: string;
    source: string;
    balances: {
      closingBank: { amountMinor: string };
      closingBooks: { amountMinor: string };
    } | null;
  } | null;
}

interface BalanceLine {
  account: string;
  balance: { amount: string; currency: string; amountMinor: string };
}

const FAULTS = [
  '--faults',
  'timeout=0.03,5xx=0.03,429=0.02,lost=0.02,decline=0.03,pending=0.03',
  '--seed',
  '11',
  '--retry-base-ms',
  '20',
  '--retry-cap-ms',
  '100',
  '--max-attempts',
  '50',
];
const BANK_CLASSES = [
  'payout_not_received',
  'unknown_credit',
  'unknown_debit',
  'amount_mismatch',
  'bank_fee',
  'balance_mismatch',
  'duplicate',
];
/** How the test settles each class once found: what an operator would do with the simulated bank's discrepancies. */
const RESOLUTION: Record<string, string> = {
  payout_not_received: 'write-off',
  unknown_credit: 'accept',
  unknown_debit: 'accept',
  amount_mismatch: 'accept',
  bank_fee: 'accept',
  balance_mismatch: 'accept',
  duplicate: 'accept',
};

/**
 * The whole cycle of issue 16 through the real binary: pay-in under PSP faults, seller payouts,
 * the PSP's settlement reconciled, then the simulated bank's statements (the day the seller
 * payouts left; the day the PSP's payout arrived, with one discrepancy of every class) reconciled
 * against both: every injection is found in its class and nothing else is open; resolved, `check`
 * (in-transit included) passes and nothing is left in transit.
 */
describe('the three-way match, end to end (books, PSP, bank)', () => {
  let shared: string;
  let cleanup: () => void;
  let dir: string;
  let db: string;
  let day: string;
  const run = (...args: string[]): RunResult => payops([...args, '--db', db]);
  const openItems = (): OpenItem[] =>
    JSON.parse(run('reconcile', 'review', '--json').stdout) as OpenItem[];
  const balances = (): BalanceLine[] =>
    JSON.parse(run('ledger', 'balance', '--json').stdout) as BalanceLine[];

  beforeAll(() => {
    ({ dir: shared, cleanup } = tempDir('payops-bank-cycle-'));
    dir = shared;
    db = path.join(dir, 'books.db');
    expect(run('init').code).toBe(0);
    const checkouts = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');
    expect([0, 6]).toContain(run('payin', 'run', checkouts, ...FAULTS).code);
    expect(run('retry', 'run', '--wait', ...FAULTS).code).toBe(0);
    expect(run('orders', 'sync', '--seed', '11').code).toBe(0);
    const deliveries = path.join(dir, 'deliveries.ndjson');
    execFileSync(process.execPath, [
      path.join(REPO_ROOT, 'scripts', 'generate-deliveries.mjs'),
      '--events',
      checkouts,
      '--every',
      '1',
      '--out',
      deliveries,
    ]);
    expect([0, 3]).toContain(
      run('payin', 'run', deliveries, '--rejects', path.join(dir, 'rejects.ndjson')).code,
    );
    day = new Date().toISOString().slice(0, 10);
    expect(run('payout', 'run').code).toBe(0);
    const settlement = path.join(dir, 'settlement.csv');
    expect(run('psp', 'settle', '--date', day, '--out', settlement).code).toBe(0);
    const psp = run('reconcile', 'run', settlement, '--non-interactive', '--json');
    expect(psp.code, psp.stderr).toBe(0);
  }, 240_000);
  afterAll(() => cleanup());

  /** Each format works on its own copy of the book (and of the simulated PSP's state beside it). */
  const copyBook = (format: string): void => {
    dir = path.join(shared, format);
    fs.mkdirSync(dir);
    for (const name of fs.readdirSync(shared))
      if (name.startsWith('books.')) fs.copyFileSync(path.join(shared, name), path.join(dir, name));
    db = path.join(dir, 'books.db');
  };
  const FORMATS = [
    { format: 'camt053', extension: 'xml', read: [], write: [] },
    { format: 'mt940', extension: 'sta', read: [], write: [] },
    { format: 'bai2', extension: 'txt', read: [], write: [] },
    // A bank CSV holds one statement: the USD account's, so the kinds that need a second PSP credit that day are skipped.
    {
      format: 'csv',
      extension: 'csv',
      read: ['--mapping', path.join(REPO_ROOT, 'fixtures', 'bank', 'csv-mapping.json')],
      write: ['--currency', 'USD'],
    },
  ] as const;

  it.each(FORMATS)(
    '$format: finds every injected bank discrepancy in its class and nothing else; resolved, check passes and nothing is in transit',
    ({ format, extension, read, write }) => {
      copyBook(format);
      const sent = path.join(dir, `bank-${day}.${extension}`);
      expect(
        run('bank', 'statement', '--date', day, '--format', format, '--out', sent, ...write).code,
      ).toBe(0);
      const first = run(
        'reconcile',
        'bank',
        sent,
        ...read,
        '--window-days',
        '1',
        '--non-interactive',
        '--json',
      );
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(openItems()).toEqual([]);

      const arrival = arrivalDay(day, 1);
      const arrived = path.join(dir, `bank-${arrival}.${extension}`);
      const manifestFile = path.join(dir, `bank-${arrival}.json`);
      const written = run(
        'bank',
        'statement',
        '--date',
        arrival,
        '--format',
        format,
        '--out',
        arrived,
        '--delay-days',
        '1',
        '--inject-discrepancies',
        '7',
        '--seed',
        '5',
        '--manifest',
        manifestFile,
        ...write,
      );
      expect(written.code, written.stderr).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BankManifest;
      if (format === 'csv') expect(manifest.injected.length + manifest.skipped.length).toBe(7);
      else expect(manifest.skipped).toEqual([]);
      if (format !== 'csv')
        expect(manifest.injected.map((injection) => injection.expectedClass).sort()).toEqual(
          [...BANK_CLASSES].sort(),
        );

      const second = run(
        'reconcile',
        'bank',
        arrived,
        ...read,
        '--window-days',
        String(manifest.windowDays),
        '--non-interactive',
        '--json',
      );
      expect(second.code, second.stdout + second.stderr).toBe(4);
      const found = openItems();
      expect(found.map((item) => item.class).sort()).toEqual(
        manifest.injected.map((injection) => injection.expectedClass).sort(),
      );
      // The review's JSON carries each bank item's statement, and a balance item's figures beside the books'.
      for (const item of found)
        expect(item.bank?.statementRef, item.class).toEqual(expect.any(String));
      for (const item of found.filter((open) => open.class === 'balance_mismatch')) {
        expect(item.bank?.balances?.closingBank.amountMinor).not.toBe(
          item.bank?.balances?.closingBooks.amountMinor,
        );
      }

      for (const item of found) {
        const decided = run(
          'reconcile',
          'decide',
          item.itemId,
          RESOLUTION[item.class] as string,
          '--note',
          'end-to-end resolution',
          '--json',
        );
        expect(
          decided.code,
          `${item.class} ${item.itemId}: ${decided.stdout}${decided.stderr}`,
        ).toBe(0);
      }
      expect(openItems()).toEqual([]);
      const check = run('check', '--json');
      expect(check.code, check.stdout).toBe(0);
      expect(run('ledger', 'verify').code).toBe(0);
      const stated = (currency: string) => format !== 'csv' || currency === 'USD';
      const inTransit = balances().filter(
        (line) =>
          (line.account.startsWith('assets:bank:in-transit:') ||
            line.account === 'liabilities:payouts:in-transit') &&
          stated(line.balance.currency),
      );
      expect(inTransit.filter((line) => line.balance.amountMinor !== '0')).toEqual([]);
      expect(run('reconcile', 'payouts', '--open', '--json').code).toBe(0);
    },
    240_000,
  );
});

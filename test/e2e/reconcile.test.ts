import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bankOperating as BANK_OPERATING_ACCOUNT,
  bankInTransit as bankInTransitAccount,
} from '../../src/postings/index.js';
import { REPO_ROOT, type RunResult, payops, tempDir } from '../helpers/cli.js';

interface Manifest {
  batches: {
    batchId: string;
    currency: string;
    payoutMinor: string | null;
    differenceMinor: string | null;
  }[];
  injected: {
    kind: string;
    expectedClass: string;
    pspReference: string;
    merchantReference: string | null;
    line: number | null;
    batchId: string;
  }[];
}

interface OpenItem {
  itemId: string;
  class: string;
  amount: { amountMinor: string };
  batchId: string | null;
  ours: { reference: string | null } | null;
  theirs: { reference: string | null; source: string } | null;
}

const FAULTS = [
  '--faults',
  'timeout=0.03,5xx=0.03,429=0.02,lost=0.02,decline=0.03,pending=0.03',
  '--seed',
  '7',
  '--retry-base-ms',
  '20',
  '--retry-cap-ms',
  '100',
  '--max-attempts',
  '50',
];

/**
 * A day of pay-in under faults, refunds and chargebacks, built once; each test reconciles a copy
 * of it (the books and the simulated PSP's own state), so tests do not see each other's runs.
 */
describe('reconcile (end to end)', () => {
  let shared: { dir: string; cleanup: () => void };
  let days: string[];
  let dir: string;
  let db: string;
  const cleanups: (() => void)[] = [];
  const run = (...args: string[]): RunResult => payops([...args, '--db', db]);

  beforeAll(() => {
    shared = tempDir('payops-recon-book-');
    const books = path.join(shared.dir, 'books.db');
    const at = (...args: string[]) => payops([...args, '--db', books]);
    const firstDay = new Date().toISOString().slice(0, 10);
    expect(at('init').code).toBe(0);
    expect([0, 6]).toContain(
      at('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson'), ...FAULTS).code,
    );
    expect(at('retry', 'run', '--wait', ...FAULTS).code).toBe(0);
    expect(at('orders', 'sync', '--seed', '7').code).toBe(0);
    expect(
      at(
        'payin',
        'run',
        path.join(REPO_ROOT, 'fixtures', 'events', 'refunds.ndjson'),
        '--seed',
        '7',
        '--rejects',
        path.join(shared.dir, 'r.ndjson'),
      ).code,
    ).toBe(3);
    expect(at('chargebacks', 'sync', '--faults', 'dispute=0.02', '--seed', '7').code).toBe(0);
    const lastDay = new Date().toISOString().slice(0, 10);
    // A run across midnight UTC settles both days.
    days = [...new Set([firstDay, lastDay])];
  }, 180_000);

  beforeEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    const copy = tempDir('payops-recon-');
    cleanups.push(copy.cleanup);
    dir = copy.dir;
    for (const name of fs.readdirSync(shared.dir))
      if (name.startsWith('books.'))
        fs.copyFileSync(path.join(shared.dir, name), path.join(dir, name));
    db = path.join(dir, 'books.db');
  });
  // Each test's copy first, then the shared book (the order Vitest ran the two hooks in).
  afterAll(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    shared.cleanup();
  });

  const settle = (day: string, extra: string[] = []): { file: string; manifest: Manifest } => {
    const file = path.join(dir, `settlement-${day}.csv`);
    const manifestFile = path.join(dir, `settlement-${day}.json`);
    const result = run(
      'psp',
      'settle',
      '--date',
      day,
      '--out',
      file,
      '--manifest',
      manifestFile,
      ...extra,
    );
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return { file, manifest: JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest };
  };
  const openItems = (): OpenItem[] =>
    JSON.parse(run('reconcile', 'review', '--json').stdout) as OpenItem[];
  const balances = () =>
    JSON.parse(run('ledger', 'balance', '--json').stdout) as {
      account: string;
      balance: { amount: string; currency: string };
    }[];
  const balance = (account: string, currency: string) =>
    balances().find((row) => row.account === account && row.balance.currency === currency)?.balance
      .amount;
  const minor = (amount: string | undefined, currency: string) =>
    amount === undefined
      ? 0n
      : BigInt(amount.replace('.', '')) * (currency === 'JPY' || amount.includes('.') ? 1n : 100n);

  it('finds every injected discrepancy in its class and nothing else; resolved, the bank holds exactly the payouts', () => {
    const settled = days.map((day) => settle(day, ['--inject-discrepancies', '6', '--seed', '3']));
    for (const { file } of settled) {
      const result = run(
        'reconcile',
        'run',
        file,
        '--grace-days',
        '0',
        '--non-interactive',
        '--json',
      );
      expect(result.code, result.stderr).toBe(4);
    }
    const items = openItems();
    const expected = settled.flatMap(({ file, manifest }) => [
      ...manifest.injected.map((injection) => ({
        class: injection.expectedClass,
        reference: injection.pspReference,
        line: injection.line === null ? null : `${file}:${injection.line}`,
      })),
      ...manifest.batches
        .filter((batch) => batch.payoutMinor !== null && batch.differenceMinor !== '0')
        .map((batch) => ({
          class: 'batch_total_mismatch',
          reference: batch.batchId,
          line: null,
          amountMinor: batch.differenceMinor,
        })),
    ]);
    expect(expected.length).toBeGreaterThanOrEqual(6);
    const found = items.map((item) => {
      if (item.class === 'batch_total_mismatch')
        return {
          class: item.class,
          reference: item.batchId,
          line: null,
          amountMinor: item.amount.amountMinor,
        };
      if (item.class === 'missing_external')
        return { class: item.class, reference: item.ours?.reference ?? null, line: null };
      return {
        class: item.class,
        reference: item.theirs?.reference ?? null,
        line: item.theirs?.source ?? null,
      };
    });
    expect(found.sort(byReference)).toEqual(expected.sort(byReference));

    // Resolve: the rows first, as proposed, but a capture never settled is written off (its proposal
    // is a note); then the batches, whose residual is known once their rows are.
    for (const item of openItems().filter((open) => open.class !== 'batch_total_mismatch')) {
      const result = run(
        'reconcile',
        'decide',
        item.itemId,
        item.class === 'missing_external' ? 'write-off' : 'proposed',
      );
      expect(result, result.stderr).toMatchObject({ code: 0 });
    }
    for (const item of openItems()) {
      expect(item.class).toBe('batch_total_mismatch');
      const result = run('reconcile', 'decide', item.itemId, 'proposed');
      expect(result, result.stderr).toMatchObject({ code: 0 });
    }
    expect(run('reconcile', 'review', '--non-interactive')).toMatchObject({
      code: 0,
      stdout: 'nothing open\n',
    });
    const paid = new Map<string, bigint>();
    for (const { manifest } of settled)
      for (const batch of manifest.batches)
        if (batch.payoutMinor !== null)
          paid.set(batch.currency, (paid.get(batch.currency) ?? 0n) + BigInt(batch.payoutMinor));
    for (const [currency, payoutMinor] of paid) {
      expect(minor(balance(bankInTransitAccount('sim'), currency), currency), currency).toBe(
        payoutMinor,
      );
      expect(balance(BANK_OPERATING_ACCOUNT, currency), currency).toBeUndefined(); // until a bank statement shows the credit
      expect(balance('assets:psp:sim:receivable', currency) ?? '0', currency).toMatch(/^0(\.0+)?$/);
    }
    const check = run('check');
    expect(check, check.stdout).toMatchObject({ code: 0 });
    expect(check.stdout).toContain('ok    settlements post each row once');
    expect(check.stdout).toContain('ok    wallets equal the ledger');

    const again = run('reconcile', 'run', settled[0]!.file, '--non-interactive');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('these exact bytes were imported by run 1');
  });

  it('a clean day matches completely: every row and every record matched, nothing open, exit 0', () => {
    for (const day of days) {
      const { file } = settle(day);
      const result = run('reconcile', 'run', file, '--non-interactive', '--json');
      expect(result.code, result.stdout).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        classes: { class: string; rows: number; records: number }[];
        openCount: number;
        batches: { status: string }[];
      };
      expect(summary.classes.map((line) => line.class)).toEqual(['matched']);
      expect(summary.batches.every((batch) => batch.status === 'balanced')).toBe(true);
    }
    expect(run('check').code).toBe(0);
  });

  it('a crash between import and postings leaves nothing; the next run posts once', () => {
    const { file } = settle(days[0] as string);
    for (const point of ['reconcile.after-import', 'reconcile.after-settlement']) {
      const killed = payops(['reconcile', 'run', file, '--non-interactive', '--db', db], {
        env: { PAYOPS_FAILPOINTS: `${point}=1` },
      });
      expect(killed.code, point).toBe(-1); // SIGKILL
      expect(run('reconcile', 'report').code).toBe(2); // no run was recorded
      expect(balances().some((row) => row.account.startsWith('assets:bank:'))).toBe(false);
    }
    expect(run('reconcile', 'run', file, '--non-interactive').code).toBe(0);
    expect(run('reconcile', 'run', file, '--non-interactive').stdout).toContain('nothing changed');
    const settlements = JSON.parse(run('reconcile', 'report', '--json').stdout) as {
      bridges: { payout: { amountMinor: string }; settled: { amountMinor: string } }[];
    };
    for (const bridge of settlements.bridges)
      expect(bridge.settled.amountMinor).toBe(bridge.payout.amountMinor);
    expect(run('check').code).toBe(0);
  });

  it('--dry-run shows what would happen, rules included, and writes nothing', () => {
    const { file } = settle(days[0] as string, ['--inject-discrepancies', '4', '--seed', '5']);
    const rules = path.join(REPO_ROOT, 'fixtures', 'reconcile', 'rules.json');
    const dry = run('reconcile', 'run', file, '--rules', rules, '--dry-run', '--non-interactive');
    expect(dry.stdout).toContain('dry run: this is what would happen; nothing was written');
    expect(dry.stdout).toMatch(/feeTolerance/);
    expect(run('reconcile', 'report').code).toBe(2);
    const real = run('reconcile', 'run', file, '--rules', rules, '--non-interactive');
    expect(real.stdout).toMatch(/feeTolerance/);
  });

  it('issue 15: --dry-run names no transaction; report CSV sums equal its JSON; reconcile items lists every open item once', () => {
    const { file } = settle(days[0] as string, ['--inject-discrepancies', '6', '--seed', '3']);
    const rules = path.join(REPO_ROOT, 'fixtures', 'reconcile', 'rules.json');
    const dry = run(
      'reconcile',
      'run',
      file,
      '--rules',
      rules,
      '--grace-days',
      '0',
      '--dry-run',
      '--non-interactive',
      '--json',
    );
    expect(dry.stdout).not.toMatch(/posted #|"txIds"/);
    const dryText = run(
      'reconcile',
      'run',
      file,
      '--rules',
      rules,
      '--grace-days',
      '0',
      '--dry-run',
      '--non-interactive',
    );
    expect(dryText.stdout).not.toMatch(/#\d/);
    expect(run('reconcile', 'run', file, '--grace-days', '0', '--non-interactive').code).toBe(4);

    const json = JSON.parse(run('reconcile', 'report', '--json').stdout) as {
      dateBasis: string;
      classesByCurrency: {
        class: string;
        currency: string;
        rows: number;
        records: number;
        money: { amount: string };
      }[];
      classTotals: { rows: number; records: number };
      openNow: { class: string; currency: string; items: number; money: { amount: string } }[];
      openTotal: { items: number };
      file: { rowsRead: number };
    };
    expect(json.dateBasis).toBe('settled');
    const csv = run('reconcile', 'report', '--csv').stdout.trimEnd().split('\n');
    const header = (csv[0] as string).split(',');
    const records = csv
      .slice(1)
      .map((line) =>
        Object.fromEntries(line.split(',').map((cell, index) => [header[index] as string, cell])),
      );
    const classRows = records.filter((row) => row.section === 'class');
    const sum = (column: string) =>
      classRows.reduce((total, row) => total + Number(row[column] || 0), 0);
    expect([sum('rows'), sum('records')]).toEqual([
      json.classTotals.rows,
      json.classTotals.records,
    ]);
    expect(json.classTotals.rows).toBe(json.file.rowsRead);
    expect(
      classRows.map((row) => [
        row.class,
        row.currency,
        Number(row.rows),
        Number(row.records),
        row.amount,
      ]),
    ).toEqual(
      json.classesByCurrency.map((line) => [
        line.class,
        line.currency,
        line.rows,
        line.records,
        line.money.amount,
      ]),
    );
    expect(
      records
        .filter((row) => row.section === 'open')
        .reduce((total, row) => total + Number(row.items), 0),
    ).toBe(json.openTotal.items);

    const listing = JSON.parse(run('reconcile', 'items', '--json').stdout) as {
      dateBasis: string;
      count: number;
      items: { itemId: string; class: string }[];
    };
    expect(listing.dateBasis).toBe('run');
    expect(listing.count).toBe(json.openTotal.items);
    expect(listing.items.map((item) => item.itemId).sort()).toEqual(
      openItems()
        .map((item) => item.itemId)
        .sort(),
    );
    const listingCsv = run('reconcile', 'items', '--csv').stdout.trimEnd().split('\n');
    expect(listingCsv).toHaveLength(listing.count + 1);
    expect(run('reconcile', 'items').stdout).toContain('dates: run');
  });

  it('reports a bad row with its line and goes on (exit 3); --strict stops and imports nothing', () => {
    const { file } = settle(days[0] as string);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const fields = (lines[2] as string).split(',');
    fields[7] = fields[6] as string; // net := fee, which is not gross − fee
    lines[2] = fields.join(',');
    const broken = path.join(dir, 'broken.csv');
    fs.writeFileSync(broken, lines.join('\n'));
    const strict = run('reconcile', 'run', broken, '--strict', '--non-interactive');
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(
      new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3 net: `),
    );
    expect(run('reconcile', 'report').code).toBe(2);
    const lenient = run('reconcile', 'run', broken, '--non-interactive', '--json');
    expect(lenient.code).toBe(3);
    expect(lenient.stderr).toMatch(/:3 net: /);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ file: { rowsRejected: 1 } });
  });

  it('report: JSON, and CSV neutralized against spreadsheet formulas, with who decided what', () => {
    const { file } = settle(days[0] as string, ['--inject-discrepancies', '2', '--seed', '9']);
    expect(run('reconcile', 'run', file, '--grace-days', '0', '--non-interactive').code).toBe(4);
    const item = openItems()[0] as OpenItem;
    expect(
      run('reconcile', 'decide', item.itemId, 'note', '--note', '=HYPERLINK("http://x","ask")')
        .code,
    ).toBe(0);
    expect(run('reconcile', 'decide', item.itemId, 'note').code).toBe(3); // a note says why
    const csv = run('reconcile', 'report', '--csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe(
      'section,run,name,class,currency,rows,records,items,amount,captures,fees,refunds,chargebacks,adjustments,rows_net,payout,difference,books,status,at,by,action,rule,note,linked_to,postings',
    );
    expect(csv.stdout).toContain(`"'=HYPERLINK(""http://x"",""ask"")"`);
    const report = JSON.parse(run('reconcile', 'report', '--json').stdout) as {
      decisions: { itemId: string; action: string; decidedBy: string }[];
      classes: unknown[];
    };
    expect(report.decisions).toEqual([
      expect.objectContaining({
        itemId: item.itemId,
        action: 'note',
        decidedBy: os.userInfo().username,
      }),
    ]);
    expect(run('reconcile', 'report', '--run', '9').code).toBe(2);
  });
});

function byReference(
  a: { class: string; reference: string | null },
  b: { class: string; reference: string | null },
): number {
  return `${a.class} ${a.reference}`.localeCompare(`${b.class} ${b.reference}`);
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDirPerTest } from '../helpers/cli.js';

const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');

interface RunJson {
  id: number;
  command: string;
  state: string;
  exitCode: number | null;
  osUser: string;
  host: string;
  argv: string[];
  inputs: { path: string; bytes: number; sha256: string }[];
  transactions: number;
  moved: {
    kind: string;
    transactions: number;
    amount: { amount: string; currency: string; amountMinor: string };
  }[];
}

describe('payops runs (end to end)', () => {
  const temp = tempDirPerTest('payops-runs-');
  const book = () => path.join(temp.dir, 'books.db');
  const run = (...args: string[]) => payops(['--db', book(), ...args], { cwd: temp.dir });
  const runs = () =>
    (JSON.parse(run('runs', 'list', '--json').stdout) as { dateBasis: string; runs: RunJson[] })
      .runs;

  it('records a pay-in run with its input digest, exit code and the money it captured, from the ledger', () => {
    expect(run('init').code).toBe(0);
    const payin = run('payin', 'run', DAY, '--json');
    expect(payin.code).toBe(0);
    expect(run('ledger', 'balance').code).toBe(0);
    const [recorded, ...others] = runs();
    expect(others).toEqual([]); // init and ledger balance are not runs
    expect(recorded).toMatchObject({ command: 'payin run', state: 'finished', exitCode: 0 });
    expect(recorded?.inputs).toEqual([
      {
        path: DAY,
        bytes: fs.statSync(DAY).size,
        sha256: crypto.createHash('sha256').update(fs.readFileSync(DAY)).digest('hex'),
      },
    ]);
    const summary = JSON.parse(payin.stdout) as {
      captured: { currency: string; amount: string }[];
    };
    const captures = recorded?.moved
      .filter((line) => line.kind === 'payin.capture')
      .map((line) => ({ currency: line.amount.currency, amount: line.amount.amount }));
    const byCurrency = (list: { currency: string }[] | undefined) =>
      [...(list ?? [])].sort((a, b) => a.currency.localeCompare(b.currency));
    expect(byCurrency(captures)).toEqual(
      byCurrency(summary.captured.map(({ currency, amount }) => ({ currency, amount }))),
    );

    const shown = run('runs', 'show', String(recorded?.id));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('payin run');
    expect(shown.stdout).toContain(recorded?.inputs[0]?.sha256);
    expect(shown.stdout).toMatch(/date basis: occurred/);
  });

  it('a dry run (reconcile run --dry-run, payout run --dry-run) is recorded with no money moved, and posts nothing', () => {
    expect(run('init').code).toBe(0);
    expect(run('payin', 'run', DAY).code).toBe(0);
    expect(
      run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'deliveries.ndjson')).code,
    ).not.toBe(1);
    const settlement = path.join(temp.dir, 'settlement.csv');
    expect(
      run('psp', 'settle', '--date', new Date().toISOString().slice(0, 10), '--out', settlement)
        .code,
    ).toBe(0);
    const transactions = () => {
      const db = new Sqlite(book(), { readonly: true });
      try {
        return db.prepare('SELECT COUNT(*) FROM ledger_transactions').pluck().get();
      } finally {
        db.close();
      }
    };
    const before = transactions();
    expect([0, 4]).toContain(
      run('reconcile', 'run', settlement, '--dry-run', '--non-interactive').code,
    );
    expect(run('payout', 'run', '--dry-run').code).toBe(0);
    expect(transactions()).toBe(before);
    const dryRuns = runs().filter((recorded) => recorded.argv.includes('--dry-run'));
    expect(dryRuns.map((recorded) => recorded.command).sort()).toEqual([
      'payout run',
      'reconcile run',
    ]);
    for (const recorded of dryRuns)
      expect(recorded).toMatchObject({ state: 'finished', transactions: 0, moved: [] });
  });

  it('a run killed in the middle stays visible as interrupted, with no exit code', () => {
    expect(run('init').code).toBe(0);
    const killed = payops(['--db', book(), 'payin', 'run', DAY], {
      cwd: temp.dir,
      env: { PAYOPS_FAILPOINTS: 'executor.after-record=1' },
    });
    expect(killed.code).not.toBe(0);
    const [recorded] = runs();
    expect(recorded).toMatchObject({ command: 'payin run', state: 'interrupted', exitCode: null });
    expect(recorded?.transactions).toBeGreaterThan(0);
    expect(run('runs', 'list').stdout).toMatch(/payin run\s+interrupted/);
  });

  it("keeps a failing run's exit code, and the command line without its secrets", () => {
    expect(run('init').code).toBe(0);
    const bad = path.join(temp.dir, 'bad.ndjson');
    fs.writeFileSync(bad, '{"type":"nonsense"}\n');
    const rejected = run(
      'payin',
      'run',
      bad,
      '--psp',
      'http',
      '--psp-url',
      'http://ops:hunter2@127.0.0.1:9',
    );
    expect(rejected.code).toBe(3);
    const [recorded] = runs();
    expect(recorded).toMatchObject({ command: 'payin run', state: 'finished', exitCode: 3 });
    expect(recorded?.inputs).toHaveLength(1);
    expect(JSON.stringify(recorded?.argv)).not.toContain('hunter2');
  });

  it('records no run for a command refused before it opens the book (the book stays as it was)', () => {
    expect(run('init').code).toBe(0);
    const refused = run('payin', 'run', DAY, '--psp-state', path.join(temp.dir, 'books.db'));
    expect(refused.code).toBe(2);
    expect(runs()).toEqual([]);
  });

  it('a run on a book that does not exist records nothing and creates no file', () => {
    const result = payops(['--db', path.join(temp.dir, 'typo.db'), 'payin', 'run', DAY], {
      cwd: temp.dir,
    });
    expect(result.code).toBe(2);
    expect(fs.readdirSync(temp.dir)).toEqual([]);
  });

  it('a failure to record is a warning on stderr: the money command still runs and keeps its exit code', () => {
    expect(run('init').code).toBe(0);
    const raw = new Sqlite(book());
    raw.exec(
      "CREATE TRIGGER runs_refused BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'runs table refused'); END",
    );
    raw.close();
    const payin = run('payin', 'run', DAY);
    expect(payin.code).toBe(0);
    expect(payin.stderr).toMatch(
      /^payops: warning: could not record the start of this run .*runs table refused; the command itself is not affected$/m,
    );
    expect(payin.stdout).toMatch(/captured/);
  });

  it('lists as CSV and filters by --since', () => {
    expect(run('init').code).toBe(0);
    expect(run('payout', 'run').code).toBe(0);
    const csv = run('runs', 'list', '--csv');
    expect(csv.stdout.split('\n')[0]).toBe(
      'run_id,command,state,exit_code,started_at,finished_at,os_user,host,kind,currency,transactions,amount',
    );
    expect(csv.stdout).toMatch(/^1,payout run,finished,0,/m);
    const future = run('runs', 'list', '--since', '2999-01-01');
    expect(future.stdout.trim()).toBe('no run matches the filter');
    expect(run('runs', 'show', '99').code).toBe(2);
  });
});

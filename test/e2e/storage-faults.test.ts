import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, payops, tempDir, unprivilegedUser } from '../helpers/cli.js';

/**
 * Storage faults through the real binary (DESIGN.md §9, issue #7): a database locked by another
 * writer, a read-only file or directory, a full disk, a database from a newer payops, a file that
 * is not a database. Each gives exactly one line on stderr naming the database and what to do,
 * and leaves the database intact: `PRAGMA integrity_check` ok and nothing half-written.
 */
const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');
const OPERATOR_ENTRIES = path.join(REPO_ROOT, 'fixtures', 'ledger', 'operator-entries.ndjson');

function expectOneLine(stderr: string, fragment: string | RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^payops: /);
  if (typeof fragment === 'string') expect(lines[0]).toContain(fragment);
  else expect(lines[0]).toMatch(fragment);
}

function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function inspect<T>(file: string, read: (db: Sqlite.Database) => T): T {
  const db = new Sqlite(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const integrity = (file: string) =>
  inspect(file, (db) => db.pragma('integrity_check', { simple: true }));
const count = (file: string, table: string) =>
  inspect(file, (db) => Number(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get()));

describe('storage faults (end to end)', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const run = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    payops([...args, '--db', db], { env });
  const ok = (args: readonly string[]) => {
    const result = run(args);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    ok(['init']);
  });
  afterEach(() => cleanup());

  describe('a database locked by another writer', () => {
    it('waits --busy-timeout, then says so in one line; nothing is written, and the command works once the lock is gone', () => {
      const holder = new Sqlite(db);
      holder.exec('BEGIN IMMEDIATE');
      try {
        for (const args of [
          ['--busy-timeout', '200', 'ledger', 'post', '--file', OPERATOR_ENTRIES],
          ['--busy-timeout', '200', 'payin', 'run', DAY],
        ]) {
          const result = run(args);
          expect(result.code).toBe(1);
          expectOneLine(
            result.stderr,
            `payops: database ${db} is locked by another process (wait for the other payops command to finish, or raise --busy-timeout)`,
          );
        }
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      expect(integrity(db)).toBe('ok');
      expect(count(db, 'ledger_transactions')).toBe(0);
      expect(count(db, 'events')).toBe(0);
      // The payment run stopped before charging anything: the PSP never saw a request.
      expect(fs.existsSync(path.join(dir, 'books.psp-sim.db'))).toBe(false);
      expect(ok(['ledger', 'post', '--file', OPERATOR_ENTRIES]).stdout).toBe(
        'posted 3 transactions\n',
      );
    });

    it('lets a reader through while a writer holds the lock (WAL)', () => {
      ok(['ledger', 'post', '--file', OPERATOR_ENTRIES]);
      const holder = new Sqlite(db);
      holder.exec('BEGIN IMMEDIATE');
      try {
        expect(run(['--busy-timeout', '0', 'ledger', 'balance', '--json']).code).toBe(0);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    });

    it('does its work when the other writer finishes within --busy-timeout', async () => {
      const holder = new Sqlite(db);
      holder.exec('BEGIN IMMEDIATE');
      const child = spawn(
        process.execPath,
        [BIN, '--busy-timeout', '60000', 'ledger', 'post', '--file', OPERATOR_ENTRIES, '--db', db],
        {
          env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '' },
        },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Give the command time to start and meet the lock; it waits whether or not it got there yet.
      await new Promise((resolve) => setTimeout(resolve, 500));
      holder.exec('COMMIT');
      holder.close();
      expect(await exited).toBe(0);
      expect(stdout).toBe('posted 3 transactions\n');
    });
  });

  describe('read-only storage', () => {
    it('a read-only database file: reports still work; a write is one line and the file is unchanged', () => {
      ok(['ledger', 'post', '--file', OPERATOR_ENTRIES]);
      const { user, own } = unprivilegedUser();
      own(dir, db);
      fs.chmodSync(db, 0o400);
      const before = digest(db);
      const as = (args: readonly string[]) => payops([...args, '--db', db], { user });

      const balance = as(['ledger', 'balance', '--json']);
      expect(balance.code, balance.stderr).toBe(0);
      expect(JSON.parse(balance.stdout)).toContainEqual({
        account: 'assets:bank:operating',
        balance: { amount: '49976.00', currency: 'USD', amountMinor: '4997600' },
      });
      expect(as(['ledger', 'verify']).code).toBe(0);

      const events = path.join(dir, 'day.ndjson');
      fs.copyFileSync(DAY, events);
      own(events);
      for (const args of [
        ['ledger', 'reverse', '--key', 'bank-charges-2026-11-23-again', '--reason', 'twice'],
        ['payin', 'run', events],
      ]) {
        const result = as(args);
        expect(result.code).toBe(1);
        expectOneLine(
          result.stderr,
          `payops: database ${db} cannot be written (SQLITE_READONLY) (check the file and directory permissions; nothing was changed)`,
        );
      }
      expect(digest(db)).toBe(before);
      fs.chmodSync(db, 0o600);
      expect(integrity(db)).toBe('ok');
      expect(count(db, 'ledger_transactions')).toBe(3);
    });

    it('a read-only directory: one line naming the directory as the problem; nothing changed', () => {
      const { user, own } = unprivilegedUser();
      own(dir, db);
      const before = digest(db);
      fs.chmodSync(dir, 0o500);
      try {
        for (const args of [
          ['ledger', 'post', '--file', OPERATOR_ENTRIES],
          ['ledger', 'balance'],
        ]) {
          const result = payops([...args, '--db', db], { user });
          expect(result.code).toBe(1);
          expectOneLine(
            result.stderr,
            `payops: database ${db} cannot be used: its directory cannot be written, and SQLite keeps its -wal and -shm files beside the database`,
          );
        }
        const fresh = payops(['init', '--db', path.join(dir, 'new.db')], { user });
        expect(fresh.code).toBe(1);
        expectOneLine(fresh.stderr, /^payops: cannot create database .*new\.db: EACCES/);
      } finally {
        fs.chmodSync(dir, 0o700);
      }
      expect(digest(db)).toBe(before);
      // The mark `init` wrote beside the book before the folder was made read-only; nothing new.
      expect(fs.readdirSync(dir).sort()).toEqual(['books.db', 'books.db.payops-mark']);
      expect(integrity(db)).toBe('ok');
    });
  });

  describe('a full disk (PAYOPS_TEST_MAX_PAGE_COUNT caps the database, as a full disk would)', () => {
    const pages = (file: string) =>
      inspect(file, (handle) => Number(handle.pragma('page_count', { simple: true })));
    const full =
      /^payops: database .* is full: the disk or the size limit was reached \(free disk space and run the command again; the last transaction was rolled back\)$/;

    it('ledger post: one line, nothing posted; the same file posts once there is room', () => {
      const file = path.join(dir, 'many.ndjson');
      const lines = Array.from({ length: 2_000 }, (_, i) =>
        JSON.stringify({
          idempotencyKey: `k-${i}`,
          description: `entry ${i}`,
          effectiveAt: '2026-11-23',
          entries: [
            { account: 'assets:bank:operating', currency: 'USD', debit: '1.00' },
            { account: 'equity:opening', currency: 'USD', credit: '1.00' },
          ],
        }),
      );
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const result = run(['ledger', 'post', '--file', file], {
        PAYOPS_TEST_MAX_PAGE_COUNT: String(pages(db) + 10),
      });
      expect(result.code).toBe(1);
      expectOneLine(result.stderr, full);
      expect(integrity(db)).toBe('ok');
      expect(count(db, 'ledger_transactions')).toBe(0);
      expect(ok(['ledger', 'post', '--file', file]).stdout).toBe('posted 2000 transactions\n');
      expect(ok(['ledger', 'verify']).stdout).toMatch(/^ledger OK/);
    });

    it('pay-in: wherever the disk fills (intake, claim, booking), one line; the next runs charge every order exactly once', () => {
      const base = pages(db);
      const outcomes = new Set<string>();
      // From too small to take the first batch of events to room for all of them but not for booking the charges.
      for (const extra of [5, 80, 150, 250]) {
        const copy = path.join(dir, `full-${extra}.db`);
        fs.copyFileSync(db, copy);
        const on = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
          payops([...args, '--db', copy], { env });
        const result = on(['payin', 'run', DAY, '--lease-ms', '1'], {
          PAYOPS_TEST_MAX_PAGE_COUNT: String(base + extra),
        });
        expect(result.code, result.stderr).toBe(1);
        expectOneLine(result.stderr, full);
        expect(integrity(copy)).toBe('ok');
        const statuses = inspect(
          copy,
          (handle) =>
            handle.prepare('SELECT status FROM orders GROUP BY status').pluck().all() as string[],
        );
        outcomes.add(statuses.join(',') || 'nothing');
        // What was committed holds together, even with charges made and not yet booked (those
        // orders wait in 'executing' for recovery, which `check` reports until it happens).
        expect(on(['ledger', 'verify']).code).toBe(0);

        // Room again: the file once more (its accepted events are duplicates), then the retry queue.
        expect([0, 6]).toContain(on(['payin', 'run', DAY]).code);
        expect(
          on(['retry', 'run', '--wait', '--retry-base-ms', '1', '--retry-cap-ms', '5']).code,
        ).toBe(0);
        const check = on(['check', '--json']);
        expect(check.code, check.stdout).toBe(0);
        expect(count(copy, 'orders')).toBe(597);
        expect(
          inspect(copy, (handle) =>
            handle
              .prepare("SELECT COUNT(*) FROM orders WHERE status NOT IN ('succeeded', 'failed')")
              .pluck()
              .get(),
          ),
        ).toBe(0);
        const psp = new Sqlite(path.join(dir, `full-${extra}.psp-sim.db`), { readonly: true });
        // Retried keys were sent again (that is the protocol); each order was charged once.
        expect(
          psp
            .prepare(
              'SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM sim_charges GROUP BY merchant_reference)',
            )
            .pluck()
            .get(),
        ).toBe(1);
        expect(psp.prepare('SELECT COUNT(*) FROM sim_charges').pluck().get()).toBe(597);
        psp.close();
      }
      // The caps above stop the run in intake (nothing, or some orders created) and after the
      // PSP answered (orders charged, still executing): both ends of the protocol were hit.
      expect(outcomes.has('nothing') || outcomes.has('created')).toBe(true);
      expect(outcomes.has('executing')).toBe(true);
    });

    it('refuses a cap that is not a whole number, rather than ignore it', () => {
      const result = run(['ledger', 'balance'], { PAYOPS_TEST_MAX_PAGE_COUNT: 'lots' });
      expect(result.code).toBe(2);
      expectOneLine(
        result.stderr,
        'PAYOPS_TEST_MAX_PAGE_COUNT: "lots" is not a whole number of pages',
      );
    });
  });

  describe('a database payops cannot use', () => {
    it('from a newer payops: every command refuses it in one line and leaves every byte as it was', () => {
      inspect(db, (handle) => handle.pragma('user_version = 99'));
      const before = digest(db);
      for (const args of [
        ['init'],
        ['ledger', 'balance'],
        ['ledger', 'post', '--file', OPERATOR_ENTRIES],
        ['payin', 'run', DAY],
        ['check'],
      ]) {
        const result = run(args);
        expect(result.code, args.join(' ')).toBe(1);
        expectOneLine(
          result.stderr,
          `payops: database ${db} has schema version 99, newer than this payops understands`,
        );
      }
      expect(digest(db)).toBe(before);
      expect(fs.existsSync(path.join(dir, 'books.psp-sim.db'))).toBe(false);
    });

    it('a file that is not a database: one line, the file untouched', () => {
      fs.writeFileSync(db, 'this is a spreadsheet, not a database\n'.repeat(200));
      const before = digest(db);
      for (const args of [['init'], ['ledger', 'balance'], ['payin', 'run', DAY]]) {
        const result = run(args);
        expect(result.code).toBe(1);
        expectOneLine(
          result.stderr,
          `payops: ${db} is not a usable payops database (SQLITE_NOTADB)`,
        );
      }
      expect(digest(db)).toBe(before);
    });
  });
});

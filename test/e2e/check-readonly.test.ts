import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDir, unprivilegedUser } from '../helpers/cli.js';

/**
 * Issue 17 item 3 (DESIGN §10: the auditor reads through a read-only store): `payops check` opens
 * the books read-only. It must still check a book just closed (no -wal or -shm beside it yet), a
 * book whose file is read-only, and a book another process is writing, with the same results and
 * exit codes as before, and it writes not a byte of the book.
 */
const SMALL = path.join(REPO_ROOT, 'fixtures', 'events', 'small.json');

interface CheckJson {
  ok: boolean;
  results: { name: string; ok: boolean; details: string[] }[];
}

function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('payops check reads the books through a read-only connection', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-check-ro-'));
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(payops(['payin', 'run', SMALL, '--db', db]).code).toBe(0);
  });
  afterEach(() => cleanup());

  const check = (options: Parameters<typeof payops>[1] = {}) => {
    const result = payops(['check', '--json', '--db', db], options);
    return {
      code: result.code,
      stderr: result.stderr,
      report: JSON.parse(result.stdout) as CheckJson,
    };
  };

  it('a book just closed (no -wal, no -shm): every check runs and passes, the book is unchanged, writers carry on', () => {
    expect(fs.existsSync(`${db}-wal`)).toBe(false);
    const before = digest(db);
    const { code, stderr, report } = check();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.results.length).toBeGreaterThan(10);
    expect(digest(db)).toBe(before);
    // A writer after it opens, writes and closes as ever (the -wal and -shm it left are reused).
    expect(payops(['payin', 'run', SMALL, '--db', db]).code).toBe(0);
    expect(check().code).toBe(0);
  });

  it('a read-only book file: the same results as a writable one', () => {
    const writable = check().report;
    const { user, own } = unprivilegedUser();
    own(dir, ...fs.readdirSync(dir).map((name) => path.join(dir, name)));
    fs.chmodSync(db, 0o400);
    const before = digest(db);
    const readOnly = check({ user });
    expect(readOnly.stderr).toBe('');
    expect(readOnly.code).toBe(0);
    expect(readOnly.report).toEqual(writable);
    expect(digest(db)).toBe(before);
  });

  it('a book another process is writing: check sees what is committed, is not held up, and fails as before on a committed error (exit 5)', () => {
    const writer = new Sqlite(db);
    try {
      writer.pragma('busy_timeout = 5000');
      writer.exec('BEGIN IMMEDIATE');
      // Uncommitted: a wallet that no longer equals the ledger. Check reads the committed book.
      writer.exec('UPDATE wallets SET payable_minor = payable_minor + 1');
      const during = check();
      expect(during.stderr).toBe('');
      expect(during.code).toBe(0);
      expect(during.report.ok).toBe(true);
      writer.exec('COMMIT');
      // Committed, the same difference fails the wallet check with exit 5, as with a writable connection.
      const after = check();
      expect(after.code).toBe(5); // an InvariantError, as ever
      expect(after.report.ok).toBe(false);
      expect(after.report.results.find((result) => !result.ok)?.name).toMatch(/wallets/);
    } finally {
      writer.close();
    }
  });
});

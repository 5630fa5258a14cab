import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import { snapshot } from '../corpus/harness.js';

/**
 * Issue 14 item 4: every file payops writes (rejects, ledger export, psp settle --out and
 * --manifest, webhooks listen --record) refuses a path that is the books, their -wal/-shm, the
 * PSP state file or an input of the same command, and never follows a symlink there. Each case
 * checks the book's and the PSP state's bytes afterwards, not only the exit code.
 */
const SMALL = path.join(REPO_ROOT, 'fixtures', 'events', 'small.json');
const BAD = path.join(REPO_ROOT, 'fixtures', 'events', 'bad-lines.ndjson');

const sha256 = (file: string): string =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/**
 * The book's every table but `runs`, digested, and its integrity: a refused command that had
 * opened the book is recorded as a run (with its exit code 2), and nothing else may change.
 */
const bookDigest = (file: string): string =>
  JSON.stringify(snapshot(file, 'SELECT order_id FROM orders'));

describe('output paths never destroy the books, the PSP state or an input (issue 14 item 4)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let state: string;
  let input: string;
  let before: { db: string; state: string; input: string };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('payops-paths-'));
    db = path.join(dir, 'books.db');
    state = path.join(dir, 'books.psp-sim.db');
    input = path.join(dir, 'day.ndjson');
    fs.copyFileSync(BAD, input);
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(payops(['payin', 'run', SMALL, '--db', db, '--seed', '1']).code).toBe(0);
    // A sibling of the book with a -wal name of its own, so the -wal case is a real file.
    before = { db: bookDigest(db), state: sha256(state), input: sha256(input) };
  });
  afterAll(() => cleanup());

  const expectUntouched = (): void => {
    expect(bookDigest(db)).toBe(before.db);
    expect(sha256(state)).toBe(before.state);
    expect(sha256(input)).toBe(before.input);
    expect(fs.lstatSync(db).isFile()).toBe(true);
  };
  const expectRefused = (
    result: { code: number; stdout: string; stderr: string },
    fragment: RegExp,
  ): void => {
    expect(result.stderr).toMatch(fragment);
    expect(result.stderr.trim().split('\n')[0]).toMatch(/^payops: /);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(result.code).toBe(2);
    expectUntouched();
  };
  const symlinkTo = (target: string, name: string): string => {
    const link = path.join(dir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
    return link;
  };

  describe('payin run: the rejects file', () => {
    it('a symlink <input>.rejects.ndjson -> books.db is refused, the book is unchanged', () => {
      const link = symlinkTo(db, 'day.ndjson.rejects.ndjson');
      expectRefused(
        payops(['payin', 'run', input, '--db', db]),
        /day\.ndjson\.rejects\.ndjson is the database/,
      );
      fs.rmSync(link);
    });

    it('--rejects books.db is refused before anything is read', () => {
      expectRefused(
        payops(['payin', 'run', input, '--rejects', db, '--db', db]),
        /--rejects .*books\.db is the database/,
      );
    });

    it('--rejects books.db-wal and books.db-shm are refused', () => {
      expectRefused(
        payops(['payin', 'run', input, '--rejects', `${db}-wal`, '--db', db]),
        /books\.db-wal is the database's -wal file/,
      );
      expectRefused(
        payops(['payin', 'run', input, '--rejects', `${db}-shm`, '--db', db]),
        /books\.db-shm is the database's -shm file/,
      );
    });

    it("--rejects the book's high-water mark is refused, the mark unchanged", () => {
      const mark = `${db}.payops-mark`;
      expect(fs.existsSync(mark)).toBe(true);
      const markBefore = sha256(mark);
      expectRefused(
        payops(['payin', 'run', input, '--rejects', mark, '--db', db]),
        /books\.db\.payops-mark is the book's high-water mark/,
      );
      expect(sha256(mark)).toBe(markBefore);
    });

    it('--psp-state books.db (or its -wal) is refused before any event is read', () => {
      expectRefused(
        payops(['payin', 'run', SMALL, '--psp-state', db, '--db', db]),
        /--psp-state .*books\.db is the database/,
      );
      expectRefused(
        payops(['payin', 'run', SMALL, '--psp-state', `${db}-wal`, '--db', db]),
        /books\.db-wal is the database's -wal file/,
      );
    });

    it('--rejects <the input file> is refused', () => {
      expectRefused(
        payops(['payin', 'run', input, '--rejects', input, '--db', db]),
        /day\.ndjson is an input of this command/,
      );
    });

    it('--rejects <the PSP state file> is refused', () => {
      expectRefused(
        payops(['payin', 'run', input, '--rejects', state, '--db', db]),
        /books\.psp-sim\.db is the PSP state file/,
      );
    });

    it('--rejects through a symlinked folder to the book is refused', () => {
      const folder = symlinkTo(dir, 'same-folder');
      expectRefused(
        payops(['payin', 'run', input, '--rejects', path.join(folder, 'books.db'), '--db', db]),
        /is the database/,
      );
      fs.rmSync(folder);
    });

    it('a symlink at the rejects path that points elsewhere is replaced, never followed', () => {
      const elsewhere = path.join(dir, 'elsewhere.txt');
      fs.writeFileSync(elsewhere, 'keep me\n');
      const link = symlinkTo(elsewhere, 'other.rejects.ndjson');
      const result = payops(['payin', 'run', input, '--rejects', link, '--db', db]);
      expect(result.code).toBe(3);
      expect(fs.readFileSync(elsewhere, 'utf8')).toBe('keep me\n');
      expect(fs.lstatSync(link).isFile()).toBe(true);
      expect(fs.readFileSync(link, 'utf8')).toContain('"field"');
      before = { db: bookDigest(db), state: sha256(state), input: sha256(input) };
      expectCheckPasses(db);
    });
  });

  describe('ledger export --out', () => {
    it('--out books.db is refused and the book is unchanged', () => {
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', db, '--db', db]),
        /--out .*books\.db is the database/,
      );
    });

    it('--out a symlink to the book, or its -wal, is refused', () => {
      symlinkTo(db, 'export.csv');
      expectRefused(
        payops([
          'ledger',
          'export',
          '--format',
          'csv',
          '--out',
          path.join(dir, 'export.csv'),
          '--db',
          db,
        ]),
        /export\.csv is the database/,
      );
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', `${db}-wal`, '--db', db]),
        /-wal file/,
      );
      fs.rmSync(path.join(dir, 'export.csv'));
    });

    it('--out the PSP state file is refused', () => {
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', state, '--db', db]),
        /is the PSP state file/,
      );
    });
  });

  describe('psp settle --out and --manifest', () => {
    const settle = (...args: string[]) =>
      payops(['psp', 'settle', '--date', '2026-11-23', ...args, '--db', db]);

    it('--out books.db, the PSP state or its -wal is refused', () => {
      expectRefused(settle('--out', db), /--out .*books\.db is the database/);
      expectRefused(settle('--out', state), /is the PSP state file/);
      expectRefused(settle('--out', `${state}-wal`), /the PSP state file's -wal file/);
    });

    it('--manifest books.db, or a symlink to it, is refused', () => {
      expectRefused(
        settle('--out', path.join(dir, 'day.csv'), '--manifest', db),
        /--manifest .*books\.db is the database/,
      );
      const link = symlinkTo(db, 'day.manifest.json');
      expectRefused(
        settle('--out', path.join(dir, 'day.csv'), '--manifest', link),
        /day\.manifest\.json is the database/,
      );
      fs.rmSync(link);
    });

    it('--manifest the same file as --out is refused', () => {
      const out = path.join(dir, 'same.csv');
      expectRefused(
        settle('--out', out, '--manifest', out),
        /same\.csv is also the --(out|manifest) file/,
      );
    });
  });

  describe('bank statement --out and --manifest (issue 16)', () => {
    const statement = (...args: string[]) =>
      payops([
        'bank',
        'statement',
        '--date',
        '2026-11-24',
        '--format',
        'camt053',
        ...args,
        '--db',
        db,
      ]);

    it('--out books.db, the PSP state or its -wal is refused', () => {
      expectRefused(statement('--out', db), /--out .*books\.db is the database/);
      expectRefused(statement('--out', state), /is the PSP state file/);
      expectRefused(statement('--out', `${state}-wal`), /the PSP state file's -wal file/);
    });

    it('--manifest books.db, a symlink to it, or the --out file is refused', () => {
      expectRefused(
        statement('--out', path.join(dir, 'day.xml'), '--manifest', db),
        /--manifest .*books\.db is the database/,
      );
      const link = symlinkTo(db, 'bank.manifest.json');
      expectRefused(
        statement('--out', path.join(dir, 'day.xml'), '--manifest', link),
        /bank\.manifest\.json is the database/,
      );
      fs.rmSync(link);
      const out = path.join(dir, 'same.xml');
      expectRefused(
        statement('--out', out, '--manifest', out),
        /same\.xml is also the --(out|manifest) file/,
      );
    });
  });

  describe('a symlinked --db: the files beside the real book are protected too (issue 14 review, item 2)', () => {
    it('--db link.db --rejects books.db-wal is refused (exit 2), a kill after a record loses nothing', () => {
      const link = symlinkTo(db, 'link.db');
      const result = payops(['payin', 'run', input, '--db', link, '--rejects', `${db}-wal`], {
        env: { PAYOPS_FAILPOINTS: 'executor.after-record=1' },
      });
      expectRefused(result, /books\.db-wal is the database's -wal file/);
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', `${db}.payops-mark`, '--db', link]),
        /books\.db\.payops-mark is the book's high-water mark/,
      );
      fs.rmSync(link);
      expectCheckPasses(db);
    });

    it('--psp-state link.db, a symlink to the PSP state: its -wal beside the real file is refused', () => {
      const link = symlinkTo(state, 'state-link.db');
      expectRefused(
        payops([
          'payin',
          'run',
          input,
          '--psp-state',
          link,
          '--rejects',
          `${state}-wal`,
          '--db',
          db,
        ]),
        /books\.psp-sim\.db-wal is the PSP state file's -wal file/,
      );
      fs.rmSync(link);
    });
  });

  describe('outputs never replace another SQLite database or a high-water mark (issue 14 review, item 7)', () => {
    const otherBook = (name: string): { file: string; sha: string } => {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) expect(payops(['init', '--db', file]).code).toBe(0);
      return { file, sha: sha256(file) };
    };

    it('ledger export --out <a backup of a book> is refused, the backup unchanged', () => {
      const backup = path.join(dir, 'backup.db');
      fs.copyFileSync(db, backup);
      const sha = sha256(backup);
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', backup, '--db', db]),
        /--out .*backup\.db is an SQLite database/,
      );
      expect(sha256(backup)).toBe(sha);
    });

    it('payin run --rejects <another book> is refused before any event is charged', () => {
      const other = otherBook('base.db');
      expectRefused(
        payops(['payin', 'run', input, '--rejects', other.file, '--db', db]),
        /--rejects .*base\.db is an SQLite database/,
      );
      expect(sha256(other.file)).toBe(other.sha);
    });

    it('ledger export --out <a PSP state file of another book> is refused', () => {
      const psp = path.join(dir, 'psp.db');
      fs.copyFileSync(state, psp);
      const sha = sha256(psp);
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', psp, '--db', db]),
        /psp\.db is an SQLite database/,
      );
      expect(sha256(psp)).toBe(sha);
    });

    it("psp settle --out and --manifest, webhooks listen --record: another program's database is refused", () => {
      const foreign = path.join(dir, 'foreign.sqlite');
      const handle = new Sqlite(foreign);
      handle.exec('CREATE TABLE people (name TEXT)');
      handle.close();
      const sha = sha256(foreign);
      const settle = (...args: string[]) =>
        payops(['psp', 'settle', '--date', '2026-11-23', ...args, '--db', db]);
      expectRefused(settle('--out', foreign), /foreign\.sqlite is an SQLite database/);
      expectRefused(
        settle('--out', path.join(dir, 'day.csv'), '--manifest', foreign),
        /--manifest .*foreign\.sqlite is an SQLite database/,
      );
      const result = spawnSync(
        process.execPath,
        [BIN, 'webhooks', 'listen', '--port', '0', '--record', foreign, '--db', db],
        {
          encoding: 'utf8',
          timeout: 20_000,
          env: {
            ...process.env,
            NO_COLOR: '1',
            PAYOPS_DB: '',
            PAYOPS_WEBHOOK_SECRET: 'whsec_paths_test_secret_0123456789',
          },
        },
      );
      expectRefused(
        { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr },
        /--record .*foreign\.sqlite is an SQLite database/,
      );
      expect(sha256(foreign)).toBe(sha);
    });

    it("any *.payops-mark file, another book's mark included, is refused", () => {
      const other = otherBook('marked.db');
      expect(payops(['payin', 'run', SMALL, '--db', other.file, '--seed', '1']).code).toBe(0);
      const mark = `${other.file}.payops-mark`;
      expect(fs.existsSync(mark)).toBe(true);
      const sha = sha256(mark);
      expectRefused(
        payops(['ledger', 'export', '--format', 'csv', '--out', mark, '--db', db]),
        /marked\.db\.payops-mark is a book's high-water mark/,
      );
      expectRefused(
        payops(['payin', 'run', input, '--rejects', mark, '--db', db]),
        /marked\.db\.payops-mark is a book's high-water mark/,
      );
      expect(sha256(mark)).toBe(sha);
    });
  });

  describe('webhooks listen --record', () => {
    it('--record books.db is refused before it listens', () => {
      const result = spawnSync(
        process.execPath,
        [BIN, 'webhooks', 'listen', '--port', '0', '--record', db, '--db', db],
        {
          encoding: 'utf8',
          timeout: 20_000,
          env: {
            ...process.env,
            NO_COLOR: '1',
            PAYOPS_DB: '',
            PAYOPS_WEBHOOK_SECRET: 'whsec_paths_test_secret_0123456789',
          },
        },
      );
      expectRefused(
        { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr },
        /--record .*books\.db is the database/,
      );
    });
  });
});

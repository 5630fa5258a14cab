import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';

/**
 * Issue 14 item 4: every file payops writes (rejects, ledger export, psp settle --out and
 * --manifest, webhooks listen --record) refuses a path that is the books, their -wal/-shm, the
 * PSP state file or an input of the same command, and never follows a symlink there. Each case
 * checks the book's and the PSP state's bytes afterwards, not only the exit code.
 */
const SMALL = path.join(REPO_ROOT, 'fixtures', 'events', 'small.json');
const BAD = path.join(REPO_ROOT, 'fixtures', 'events', 'bad-lines.ndjson');

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

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
    before = { db: sha256(db), state: sha256(state), input: sha256(input) };
  });
  afterAll(() => cleanup());

  const expectUntouched = (): void => {
    expect(sha256(db)).toBe(before.db);
    expect(sha256(state)).toBe(before.state);
    expect(sha256(input)).toBe(before.input);
    expect(fs.lstatSync(db).isFile()).toBe(true);
  };
  const expectRefused = (result: { code: number; stdout: string; stderr: string }, fragment: RegExp): void => {
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
      expectRefused(payops(['payin', 'run', input, '--db', db]), /day\.ndjson\.rejects\.ndjson is the database/);
      fs.rmSync(link);
    });

    it('--rejects books.db is refused before anything is read', () => {
      expectRefused(payops(['payin', 'run', input, '--rejects', db, '--db', db]), /--rejects .*books\.db is the database/);
    });

    it('--rejects books.db-wal and books.db-shm are refused', () => {
      expectRefused(payops(['payin', 'run', input, '--rejects', `${db}-wal`, '--db', db]), /books\.db-wal is the database's -wal file/);
      expectRefused(payops(['payin', 'run', input, '--rejects', `${db}-shm`, '--db', db]), /books\.db-shm is the database's -shm file/);
    });

    it('--rejects the book\'s high-water mark is refused, the mark unchanged', () => {
      const mark = `${db}.payops-mark`;
      expect(fs.existsSync(mark)).toBe(true);
      const markBefore = sha256(mark);
      expectRefused(payops(['payin', 'run', input, '--rejects', mark, '--db', db]), /books\.db\.payops-mark is the book's high-water mark/);
      expect(sha256(mark)).toBe(markBefore);
    });

    it('--psp-state books.db (or its -wal) is refused before any event is read', () => {
      expectRefused(payops(['payin', 'run', SMALL, '--psp-state', db, '--db', db]), /--psp-state .*books\.db is the database/);
      expectRefused(payops(['payin', 'run', SMALL, '--psp-state', `${db}-wal`, '--db', db]), /books\.db-wal is the database's -wal file/);
    });

    it('--rejects <the input file> is refused', () => {
      expectRefused(payops(['payin', 'run', input, '--rejects', input, '--db', db]), /day\.ndjson is an input of this command/);
    });

    it('--rejects <the PSP state file> is refused', () => {
      expectRefused(payops(['payin', 'run', input, '--rejects', state, '--db', db]), /books\.psp-sim\.db is the PSP state file/);
    });

    it('--rejects through a symlinked folder to the book is refused', () => {
      const folder = symlinkTo(dir, 'same-folder');
      expectRefused(payops(['payin', 'run', input, '--rejects', path.join(folder, 'books.db'), '--db', db]), /is the database/);
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
      before = { db: sha256(db), state: sha256(state), input: sha256(input) };
      expectCheckPasses(db);
    });
  });

  describe('ledger export --out', () => {
    it('--out books.db is refused and the book is unchanged', () => {
      expectRefused(payops(['ledger', 'export', '--format', 'csv', '--out', db, '--db', db]), /--out .*books\.db is the database/);
    });

    it('--out a symlink to the book, or its -wal, is refused', () => {
      symlinkTo(db, 'export.csv');
      expectRefused(payops(['ledger', 'export', '--format', 'csv', '--out', path.join(dir, 'export.csv'), '--db', db]), /export\.csv is the database/);
      expectRefused(payops(['ledger', 'export', '--format', 'csv', '--out', `${db}-wal`, '--db', db]), /-wal file/);
      fs.rmSync(path.join(dir, 'export.csv'));
    });

    it('--out the PSP state file is refused', () => {
      expectRefused(payops(['ledger', 'export', '--format', 'csv', '--out', state, '--db', db]), /is the PSP state file/);
    });
  });

  describe('psp settle --out and --manifest', () => {
    const settle = (...args: string[]) => payops(['psp', 'settle', '--date', '2026-11-23', ...args, '--db', db]);

    it('--out books.db, the PSP state or its -wal is refused', () => {
      expectRefused(settle('--out', db), /--out .*books\.db is the database/);
      expectRefused(settle('--out', state), /is the PSP state file/);
      expectRefused(settle('--out', `${state}-wal`), /the PSP state file's -wal file/);
    });

    it('--manifest books.db, or a symlink to it, is refused', () => {
      expectRefused(settle('--out', path.join(dir, 'day.csv'), '--manifest', db), /--manifest .*books\.db is the database/);
      const link = symlinkTo(db, 'day.manifest.json');
      expectRefused(settle('--out', path.join(dir, 'day.csv'), '--manifest', link), /day\.manifest\.json is the database/);
      fs.rmSync(link);
    });

    it('--manifest the same file as --out is refused', () => {
      const out = path.join(dir, 'same.csv');
      expectRefused(settle('--out', out, '--manifest', out), /same\.csv is also the --(out|manifest) file/);
    });
  });

  describe('webhooks listen --record', () => {
    it('--record books.db is refused before it listens', () => {
      const result = spawnSync(process.execPath, [BIN, 'webhooks', 'listen', '--port', '0', '--record', db, '--db', db], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '', PAYOPS_WEBHOOK_SECRET: 'whsec_paths_test_secret_0123456789' },
      });
      expectRefused({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }, /--record .*books\.db is the database/);
    });
  });
});

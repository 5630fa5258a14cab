import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/cli.js';
import { DEFAULT_BUSY_TIMEOUT_MS, SCHEMA_VERSION } from '../../src/db/index.js';
import { REPO_ROOT, payops, tempDirPerTest } from '../helpers/cli.js';

describe('payops command line', () => {
  const temp = tempDirPerTest();

  it('prints its version, the one in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    expect(payops(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('shows usage with examples and the exit codes', () => {
    const result = payops(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: payops/);
    expect(result.stdout).toMatch(/Examples:/);
    expect(result.stdout).toMatch(/Exit codes:/);
  });

  it('offers --busy-timeout with the default the database really uses', () => {
    expect(payops(['--help']).stdout).toMatch(
      new RegExp(`--busy-timeout <ms>[\\s\\S]*\\(default ${DEFAULT_BUSY_TIMEOUT_MS}\\)`),
    );
  });

  it.each([
    ['init'],
    ['demo'],
    ['ledger'],
    ['ledger', 'post'],
    ['ledger', 'balance'],
    ['ledger', 'history'],
    ['ledger', 'tx'],
    ['ledger', 'accounts'],
    ['ledger', 'verify'],
    ['ledger', 'export'],
    ['ledger', 'reverse'],
    ['psp', 'serve'],
    ['webhooks', 'listen'],
    ['webhooks', 'replay'],
    ['bank', 'statement'],
  ])('gives `%s` a help page with an example', (...command) => {
    const result = payops([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n\s+\$ payops/);
  });

  it('exits 2 on an unknown command or a bad flag value', () => {
    expect(payops(['nope']).code).toBe(2);
    const db = path.join(temp.dir, 'x.db');
    payops(['init', '--db', db]);
    const bad = payops(['ledger', 'balance', '--depth', 'two', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--depth.*whole number/);
  });

  it('refuses to run on a database that does not exist, and says how to create one', () => {
    const db = path.join(temp.dir, 'missing.db');
    const result = payops(['ledger', 'balance', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `payops: database ${db} does not exist (create it with \`payops init --db ${db}\`, or pass --db / set PAYOPS_DB to an existing one)\n`,
    );
    expect(fs.existsSync(db)).toBe(false);
  });

  it('creates the database readable by its owner only, and init again is harmless', () => {
    const db = path.join(temp.dir, 'books.db');
    expect(payops(['init', '--db', db])).toMatchObject({
      code: 0,
      stdout: `created ${db} at schema version ${SCHEMA_VERSION}\n`,
    });
    expect(fs.statSync(db).mode & 0o777).toBe(0o600);
    expect(payops(['init', '--db', db])).toMatchObject({
      code: 0,
      stdout: `database ${db} at schema version ${SCHEMA_VERSION}\n`,
    });
  });

  it('takes the database from PAYOPS_DB, and --db over it', () => {
    const fromEnv = path.join(temp.dir, 'env.db');
    expect(payops(['init'], { env: { PAYOPS_DB: fromEnv } }).code).toBe(0);
    expect(fs.existsSync(fromEnv)).toBe(true);
    const fromFlag = path.join(temp.dir, 'flag.db');
    expect(payops(['init', '--db', fromFlag], { env: { PAYOPS_DB: fromEnv } }).code).toBe(0);
    expect(fs.existsSync(fromFlag)).toBe(true);
  });

  it('defaults to ./payops.db in the working directory', () => {
    expect(payops(['init'], { cwd: temp.dir }).code).toBe(0);
    expect(fs.existsSync(path.join(temp.dir, 'payops.db'))).toBe(true);
  });

  it('refuses a database from a newer payops without touching it', async () => {
    const db = path.join(temp.dir, 'future.db');
    payops(['init', '--db', db]);
    const { default: Sqlite } = await import('better-sqlite3');
    const raw = new Sqlite(db);
    raw.pragma('user_version = 99');
    raw.close();
    const result = payops(['ledger', 'balance', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `schema version 99, newer than this payops understands (${SCHEMA_VERSION})`,
    );
    const check = new Sqlite(db);
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    check.close();
  });

  it('prints one line for an actionable error, and the stack only with --verbose', () => {
    const db = path.join(temp.dir, 'x.db');
    payops(['init', '--db', db]);
    const quiet = payops(['ledger', 'tx', '7', '--db', db]);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr.trim().split('\n')).toHaveLength(1);
    expect(quiet.stderr).toMatch(/^payops: transaction 7 does not exist/);
    const verbose = payops(['--verbose', 'ledger', 'tx', '7', '--db', db]);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('never colours output when NO_COLOR is set or stdout is not a terminal', () => {
    const result = payops(['--help'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });
});

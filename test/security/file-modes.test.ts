import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';
import { startServer, stopAllServers } from '../helpers/servers.js';

/**
 * Every file payops writes holds money data or names people, so it is created readable by its
 * owner only (0600), whatever the umask: each writer is tested under umask 000, which would leave
 * a file created without an explicit mode world-readable. The writers: the database (and its
 * -wal, -shm), the simulated PSP's state (in process, or `psp serve --state`), rejects files,
 * exports, `psp settle`'s settlement file and manifest, `webhooks listen --record`.
 */
const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('files payops writes are 0600 under any umask', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  let umask: number;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  /** A book with today's charges through the simulated PSP: what psp settle writes a file from. */
  const chargeSmallDay = () => {
    expect(run('init').code).toBe(0);
    const input = path.join(dir, 'events.json');
    fs.copyFileSync(path.join(REPO_ROOT, 'fixtures', 'events', 'small.json'), input);
    expect(run('payin', 'run', input).code).toBe(0);
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    umask = process.umask(0o000);
  });
  afterEach(async () => {
    process.umask(umask);
    await stopAllServers();
    cleanup();
  });

  it('the database, and its -wal and -shm files while it is open', () => {
    expect(run('init').code).toBe(0);
    expect(mode(db)).toBe('600');
    const open = openDatabase(db);
    try {
      open.prepare('SELECT COUNT(*) FROM ledger_transactions').get();
      expect(mode(`${db}-wal`)).toBe('600');
      expect(mode(`${db}-shm`)).toBe('600');
    } finally {
      open.close();
    }
  });

  it("the simulated PSP's state and the rejects file, even one that existed world-readable", () => {
    expect(run('init').code).toBe(0);
    const input = path.join(dir, 'events.ndjson');
    fs.copyFileSync(path.join(REPO_ROOT, 'fixtures', 'events', 'bad-lines.ndjson'), input);
    fs.writeFileSync(`${input}.rejects.ndjson`, 'an older run\n', { mode: 0o644 });
    expect(mode(`${input}.rejects.ndjson`)).toBe('644');
    expect(run('payin', 'run', input).code).toBe(3);
    expect(mode(`${input}.rejects.ndjson`)).toBe('600');
    expect(mode(path.join(dir, 'books.psp-sim.db'))).toBe('600');
    const chosen = path.join(dir, 'chosen-rejects.ndjson');
    expect(run('payin', 'run', input, '--rejects', chosen).code).toBe(3);
    expect(mode(chosen)).toBe('600');
  });

  it('every export format written with --out, replacing a world-readable file, leaving no partial file', () => {
    expect(run('init').code).toBe(0);
    expect(
      run(
        'ledger',
        'post',
        '--file',
        path.join(REPO_ROOT, 'fixtures', 'ledger', 'operator-entries.ndjson'),
      ).code,
    ).toBe(0);
    for (const format of ['hledger', 'beancount', 'csv']) {
      const out = path.join(dir, `books.${format}`);
      fs.writeFileSync(out, 'stale\n', { mode: 0o644 });
      const result = run('ledger', 'export', '--format', format, '--out', out);
      expect(result.code, result.stderr).toBe(0);
      expect(mode(out)).toBe('600');
      expect(fs.readFileSync(out, 'utf8')).not.toContain('stale');
    }
    expect(fs.readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('the settlement file and manifest of psp settle, replacing world-readable ones', () => {
    chargeSmallDay();
    const settlement = path.join(dir, 'day.csv');
    const manifest = path.join(dir, 'day.json');
    for (const file of [settlement, manifest]) fs.writeFileSync(file, 'stale\n', { mode: 0o644 });
    const result = run(
      'psp',
      'settle',
      '--date',
      new Date().toISOString().slice(0, 10),
      '--out',
      settlement,
      '--manifest',
      manifest,
      '--inject-discrepancies',
      '2',
    );
    expect(result.code, result.stderr).toBe(0);
    expect([mode(settlement), mode(manifest)]).toEqual(['600', '600']);
    expect(fs.readFileSync(settlement, 'utf8')).toMatch(/^record_type,/);
    expect(fs.readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('psp settle writes nothing when its manifest cannot be written', () => {
    chargeSmallDay();
    const settlement = path.join(dir, 'day.csv');
    const result = run(
      'psp',
      'settle',
      '--date',
      new Date().toISOString().slice(0, 10),
      '--out',
      settlement,
      '--manifest',
      path.join(dir, 'missing', 'day.json'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write .*missing\/day\.json: ENOENT/);
    expect(fs.existsSync(settlement)).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it("the http PSP's state file and the webhook record, even a record that existed world-readable", async () => {
    expect(run('init').code).toBe(0);
    const record = path.join(dir, 'deliveries.ndjson');
    fs.writeFileSync(record, '', { mode: 0o644 });
    const state = path.join(dir, 'psp.db');
    // Started under this test's umask 000: a file created without an explicit mode would be 0666.
    const listener = await startServer(['webhooks', 'listen', '--db', db, '--record', record], {
      PAYOPS_WEBHOOK_SECRET: 'whsec_file_modes_0123456789',
    });
    const psp = await startServer(['psp', 'serve', '--state', state]);
    try {
      expect(mode(record)).toBe('600');
      expect(mode(state)).toBe('600');
    } finally {
      await psp.stop();
      await listener.stop();
    }
  });

  it('a failed export leaves neither a partial file nor the one it would have replaced changed', () => {
    expect(run('init').code).toBe(0);
    const out = path.join(dir, 'books.journal');
    fs.writeFileSync(out, 'the last good export\n', { mode: 0o600 });
    // A database from a newer payops: the export fails after its output file was opened.
    const raw = new Sqlite(db);
    raw.pragma('user_version = 99');
    raw.close();
    expect(run('ledger', 'export', '--format', 'hledger', '--out', out).code).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).toBe('the last good export\n');
    expect(fs.readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);
  });
});

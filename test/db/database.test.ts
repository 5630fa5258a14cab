import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openDatabase, storageError } from '../../src/db/index.js';
import { LEDGER_SCHEMA } from '../../src/db/sqlite/schema/ledger.js';
import { StorageError, UsageError } from '../../src/errors.js';
import { tempDirPerTest } from '../helpers/cli.js';

describe('openDatabase', () => {
  const temp = tempDirPerTest();

  it('creates a new file 0600 with WAL, full synchronous, foreign keys and the current schema', () => {
    const file = path.join(temp.dir, 'new.db');
    const db = openDatabase(file, { create: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(db.pragma('synchronous', { simple: true }))).toBe(2); // FULL
    expect(Number(db.pragma('foreign_keys', { simple: true }))).toBe(1);
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('readonly (payops check): reads a book just closed and refuses every write, leaving its bytes', () => {
    const file = path.join(temp.dir, 'books.db');
    openDatabase(file, { create: true }).close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const bytes = fs.readFileSync(file);
    const db = openDatabase(file, { readonly: true });
    try {
      expect(db.readonly).toBe(true);
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT COUNT(*) AS n FROM ledger_accounts').get()).toEqual({ n: 0n });
      expect(() =>
        db
          .prepare(
            "INSERT INTO ledger_accounts (name, currency, type, created_at) VALUES ('assets:bank', 'USD', 'asset', 'x')",
          )
          .run(),
      ).toThrow(/readonly/);
    } finally {
      db.close();
    }
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a missing file unless asked to create it', () => {
    expect(() => openDatabase(path.join(temp.dir, 'missing.db'))).toThrow(UsageError);
    expect(fs.existsSync(path.join(temp.dir, 'missing.db'))).toBe(false);
  });

  it('asks for `payops init` on an older schema, and init migrates it keeping its data', () => {
    const file = path.join(temp.dir, 'v1.db');
    const raw = new Sqlite(file);
    raw.exec(LEDGER_SCHEMA);
    raw.pragma('user_version = 1');
    raw
      .prepare(
        "INSERT INTO ledger_accounts (name, currency, type, created_at) VALUES ('assets:bank', 'USD', 'asset', 'x')",
      )
      .run();
    raw.close();
    expect(() => openDatabase(file)).toThrow(/schema version 1; this payops needs/);
    const migrated = openDatabase(file, { migrate: true });
    expect(Number(migrated.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    expect(
      (migrated.prepare('SELECT COUNT(*) AS n FROM ledger_accounts').get() as { n: bigint }).n,
    ).toBe(1n);
    expect(() => migrated.prepare('SELECT * FROM orders').all()).not.toThrow();
    migrated.close();
  });

  it('says the database is locked, clearly, when another writer holds it past the busy timeout', () => {
    const file = path.join(temp.dir, 'locked.db');
    openDatabase(file, { create: true }).close();
    const holder = new Sqlite(file);
    holder.exec('BEGIN IMMEDIATE');
    const db = openDatabase(file, { busyTimeoutMs: 50 });
    try {
      db.exec('BEGIN IMMEDIATE');
      expect.unreachable();
    } catch (error) {
      const mapped = storageError(error, file);
      expect(mapped).toBeInstanceOf(StorageError);
      expect((mapped as StorageError).oneLine()).toMatch(
        /is locked by another process \(wait for the other payops command/,
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      db.close();
    }
  });

  it('turns a full disk into one clear line and keeps the database intact', () => {
    const file = path.join(temp.dir, 'full.db');
    const db = openDatabase(file, { create: true });
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 1}`);
    try {
      db.transaction(() => {
        for (let i = 0; i < 10_000; i++) {
          db.prepare(
            "INSERT INTO ledger_accounts (name, currency, type, created_at) VALUES (?, 'USD', 'asset', 'x')",
          ).run(`assets:a${i}`);
        }
      })();
      expect.unreachable();
    } catch (error) {
      expect((storageError(error, file) as StorageError).oneLine()).toMatch(/is full/);
    }
    expect((db.prepare('SELECT COUNT(*) AS n FROM ledger_accounts').get() as { n: bigint }).n).toBe(
      0n,
    );
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});

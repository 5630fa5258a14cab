import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  PAYOPS_APPLICATION_ID,
  SCHEMA_VERSION,
  migrate,
  openComponentDatabase,
  openDatabase,
} from '../../src/db/index.js';
import { inSchemaTransaction } from '../../src/db/sqlite/migrations.js';
import { PayopsError, UsageError } from '../../src/errors.js';
import { SIM_SCHEMAS, SIM_STATE_IDENTITY } from '../../src/psp/sim/engine.js';
import { tempDirPerTest } from '../helpers/cli.js';

/**
 * Issue 14 item 7: a database payops refuses is not written to, not even switched to WAL
 * (bytes 18-19 of the header). It is identified read-only first (application_id, user_version).
 */
function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function raw(file: string, build: (db: Sqlite.Database) => void): void {
  const db = new Sqlite(file);
  try {
    build(db);
  } finally {
    db.close();
  }
}

function expectRefusedUntouched(
  file: string,
  open: () => unknown,
  exitCode: number,
  message: RegExp,
): void {
  const before = digest(file);
  const header = fs.readFileSync(file).subarray(18, 20);
  try {
    open();
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(PayopsError);
    expect((error as PayopsError).exitCode).toBe(exitCode);
    expect((error as PayopsError).oneLine()).toMatch(message);
  }
  expect(fs.readFileSync(file).subarray(18, 20)).toEqual(header);
  expect(digest(file)).toBe(before);
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  expect(fs.existsSync(`${file}-shm`)).toBe(false);
}

describe('openDatabase identifies a file before it writes to it', () => {
  const temp = tempDirPerTest();

  it('marks a new book with the payops application_id', () => {
    const file = path.join(temp.dir, 'new.db');
    openDatabase(file, { create: true }).close();
    raw(file, (db) =>
      expect(Number(db.pragma('application_id', { simple: true }))).toBe(PAYOPS_APPLICATION_ID),
    );
  });

  it('refuses a payops book of a newer schema version without switching it to WAL', () => {
    const file = path.join(temp.dir, 'newer.db');
    raw(file, (db) => {
      db.exec('CREATE TABLE ledger_accounts (id INTEGER PRIMARY KEY)');
      db.pragma(`application_id = ${PAYOPS_APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    });
    for (const options of [{}, { migrate: true }, { create: true }, { readonly: true }]) {
      expectRefusedUntouched(
        file,
        () => openDatabase(file, options),
        1,
        /newer than this payops understands/,
      );
    }
  });

  it("refuses another program's database (exit 2), even for init, and writes nothing", () => {
    const file = path.join(temp.dir, 'foreign.db');
    raw(file, (db) =>
      db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada')"),
    );
    for (const options of [{}, { migrate: true }, { create: true }]) {
      expectRefusedUntouched(
        file,
        () => openDatabase(file, options),
        2,
        /is not a payops database/,
      );
    }
  });

  it("refuses a foreign database whose table names clash with payops' (orders) instead of failing half-way", () => {
    const file = path.join(temp.dir, 'shop.db');
    raw(file, (db) => db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)'));
    expectRefusedUntouched(
      file,
      () => openDatabase(file, { create: true }),
      2,
      /is not a payops database/,
    );
  });

  it('refuses a database another program marked with its own application_id', () => {
    const file = path.join(temp.dir, 'other-app.db');
    raw(file, (db) => {
      db.exec('CREATE TABLE ledger_accounts (id INTEGER PRIMARY KEY)');
      db.pragma('application_id = 1234');
      db.pragma('user_version = 1');
    });
    expectRefusedUntouched(
      file,
      () => openDatabase(file, { migrate: true }),
      2,
      /application_id 1234/,
    );
  });

  it('refuses a file that is not SQLite at all and leaves it as it was', () => {
    const file = path.join(temp.dir, 'sheet.db');
    fs.writeFileSync(file, 'this is a spreadsheet, not a database\n'.repeat(200));
    for (const options of [{}, { create: true }]) {
      expectRefusedUntouched(
        file,
        () => openDatabase(file, options),
        1,
        /is not a usable payops database/,
      );
    }
  });

  it('accepts a book of an older payops (application_id 0, payops tables) and marks it on migration', () => {
    const file = path.join(temp.dir, 'old.db');
    raw(file, (db) => {
      migrate(db, 9);
      expect(Number(db.pragma('application_id', { simple: true }))).toBe(0);
    });
    expect(() => openDatabase(file)).toThrow(UsageError);
    const db = openDatabase(file, { migrate: true });
    expect(Number(db.pragma('application_id', { simple: true }))).toBe(PAYOPS_APPLICATION_ID);
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("accepts an id-0 book at every version from 1 to 10, exactly as payops' migrations built it", () => {
    for (let version = 1; version <= 10; version++) {
      const file = path.join(temp.dir, `v${version}.db`);
      raw(file, (db) => migrate(db, version));
      const db = openDatabase(file, { migrate: true });
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
      db.close();
    }
  });

  it('refuses an id-0 file with a payops table next to a table of its own (exit 2), every byte kept', () => {
    const file = path.join(temp.dir, 'f3.db');
    raw(file, (db) =>
      db.exec('PRAGMA user_version = 3; CREATE TABLE ledger_accounts (x); CREATE TABLE mydata (y)'),
    );
    for (const options of [{}, { migrate: true }, { create: true }]) {
      expectRefusedUntouched(
        file,
        () => openDatabase(file, options),
        2,
        /is not a payops database: .*mydata/,
      );
    }
  });

  it('refuses an id-0 file at a version from 11 on (migration 11 sets the id), every byte kept', () => {
    const file = path.join(temp.dir, 'f2.db');
    raw(file, (db) => db.exec('PRAGMA user_version = 12; CREATE TABLE ledger_accounts (x)'));
    expectRefusedUntouched(
      file,
      () => openDatabase(file, { create: true }),
      2,
      /is not a payops database: .*schema version 12 without payops' application_id/,
    );
    const real = path.join(temp.dir, 'v11-unmarked.db');
    raw(real, (db) => {
      migrate(db, 11);
      db.pragma('application_id = 0');
    });
    expectRefusedUntouched(
      real,
      () => openDatabase(real, { create: true }),
      2,
      /schema version 11 without payops' application_id/,
    );
  });

  it('refuses an id-0 file missing a table its version has, or with other columns, every byte kept', () => {
    const missing = path.join(temp.dir, 'missing.db');
    raw(missing, (db) => {
      migrate(db, 4);
      db.exec('DROP TABLE refunds');
    });
    expectRefusedUntouched(
      missing,
      () => openDatabase(missing, { create: true }),
      2,
      /is not a payops database: .*refunds/,
    );
    const columns = path.join(temp.dir, 'columns.db');
    raw(columns, (db) => {
      migrate(db, 2);
      db.exec('ALTER TABLE ledger_accounts ADD COLUMN owner_note TEXT');
    });
    expectRefusedUntouched(
      columns,
      () => openDatabase(columns, { create: true }),
      2,
      /is not a payops database: its tables' columns differ .*\(ledger_accounts\)/,
    );
  });

  it('refuses an empty id-0 file that claims a schema version, every byte kept', () => {
    const file = path.join(temp.dir, 'claims.db');
    raw(file, (db) => db.pragma('user_version = 5'));
    expectRefusedUntouched(
      file,
      () => openDatabase(file, { create: true }),
      2,
      /is not a payops database/,
    );
  });

  it('a dangling symlink as the database is a usage error naming its target, nothing created', () => {
    const file = path.join(temp.dir, 'link.db');
    const target = path.join(temp.dir, 'nowhere', 'books.db');
    fs.symlinkSync(target, file);
    expect(() => openDatabase(file, { create: true })).toThrow(UsageError);
    expect(() => openDatabase(file, { create: true })).toThrow(
      `database ${file} is a symlink to ${target}, which does not exist`,
    );
    expect(fs.existsSync(target)).toBe(false);
  });

  it("refuses a foreign table named sqlite3_cfg: only SQLite's own sqlite_ tables are not counted (issue 14 review F5a)", () => {
    const file = path.join(temp.dir, 'sq.db');
    raw(file, (db) =>
      db.exec("CREATE TABLE sqlite3_cfg (k, v); INSERT INTO sqlite3_cfg VALUES ('a', 'b')"),
    );
    for (const options of [{}, { migrate: true }, { create: true }]) {
      expectRefusedUntouched(
        file,
        () => openDatabase(file, options),
        2,
        /is not a payops database: it holds another program's tables \(sqlite3_cfg\)/,
      );
    }
  });

  it('refuses a foreign database already in WAL mode without leaving a -wal or -shm beside it (issue 14 review F5b)', () => {
    const file = path.join(temp.dir, 'walf.db');
    raw(file, (db) => {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE notes (x)');
    });
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    for (const options of [{}, { readonly: true }, { create: true }]) {
      expectRefusedUntouched(
        file,
        () => openDatabase(file, options),
        2,
        /is not a payops database: it holds another program's tables \(notes\)/,
      );
    }
    expectRefusedUntouched(
      file,
      () => openComponentDatabase(file, SIM_SCHEMAS, 'simulated PSP', SIM_STATE_IDENTITY),
      2,
      /is not a simulated PSP state file/,
    );
  });

  it('still opens a payops book in WAL mode at rest (no -wal beside it), read-only too', () => {
    const file = path.join(temp.dir, 'at-rest.db');
    openDatabase(file, { create: true }).close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    for (const options of [{ readonly: true }, {}]) {
      const db = openDatabase(file, options);
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
      db.close();
    }
  });

  it('init on an existing file makes it owner-only (0600)', () => {
    const file = path.join(temp.dir, 'shared.db');
    openDatabase(file, { create: true }).close();
    fs.chmodSync(file, 0o644);
    openDatabase(file, { create: true }).close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('init on an existing empty file initializes it owner-only', () => {
    const file = path.join(temp.dir, 'empty.db');
    fs.writeFileSync(file, '', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    openDatabase(file, { create: true }).close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    raw(file, (db) =>
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION),
    );
  });
});

describe('openComponentDatabase identifies its state file before it writes to it', () => {
  const temp = tempDirPerTest();
  const STATE_ID = { applicationId: 0x50595053, markSql: 'PRAGMA application_id = 1348030547' };
  const MIGRATIONS = ['CREATE TABLE sim_things (id INTEGER PRIMARY KEY)'];

  it('refuses a state file of a newer version without switching it to WAL', () => {
    const file = path.join(temp.dir, 'state.db');
    raw(file, (db) => {
      db.exec('CREATE TABLE sim_things (id INTEGER PRIMARY KEY)');
      db.exec(STATE_ID.markSql);
      db.pragma('user_version = 5');
    });
    expectRefusedUntouched(
      file,
      () => openComponentDatabase(file, MIGRATIONS, 'simulated PSP', STATE_ID),
      1,
      /newer than this payops understands/,
    );
  });

  it("refuses the books, or another program's database, given as the state file", () => {
    const books = path.join(temp.dir, 'books.db');
    openDatabase(books, { create: true }).close();
    fs.rmSync(`${books}-wal`, { force: true });
    fs.rmSync(`${books}-shm`, { force: true });
    const before = digest(books);
    expect(() => openComponentDatabase(books, MIGRATIONS, 'simulated PSP', STATE_ID)).toThrow(
      UsageError,
    );
    expect(digest(books)).toBe(before);

    const foreign = path.join(temp.dir, 'foreign.db');
    raw(foreign, (db) => db.exec('CREATE TABLE people (name TEXT)'));
    expectRefusedUntouched(
      foreign,
      () => openComponentDatabase(foreign, MIGRATIONS, 'simulated PSP', STATE_ID),
      2,
      /is not a simulated PSP state file/,
    );
  });

  it('accepts and marks an older state file that has no application_id yet', () => {
    const file = path.join(temp.dir, 'old-state.db');
    raw(file, (db) => {
      db.exec(MIGRATIONS[0] as string);
      db.pragma('user_version = 1');
    });
    const db = openComponentDatabase(
      file,
      [...MIGRATIONS, 'CREATE TABLE sim_more (id INTEGER PRIMARY KEY)'],
      'simulated PSP',
      STATE_ID,
    );
    expect(Number(db.pragma('user_version', { simple: true }))).toBe(2);
    expect(Number(db.pragma('application_id', { simple: true }))).not.toBe(0);
    db.close();
  });

  it("refuses an id-0 file whose tables are not the simulated PSP's at its version (exit 2), every byte kept (issue 14 review F4)", () => {
    for (const version of [1, 2, 7]) {
      const file = path.join(temp.dir, `photos-v${version}.db`);
      raw(file, (db) =>
        db.exec(
          `PRAGMA user_version = ${version}; CREATE TABLE photos (id, path); INSERT INTO photos VALUES (1, 'a')`,
        ),
      );
      expectRefusedUntouched(
        file,
        () => openComponentDatabase(file, SIM_SCHEMAS, 'simulated PSP', SIM_STATE_IDENTITY),
        2,
        new RegExp(`${file} is not a simulated PSP state file: .*schema version ${version}`),
      );
    }
    const columns = path.join(temp.dir, 'columns-v1.db');
    raw(columns, (db) => {
      db.exec(SIM_SCHEMAS[0] as string);
      db.exec('ALTER TABLE sim_requests ADD COLUMN note TEXT; PRAGMA user_version = 1');
    });
    expectRefusedUntouched(
      columns,
      () => openComponentDatabase(columns, SIM_SCHEMAS, 'simulated PSP', SIM_STATE_IDENTITY),
      2,
      /its tables' columns differ from the simulated PSP's schema version 1 \(sim_requests\)/,
    );
  });

  it('accepts an id-0 simulated PSP state file exactly as its migrations built it at version 1 and 2', () => {
    for (const version of [1, 2]) {
      const file = path.join(temp.dir, `sim-v${version}.db`);
      raw(file, (db) => {
        inSchemaTransaction(db, () => {
          for (const migration of SIM_SCHEMAS.slice(0, version)) {
            if (typeof migration === 'string') db.exec(migration);
            else migration(db);
          }
        });
        db.pragma(`user_version = ${version}`);
      });
      const db = openComponentDatabase(file, SIM_SCHEMAS, 'simulated PSP', SIM_STATE_IDENTITY);
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SIM_SCHEMAS.length);
      expect(Number(db.pragma('application_id', { simple: true }))).toBe(
        SIM_STATE_IDENTITY.applicationId,
      );
      db.close();
    }
  });
});

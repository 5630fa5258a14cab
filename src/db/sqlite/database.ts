import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { StorageError, UsageError } from '../../errors.js';
import type { ComponentMigration } from './component-migration.js';
import {
  PAYOPS_APPLICATION_ID,
  SCHEMA_VERSION,
  inSchemaTransaction,
  migrate,
  schemaVersionOf,
} from './migrations.js';
import {
  USER_TABLES_SQL,
  notAnOlderBook,
  notAnOlderComponentFile,
  tableShapes,
} from './older-books.js';

/**
 * The only module that knows the engine underneath. Services receive a `Database` and use
 * `prepare` / `transaction`; a PostgreSQL implementation can later provide the same surface.
 */
export type Database = BetterSqlite3.Database;
export type Statement<
  P extends unknown[] | object = unknown[],
  R = unknown,
> = BetterSqlite3.Statement<P, R>;

export interface OpenOptions {
  /** Create the file (0600) if it does not exist, and migrate it. Only `init` and `demo` do. */
  create?: boolean;
  /** Migrate an older schema forward (`init`). Otherwise an old schema is an error. */
  migrate?: boolean;
  readonly?: boolean;
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * Test only: `PAYOPS_TEST_MAX_PAGE_COUNT=N` caps the database at N pages, so that the storage
 * fault tests can fill the "disk" of a real command run anywhere, without a small filesystem or
 * root. Unset in production; a value that is not a whole number is refused rather than ignored.
 */
const TEST_MAX_PAGE_COUNT = 'PAYOPS_TEST_MAX_PAGE_COUNT';

export function openDatabase(file: string, options: OpenOptions = {}): Database {
  assertNotDanglingLink(file, 'database');
  const exists = fs.existsSync(file);
  if (exists && !fs.statSync(file).isFile()) {
    throw new UsageError(`database ${file} is not a file`, {
      hint: 'pass --db / set PAYOPS_DB to the database file itself',
    });
  }
  if (!exists && !options.create) {
    throw new UsageError(`database ${file} does not exist`, {
      hint: `create it with \`payops init --db ${file}\`, or pass --db / set PAYOPS_DB to an existing one`,
    });
  }
  if (!exists) createOwnerOnlyFile(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  // Identify before any write: a file payops refuses keeps every byte, WAL mode included.
  const version = assertOpenableBook(file, identify(file, busyTimeoutMs), options);
  if (exists && options.create) makeOwnerOnly(file);

  const db = openConnection(file, options.readonly ?? false);
  try {
    configure(db, busyTimeoutMs, options.readonly ?? false);
    if (version < SCHEMA_VERSION) migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw storageError(error, file);
  }
}

/** What a file says it is, read through a read-only connection that writes nothing. */
export interface FileIdentity {
  applicationId: number;
  userVersion: number;
  tables: string[];
  /** Each table as `name(column,…)`: how a book without an application_id is recognised. */
  shapes: string[];
}

function identify(file: string, busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS): FileIdentity {
  const db = openToIdentify(file);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    return db.transaction(() => ({
      applicationId: Number(db.pragma('application_id', { simple: true })),
      userVersion: schemaVersionOf(db),
      tables: db.prepare(USER_TABLES_SQL).pluck().all() as string[],
      shapes: tableShapes(db),
    }))();
  } catch (error) {
    throw storageError(error, file);
  } finally {
    db.close();
  }
}

/**
 * A read-only connection, except for a file in WAL mode with no -wal beside it (a book at rest):
 * a read-only connection would create an empty -wal and a -shm and, unable to checkpoint, leave
 * them. A read-write one in exclusive locking mode keeps the WAL index in memory (no -shm) and
 * deletes the empty -wal on close; it only reads, so the file keeps every byte. A -journal beside
 * it (which a read-write connection would roll back) or a file or directory it cannot write keeps
 * the read-only connection.
 */
function openToIdentify(file: string): Database {
  if (!walModeAtRest(file)) return openConnection(file, true);
  const db = openConnection(file, false);
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    throw storageError(error, file);
  }
}

/** WAL mode in the header (byte 19 = 2), no -wal nor -journal beside it, file and directory writable. */
function walModeAtRest(file: string): boolean {
  if (fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-journal`)) return false;
  const header = Buffer.alloc(20);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.readSync(fd, header, 0, 20, 0) < 20) return false;
    } finally {
      fs.closeSync(fd);
    }
    fs.accessSync(file, fs.constants.W_OK);
    fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK);
  } catch {
    return false;
  }
  return header.subarray(0, 16).toString('latin1') === 'SQLite format 3\0' && header[19] === 2;
}

const NOT_PAYOPS_HINT =
  "pass --db / set PAYOPS_DB to payops' books, or `payops init` a new file; nothing was changed";

/**
 * Accepts payops' books (its application_id), an empty file (a new book), and books of a payops
 * that did not set the id yet (id 0, a schema version before the one that sets it, and exactly
 * the tables payops' migrations build up to it); refuses anything else before a byte is written.
 * Returns the book's schema version.
 */
function assertOpenableBook(file: string, identity: FileIdentity, options: OpenOptions): number {
  const { applicationId, userVersion, tables } = identity;
  if (applicationId !== PAYOPS_APPLICATION_ID && applicationId !== 0) {
    throw new UsageError(
      `database ${file} is not a payops database (application_id ${applicationId} belongs to another program)`,
      { hint: NOT_PAYOPS_HINT },
    );
  }
  if (applicationId === 0 && userVersion === 0 && tables.length > 0) {
    const shown = tables.slice(0, 3).join(', ') + (tables.length > 3 ? ', …' : '');
    throw new UsageError(
      `database ${file} is not a payops database: it holds another program's tables (${shown})`,
      { hint: NOT_PAYOPS_HINT },
    );
  }
  const why =
    applicationId === 0 && userVersion !== 0
      ? notAnOlderBook(userVersion, identity.shapes)
      : undefined;
  if (why !== undefined)
    throw new UsageError(`database ${file} is not a payops database: ${why}`, {
      hint: NOT_PAYOPS_HINT,
    });
  if (userVersion > SCHEMA_VERSION) {
    throw new StorageError(
      `database ${file} has schema version ${userVersion}, newer than this payops understands (${SCHEMA_VERSION})`,
      { hint: 'upgrade payops; the database was left untouched' },
    );
  }
  if (userVersion < SCHEMA_VERSION && !(options.create || options.migrate)) {
    throw new UsageError(
      `database ${file} has schema version ${userVersion}; this payops needs ${SCHEMA_VERSION}`,
      {
        hint: `migrate it with \`payops init --db ${file}\``,
      },
    );
  }
  return userVersion;
}

function openConnection(file: string, readonly: boolean): Database {
  try {
    return new BetterSqlite3(file, { fileMustExist: true, readonly });
  } catch (error) {
    throw storageError(error, file);
  }
}

/** `init` on an existing file: the books, and SQLite's -wal and -shm beside them, owner-only. */
function makeOwnerOnly(file: string): void {
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (fs.existsSync(each)) fs.chmodSync(each, 0o600);
    } catch (error) {
      throw new StorageError(`cannot make ${each} owner-only (0600): ${(error as Error).message}`, {
        hint: "run init as the file's owner, or chmod 600 it yourself",
        cause: error,
      });
    }
  }
}

export interface ComponentIdentity {
  /** `PRAGMA application_id` of the component's files. */
  applicationId: number;
  /** The constant statement that sets it (`PRAGMA application_id = <the same number>`): PRAGMA takes no parameters. */
  markSql: string;
}

/**
 * A database of its own for a component that is not payops' books, e.g. the simulated PSP's
 * state. Same durability and permissions. `migrations[i]` takes the file from version i to i + 1
 * (SQL, or a function for what SQL alone cannot do, such as rebuilding a table): a new file gets
 * them all, an older one the ones it lacks, in place and in one schema transaction. The file is
 * identified first, read-only, as `openDatabase` does: one marked with another application_id
 * (the books, say), or another program's tables, or a newer version, is refused untouched.
 */
export function openComponentDatabase(
  file: string,
  migrations: readonly ComponentMigration[],
  component: string,
  identity: ComponentIdentity,
): Database {
  const { applicationId } = identity;
  assertNotDanglingLink(file, `${component} state file`);
  if (!fs.existsSync(file)) createOwnerOnlyFile(file);
  const version = migrations.length;
  const found = identify(file);
  assertComponentFile(file, found, component, applicationId, migrations);
  const db = openConnection(file, false);
  try {
    configure(db, DEFAULT_BUSY_TIMEOUT_MS, false);
    if (found.userVersion !== version || found.applicationId !== applicationId) {
      inSchemaTransaction(db, () => {
        // Read again inside the transaction: another process may have created or upgraded it.
        for (let current = schemaVersionOf(db); current < version; current++) {
          const migration = migrations[current] as ComponentMigration;
          if (typeof migration === 'string') db.exec(migration);
          else migration(db);
          db.pragma(`user_version = ${current + 1}`);
        }
        db.exec(identity.markSql);
        if (Number(db.pragma('application_id', { simple: true })) !== applicationId)
          throw new Error(
            `${component}: "${identity.markSql}" does not set application_id ${applicationId}`,
          );
      });
    }
    return db;
  } catch (error) {
    db.close();
    throw storageError(error, file);
  }
}

/**
 * Like `assertOpenableBook`: the component's id, an empty file, or a file of an older payops
 * (id 0) whose tables are exactly what the component's migrations build at its version.
 */
function assertComponentFile(
  file: string,
  identity: FileIdentity,
  component: string,
  applicationId: number,
  migrations: readonly ComponentMigration[],
): void {
  const version = migrations.length;
  const hint = `pass the ${component} state file, or a new path; nothing was changed`;
  if (identity.applicationId !== applicationId && identity.applicationId !== 0) {
    const whose =
      identity.applicationId === PAYOPS_APPLICATION_ID
        ? "it is payops' books"
        : `application_id ${identity.applicationId} belongs to another program`;
    throw new UsageError(`${file} is not a ${component} state file (${whose})`, { hint });
  }
  if (identity.applicationId === 0 && identity.userVersion === 0 && identity.tables.length > 0) {
    throw new UsageError(
      `${file} is not a ${component} state file: it holds another program's tables (${identity.tables.slice(0, 3).join(', ')})`,
      { hint },
    );
  }
  const why =
    identity.applicationId === 0 && identity.userVersion !== 0
      ? notAnOlderComponentFile(
          migrations,
          `the ${component}'s`,
          identity.userVersion,
          identity.shapes,
        )
      : undefined;
  if (why !== undefined)
    throw new UsageError(`${file} is not a ${component} state file: ${why}`, { hint });
  if (identity.userVersion > version) {
    throw new StorageError(
      `${component} state ${file} has schema version ${identity.userVersion}, newer than this payops understands (${version})`,
      {
        hint: 'use the payops version that wrote it; the file was left untouched',
      },
    );
  }
}

function configure(db: Database, busyTimeoutMs: number, readonly: boolean): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  if (!readonly) db.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives power loss, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Checkpoint the WAL every ~64 MB rather than every 4 MB: fewer, larger copies into the main file.
  db.pragma('wal_autocheckpoint = 16384');
  // Multi-row statements and savepoints (a posting batch inside an executor's transaction) keep the
  // pages they would restore in a statement journal, which this build spills to /var/tmp past 64 KB:
  // with ledger entries written 64 rows per statement, 12 KB of temp-file writes per pay-in order.
  // In memory it is a copy of each page touched, freed when the statement or savepoint ends.
  // Durability is the WAL's and unchanged: a statement journal only serves a rollback inside a live
  // transaction.
  db.pragma('temp_store = MEMORY');
  db.defaultSafeIntegers(true);
  const maxPageCount = process.env[TEST_MAX_PAGE_COUNT];
  if (maxPageCount !== undefined && maxPageCount !== '') {
    if (!/^[1-9][0-9]{0,9}$/.test(maxPageCount))
      throw new UsageError(
        `${TEST_MAX_PAGE_COUNT}: "${maxPageCount}" is not a whole number of pages`,
      );
    db.pragma(`max_page_count = ${Number(maxPageCount)}`);
  }
}

/** A symlink whose target is gone: creating "it" would fail with EEXIST, so say what it is. */
function assertNotDanglingLink(file: string, what: string): void {
  if (fs.existsSync(file) || !fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink())
    return;
  throw new UsageError(
    `${what} ${file} is a symlink to ${fs.readlinkSync(file)}, which does not exist`,
    {
      hint: 'name the file itself, or point the link at an existing one; nothing was created',
    },
  );
}

function createOwnerOnlyFile(file: string): void {
  const directory = path.dirname(path.resolve(file));
  if (!fs.existsSync(directory)) {
    throw new UsageError(`cannot create database ${file}: directory ${directory} does not exist`);
  }
  try {
    // SQLite gives its -wal and -shm files the mode of the database file, so they are 0600 too.
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    throw new StorageError(`cannot create database ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Translates SQLite's own failures into one actionable line. */
export function storageError(error: unknown, file: string): unknown {
  if (!(error instanceof Error) || !('code' in error)) return error;
  const code = String((error as { code: unknown }).code);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StorageError(`database ${file} is locked by another process`, {
      hint: 'wait for the other payops command to finish, or raise --busy-timeout',
      cause: error,
    });
  }
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    return new StorageError(
      `database ${file} cannot be used: its directory cannot be written, and SQLite keeps its -wal and -shm files beside the database`,
      {
        hint: 'make the directory writable, or work on a copy in one that is; nothing was changed',
        cause: error,
      },
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new StorageError(`database ${file} cannot be written (${code})`, {
      hint: 'check the file and directory permissions; nothing was changed',
      cause: error,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new StorageError(`database ${file} is full: the disk or the size limit was reached`, {
      hint: 'free disk space and run the command again; the last transaction was rolled back',
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StorageError(`${file} is not a usable payops database (${code})`, { cause: error });
  }
  return error;
}

/**
 * Runs `work` (reads only) in one read transaction: every statement in it sees the database as
 * of its first read, whatever other processes commit meanwhile (WAL), so a report made of many
 * queries is of one moment. It takes no lock: writers are never held up by it.
 */
export function inReadSnapshot<T>(db: Database, work: () => T): T {
  return db.transaction(work).deferred();
}

/**
 * `inReadSnapshot` for work that awaits its reads (async iterations, a port's reads): the read
 * transaction is opened by hand, since better-sqlite3's transaction functions refuse a promise,
 * and the connection is the work's alone while it runs. Inside a transaction the caller already
 * holds, the work reads in that one.
 */
export async function inReadSnapshotAsync<T>(db: Database, work: () => Promise<T>): Promise<T> {
  if (db.inTransaction) return work();
  db.exec('BEGIN DEFERRED');
  try {
    const result = await work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Runs `work` in one write transaction taken at BEGIN IMMEDIATE, so two processes never
 * interleave a read-then-write. Nested calls become savepoints.
 */
export function inTransaction<T>(db: Database, work: () => T): T {
  return db.transaction(work).immediate();
}

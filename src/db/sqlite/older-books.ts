import BetterSqlite3 from 'better-sqlite3';
import type { ComponentMigration } from './component-migration.js';
import { SCHEMA_VERSION, inSchemaTransaction, migrate } from './migrations.js';

/**
 * Files of a payops older than the migration that sets `PRAGMA application_id` (the books, and
 * a component's own file such as the simulated PSP's state) carry no mark, so such a file is
 * recognised by its shape instead: its schema version must be one of those, and its tables and
 * their columns exactly what the schema's own migrations build up to that version. The reference
 * is built from the migrations themselves, in memory, never kept as a second list.
 */

/**
 * The tables a program made: SQLite's own are named `sqlite_…`. `LIKE 'sqlite_%'` alone would
 * read `_` as any character and skip another program's `sqlite3_cfg`, so the `_` is escaped.
 */
export const USER_TABLES_SQL =
  "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

/** A table as `name(column,column,…)`, its columns in declared order. */
export function tableShapes(db: BetterSqlite3.Database): string[] {
  const tables = db.prepare(USER_TABLES_SQL).pluck().all() as string[];
  const columnsOf = db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck();
  return tables.map((table) => `${table}(${(columnsOf.all(table) as string[]).join(',')})`);
}

/** What `advance` says of a version it took the in-memory reference to. */
type Step = 'unmarked' | 'absent' | 'marked';

/** The table shapes at each version `advance(db, version)` reports as `unmarked`, up to the first `marked`. */
function shapesAlongMigrations(
  lastVersion: number,
  advance: (db: BetterSqlite3.Database, version: number) => Step,
): Map<number, string[]> {
  const shapes = new Map<number, string[]>();
  const db = new BetterSqlite3(':memory:');
  try {
    for (let version = 1; version <= lastVersion; version++) {
      const step = advance(db, version);
      if (step === 'marked') break;
      if (step === 'unmarked') shapes.set(version, tableShapes(db));
    }
  } finally {
    db.close();
  }
  return shapes;
}

let bookReferences: Map<number, string[]> | undefined;

/** The table shapes of an unmarked payops book at each schema version before the id was set. */
function unmarkedBookReferences(): Map<number, string[]> {
  bookReferences ??= shapesAlongMigrations(SCHEMA_VERSION, (db, version) => {
    if (migrate(db, version).length === 0) return 'absent';
    return Number(db.pragma('application_id', { simple: true })) !== 0 ? 'marked' : 'unmarked';
  });
  return bookReferences;
}

const componentReferences = new WeakMap<readonly ComponentMigration[], Map<number, string[]>>();

/** A component sets its id after its last migration, so every version may be found unmarked. */
function unmarkedComponentReferences(
  migrations: readonly ComponentMigration[],
): Map<number, string[]> {
  let shapes = componentReferences.get(migrations);
  if (shapes === undefined) {
    shapes = shapesAlongMigrations(migrations.length, (db, version) => {
      const migration = migrations[version - 1] as ComponentMigration;
      // As openComponentDatabase applies it: a rebuild of a table needs the transaction.
      inSchemaTransaction(db, () =>
        typeof migration === 'string' ? db.exec(migration) : migration(db),
      );
      return 'unmarked';
    });
    componentReferences.set(migrations, shapes);
  }
  return shapes;
}

/** Why a file with no application_id is not an older payops book; undefined when it is one. */
export function notAnOlderBook(userVersion: number, shapes: readonly string[]): string | undefined {
  return notOfShape(unmarkedBookReferences(), "payops'", userVersion, shapes);
}

/** Why a file with no application_id is not an older file of a component (`owner`: "the simulated PSP's"); undefined when it is one. */
export function notAnOlderComponentFile(
  migrations: readonly ComponentMigration[],
  owner: string,
  userVersion: number,
  shapes: readonly string[],
): string | undefined {
  return notOfShape(unmarkedComponentReferences(migrations), owner, userVersion, shapes);
}

function notOfShape(
  references: Map<number, string[]>,
  owner: string,
  userVersion: number,
  shapes: readonly string[],
): string | undefined {
  const reference = references.get(userVersion);
  if (reference === undefined)
    return `it has schema version ${userVersion} without ${owner} application_id`;
  const name = (shape: string): string => shape.slice(0, shape.indexOf('('));
  const expected = new Set(reference.map(name));
  const found = new Set(shapes.map(name));
  const list = (names: string[]): string =>
    names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  const extra = [...found].filter((table) => !expected.has(table));
  if (extra.length > 0)
    return `it holds tables ${owner} schema version ${userVersion} does not have (${list(extra)})`;
  const missing = [...expected].filter((table) => !found.has(table));
  if (missing.length > 0)
    return `it lacks tables ${owner} schema version ${userVersion} has (${list(missing)})`;
  const wanted = new Set(reference);
  const changed = shapes.filter((shape) => !wanted.has(shape)).map(name);
  if (changed.length > 0)
    return `its tables' columns differ from ${owner} schema version ${userVersion} (${list(changed)})`;
  return undefined;
}

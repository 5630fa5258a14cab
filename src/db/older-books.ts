import BetterSqlite3 from 'better-sqlite3';
import { SCHEMA_VERSION, migrate } from './migrations.js';

/**
 * Books of a payops older than the migration that sets `PRAGMA application_id` carry no mark, so
 * such a file is recognised by its shape instead: its schema version must be one of those, and its
 * tables and their columns exactly what payops' own migrations build up to that version. The
 * reference is built from the migrations themselves, in memory, never kept as a second list.
 */

/** A table as `name(column,column,…)`, its columns in declared order. */
export function tableShapes(db: BetterSqlite3.Database): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const columnsOf = db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck();
  return tables.map((table) => `${table}(${(columnsOf.all(table) as string[]).join(',')})`);
}

let references: Map<number, string[]> | undefined;

/** The table shapes of an unmarked payops book at each schema version before the id was set. */
function unmarkedReferences(): Map<number, string[]> {
  if (references !== undefined) return references;
  const shapes = new Map<number, string[]>();
  const db = new BetterSqlite3(':memory:');
  try {
    for (let version = 1; version <= SCHEMA_VERSION; version++) {
      if (migrate(db, version).length === 0) continue;
      if (Number(db.pragma('application_id', { simple: true })) !== 0) break;
      shapes.set(version, tableShapes(db));
    }
  } finally {
    db.close();
  }
  references = shapes;
  return shapes;
}

/** Why a file with no application_id is not an older payops book; undefined when it is one. */
export function notAnOlderBook(userVersion: number, shapes: readonly string[]): string | undefined {
  const reference = unmarkedReferences().get(userVersion);
  if (reference === undefined) return `it has schema version ${userVersion} without payops' application_id`;
  const name = (shape: string): string => shape.slice(0, shape.indexOf('('));
  const expected = new Set(reference.map(name));
  const found = new Set(shapes.map(name));
  const list = (names: string[]): string => names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  const extra = [...found].filter((table) => !expected.has(table));
  if (extra.length > 0) return `it holds tables payops' schema version ${userVersion} does not have (${list(extra)})`;
  const missing = [...expected].filter((table) => !found.has(table));
  if (missing.length > 0) return `it lacks tables payops' schema version ${userVersion} has (${list(missing)})`;
  const wanted = new Set(reference);
  const changed = shapes.filter((shape) => !wanted.has(shape)).map(name);
  if (changed.length > 0) return `its tables' columns differ from payops' schema version ${userVersion} (${list(changed)})`;
  return undefined;
}

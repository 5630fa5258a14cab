import type BetterSqlite3 from 'better-sqlite3';

/**
 * Rebuilds a table with a changed definition, the way SQLite's documentation prescribes for
 * changes ALTER TABLE cannot make (https://sqlite.org/lang_altertable.html, "other kinds of table
 * schema changes"): create the new table, copy every row, drop the old one, rename the new one,
 * and recreate the indexes and triggers. `rewrite` receives the table's stored CREATE TABLE text
 * (every column a later ALTER TABLE added included) and returns the new one, so columns that other
 * migrations added survive. Row ids are copied as they are.
 *
 * The caller holds the write transaction with foreign-key enforcement off (it cannot be switched
 * inside a transaction; dropping a parent table would otherwise fail), and runs
 * `PRAGMA foreign_key_check` before committing.
 */
export function rebuildTable(
  db: BetterSqlite3.Database,
  table: string,
  rewrite: (createSql: string) => string,
): void {
  if (!db.inTransaction) throw new Error(`rebuilding ${table} needs the caller's transaction`);
  if (Number(db.pragma('foreign_keys', { simple: true })) !== 0)
    throw new Error(`rebuilding ${table} needs foreign-key enforcement off`);
  const createSql = db
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .pluck()
    .get(table) as string | undefined;
  if (createSql === undefined) throw new Error(`cannot rebuild ${table}: no such table`);
  // Indexes SQLite makes for UNIQUE and PRIMARY KEY constraints have no SQL: the new table makes them again.
  const dependents = db
    .prepare(
      "SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
    )
    .pluck()
    .all(table) as string[];

  // As written by a migration, or quoted as SQLite stores it after a rename (an earlier rebuild).
  const rewritten = rewrite(createSql);
  const header = [`CREATE TABLE ${table} (`, `CREATE TABLE "${table}" (`].find((candidate) =>
    rewritten.startsWith(candidate),
  );
  if (header === undefined)
    throw new Error(
      `cannot rebuild ${table}: its definition does not start with CREATE TABLE ${table} (`,
    );
  const staging = `${table}__rebuild`;
  const rowsBefore = count(db, table);
  db.exec(`CREATE TABLE ${staging} (${rewritten.slice(header.length)}`);
  db.exec(`INSERT INTO ${staging} SELECT * FROM ${table}`);
  db.exec(`DROP TABLE ${table}`);
  db.exec(`ALTER TABLE ${staging} RENAME TO ${table}`);
  for (const sql of dependents) db.exec(sql);
  const rowsAfter = count(db, table);
  if (rowsAfter !== rowsBefore)
    throw new Error(`rebuilding ${table} copied ${rowsAfter} of its ${rowsBefore} rows`);
}

/** Replaces `search` in `text`, which must occur exactly once: a definition that differs is not guessed at. */
export function replaceOnce(
  text: string,
  search: string,
  replacement: string,
  what: string,
): string {
  const at = text.indexOf(search);
  if (at < 0 || text.indexOf(search, at + 1) >= 0) {
    throw new Error(`${what}: expected "${search}" exactly once in its definition`);
  }
  return `${text.slice(0, at)}${replacement}${text.slice(at + search.length)}`;
}

function count(db: BetterSqlite3.Database, table: string): bigint {
  return BigInt(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number | bigint);
}

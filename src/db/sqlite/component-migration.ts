import type BetterSqlite3 from 'better-sqlite3';

/** One step of a component's schema: SQL, or work SQL alone cannot express. */
export type ComponentMigration = string | ((db: BetterSqlite3.Database) => void);

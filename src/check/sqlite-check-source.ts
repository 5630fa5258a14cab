import type { Database } from '../db/index.js';
import type { CheckReads, CheckSource } from './check-source.js';
import { CheckStore } from './store.js';

/**
 * check's port on SQLite: the reads of src/check/store.ts (its SQL), all in one read transaction
 * on the caller's connection. BEGIN DEFERRED takes no lock (writers are never held up by it) and
 * the first read fixes the snapshot every later one sees, whatever other processes commit
 * meanwhile (WAL), as `inReadSnapshot` does. The transaction is opened by hand because the work
 * awaits its reads, and better-sqlite3's transaction functions refuse a promise; the connection is
 * the work's alone while it runs. Inside a transaction the caller holds already, the work reads in
 * that one.
 */
export class SqliteCheckSource implements CheckSource {
  constructor(private readonly db: Database) {}

  async inSnapshot<T>(work: (reads: CheckReads) => Promise<T>): Promise<T> {
    const { db } = this;
    const reads = new CheckStore(db);
    if (db.inTransaction) return work(reads);
    db.exec('BEGIN DEFERRED');
    try {
      const result = await work(reads);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}

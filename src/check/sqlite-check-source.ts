import { type Database, inReadSnapshotAsync } from '../db/index.js';
import type { CheckReads, CheckSource } from './check-source.js';
import { CheckStore } from './store.js';

/**
 * check's port on SQLite: the reads of src/check/store.ts (its SQL), all in one read transaction
 * on the caller's connection. BEGIN DEFERRED takes no lock (writers are never held up by it) and
 * the first read fixes the snapshot every later one sees, whatever other processes commit
 * meanwhile (WAL), as `inReadSnapshot` does (`inReadSnapshotAsync`: the work awaits its reads).
 */
export class SqliteCheckSource implements CheckSource {
  constructor(private readonly db: Database) {}

  async inSnapshot<T>(work: (reads: CheckReads) => Promise<T>): Promise<T> {
    const reads = new CheckStore(this.db);
    return inReadSnapshotAsync(this.db, () => work(reads));
  }
}

import type { Database } from '../db/index.js';
import { type ExecutorOptions, WorkEngine } from './engine.js';
import type { WorkItem, WorkKind, WorkResult, WorkTally } from './kind.js';
import { SqliteWorkStore } from './sqlite-store.js';

/** The work engine on an SQLite book: its units of work through SqliteWorkStore. */
export class SqliteWorkEngine<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
> extends WorkEngine<Item, Result, Tally> {
  constructor(db: Database, kind: WorkKind<Item, Result, Tally>, options: ExecutorOptions) {
    super(new SqliteWorkStore(db, kind), kind, options);
  }
}

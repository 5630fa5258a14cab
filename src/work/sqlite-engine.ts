import type { Database } from '../db/index.js';
import { type ExecutorOptions, type KeptAnswer, WorkEngine } from './engine.js';
import type { WorkItem, WorkKind, WorkResult, WorkTally } from './kind.js';
import { SqliteWorkStore } from './sqlite-store.js';

/**
 * The work engine on an SQLite book, with the synchronous `resolveKept` that `attention resolve`
 * uses today: on SQLite it is the same unit of work as the engine's async `bookKept`, run at once.
 */
export class SqliteWorkEngine<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
> extends WorkEngine<Item, Result, Tally> {
  private readonly sqlite: SqliteWorkStore<Item>;

  constructor(db: Database, kind: WorkKind<Item, Result, Tally>, options: ExecutorOptions) {
    const store = new SqliteWorkStore(db, kind);
    super(store, kind, options);
    this.sqlite = store;
  }

  /** `bookKept`, at once. */
  resolveKept(fact: KeptAnswer, actor: string, tally: Tally): boolean {
    const at = this.now();
    let plan: ReturnType<typeof this.keptPlan> | undefined;
    const booked = this.sqlite.bookKeptNow(
      { itemId: fact.itemId, factId: fact.id, actor, at },
      (item) => {
        plan = this.keptPlan(item, fact, at);
        return plan.batch;
      },
    );
    if (booked === undefined) return false;
    plan?.count(booked.moved, tally);
    return booked.resolved;
  }
}

import { type Database, inReadSnapshot } from '../db/index.js';
import type { ListFilter, RunRecord, RunsStore } from './runs-store.js';
import { type RunRow, type RunStart, RunStore } from './store.js';

/**
 * The run records on SQLite, through RunStore: each write is one statement (no transaction of its
 * own, as before the port), each read one read snapshot, run synchronously.
 */
export class SqliteRunsStore implements RunsStore {
  private readonly runs: RunStore;

  constructor(private readonly db: Database) {
    this.runs = new RunStore(db);
  }

  async start(run: RunStart): Promise<number> {
    return this.runs.start(run);
  }

  async finish(id: number, exitCode: number, finishedAt: string): Promise<void> {
    this.runs.finish(id, exitCode, finishedAt);
  }

  async list(filter: ListFilter): Promise<RunRecord[]> {
    return inReadSnapshot(this.db, () => this.runs.list(filter).map((row) => this.recordOf(row)));
  }

  async find(id: number): Promise<RunRecord | undefined> {
    return inReadSnapshot(this.db, () => {
      const row = this.runs.get(id);
      return row === undefined ? undefined : this.recordOf(row);
    });
  }

  private recordOf(row: RunRow): RunRecord {
    const upToTxId = this.runs.upperTxId(row);
    const moved = this.runs.movedBetween(row.txBefore, upToTxId);
    return { row, upToTxId, moved, overlappingRuns: this.runs.overlapping(row) };
  }
}

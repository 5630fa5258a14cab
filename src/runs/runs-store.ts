import type { MovedLine, RunRow, RunStart } from './store.js';

export interface ListFilter {
  sinceIso?: string;
  limit?: number;
}

/** A run's row with what the book holds about it, all read in one snapshot. */
export interface RunRecord {
  row: RunRow;
  /** The last ledger transaction the run may have posted (its tx_after, or where the next run began). */
  upToTxId: bigint;
  /** Per kind and currency, the transactions in (row.txBefore, upToTxId] and their debits. */
  moved: MovedLine[];
  /** Other runs whose time overlapped this one's. */
  overlappingRuns: number[];
}

/**
 * The run records' storage port (DESIGN.md §10): the `runs` table, and reads of the ledger's
 * tables only to say what a run moved. Each method is one unit of work (a write) or one read
 * snapshot. SQLite's implementation is src/runs/sqlite-runs-store.ts.
 */
export interface RunsStore {
  /** Writes the run's row (status running, the book's last transaction as its start); returns its id. */
  start(run: RunStart): Promise<number>;
  /** Finishes a running run with its exit code and the book's last transaction; a finished one is left alone. */
  finish(id: number, exitCode: number, finishedAt: string): Promise<void>;
  /** Newest first; `sinceIso` bounds the start time (inclusive). */
  list(filter: ListFilter): Promise<RunRecord[]>;
  find(id: number): Promise<RunRecord | undefined>;
}

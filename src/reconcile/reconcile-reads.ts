import type { DecisionRecord, ItemRecord, RunRecord } from './store.js';
import type { Bridge, RunSummary } from './summary.js';

/** A run with what `reconcile report` shows of it: its batches now, every item open now, its decisions. */
export interface RunReportFacts {
  run: RunRecord;
  summary: RunSummary;
  /** The run's batches as they stand now, in the order of its summary. */
  bridges: Bridge[];
  /** Every item open now, oldest first. */
  openItems: ItemRecord[];
  decisions: DecisionRecord[];
}

/** Which items a listing reads: one run's, every item, or those open now. */
export type ItemScope = { runId: bigint } | { all: boolean };

export interface ItemsFacts {
  items: ItemRecord[];
  /** Per PSP of the items, its latest run's id (undefined when it has none). */
  latestRunOf: ReadonlyMap<string, bigint | undefined>;
  /** Per run that first saw one of the items, when it started (undefined when that run is gone). */
  startedAt: ReadonlyMap<bigint, string | undefined>;
}

/**
 * The reconciliation reports' read port (DESIGN.md §10): `reconcile report` and `reconcile items`,
 * one method per answer (a PostgreSQL implementation reads each in one snapshot); plain reads, no
 * transaction on SQLite. SQLite's implementation is src/reconcile/sqlite-reconcile-reads.ts.
 */
export interface ReconcileReads {
  /** A run (the latest when `runId` is undefined) with its report's facts; undefined when there is none. */
  runReport(runId: bigint | undefined): Promise<RunReportFacts | undefined>;
  /** Every run's id, oldest first. */
  runIds(): Promise<bigint[]>;
  /** The items of the scope with their PSPs' latest runs and their first runs' starts; undefined when the scope's run does not exist. */
  items(scope: ItemScope): Promise<ItemsFacts | undefined>;
}

import type { Database } from '../db/index.js';
import { NotFoundError, UsageError } from '../errors.js';
import { isItemClass } from './classes.js';
import type { ItemScope, ItemsFacts, ReconcileReads, RunReportFacts } from './reconcile-reads.js';
import { type ReviewFilter, reviewQueue } from './report.js';
import { type ItemRecord, ReconStore } from './store.js';
import { type RunSummary, bridgeOf } from './summary.js';

/** The reconciliation reports' reads on SQLite, through ReconStore: plain reads, no transaction (as before the port). */
export class SqliteReconcileReads implements ReconcileReads {
  constructor(private readonly db: Database) {}

  async runReport(runId: bigint | undefined): Promise<RunReportFacts | undefined> {
    const store = new ReconStore(this.db);
    const run = runId === undefined ? store.latestRun() : store.runById(runId);
    if (!run) return undefined;
    const summary = JSON.parse(run.summary ?? '{}') as RunSummary;
    return {
      run,
      summary,
      bridges: (summary.batches ?? []).map((bridge) =>
        bridgeOf(store, run.psp, bridge.batchId, bridge.currency),
      ),
      openItems: store.openItems(),
      decisions: store.decisions(run.id),
    };
  }

  async runIds(): Promise<bigint[]> {
    return new ReconStore(this.db).runs().map((run) => run.id);
  }

  /** Each PSP's latest run and each first run are read once, however many items name them. */
  async items(scope: ItemScope): Promise<ItemsFacts | undefined> {
    const store = new ReconStore(this.db);
    if ('runId' in scope && !store.runById(scope.runId)) return undefined;
    const items =
      'runId' in scope
        ? store.itemsOfRun(scope.runId)
        : scope.all
          ? store.allItems()
          : store.openItems();
    const latestRunOf = new Map<string, bigint | undefined>();
    const startedAt = new Map<bigint, string | undefined>();
    for (const item of items) {
      if (!latestRunOf.has(item.psp)) latestRunOf.set(item.psp, store.latestRunOf(item.psp)?.id);
      if (!startedAt.has(item.firstRunId))
        startedAt.set(item.firstRunId, store.runById(item.firstRunId)?.startedAt);
    }
    return { items, latestRunOf, startedAt };
  }
}

/**
 * The open items a review walks, biggest money first (report.ts `reviewQueue`). Synchronous, for
 * the review's SQLite store and `reconcile run`'s count of what is left open.
 */
export function itemsToReview(db: Database, filter: ReviewFilter = {}): ItemRecord[] {
  const store = new ReconStore(db);
  if (filter.class !== undefined && !isItemClass(filter.class))
    throw new UsageError(`--class: "${filter.class}" is not a class of open items`);
  if (filter.runId !== undefined && !store.runById(filter.runId))
    throw new NotFoundError(`reconciliation run ${filter.runId} does not exist`);
  const ofRun =
    filter.runId === undefined
      ? undefined
      : new Set(store.itemsOfRun(filter.runId).map((item) => item.itemId));
  return reviewQueue(store.openItems(), filter, ofRun);
}

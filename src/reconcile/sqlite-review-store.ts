import type { Database } from '../db/index.js';
import type { DecisionContext, ItemOptions } from './decision.js';
import type { ReviewFilter } from './report.js';
import { itemsToReview } from './sqlite-reconcile-reads.js';
import type { ReviewStore } from './review-store.js';
import { SqliteDecisionStore } from './sqlite-decision-store.js';
import type { LegPanel, SourceLeg } from './source-leg.js';
import { type ItemRecord, ReconStore, type StoredRow } from './store.js';

/** The review's reads and decisions on SQLite: one `Decisions` for the session, each decision in its own transaction. */
export class SqliteReviewStore extends SqliteDecisionStore implements ReviewStore {
  constructor(
    private readonly db: Database,
    context: DecisionContext,
    private readonly legs: readonly SourceLeg[] = [],
  ) {
    super(db, context, legs);
  }

  async toReview(filter: ReviewFilter): Promise<ItemRecord[]> {
    return itemsToReview(this.db, filter);
  }

  async item(itemId: string): Promise<ItemRecord> {
    return this.decisions.item(itemId);
  }

  async optionsFor(item: ItemRecord): Promise<ItemOptions> {
    return this.decisions.optionsFor(item);
  }

  async repeatedRow(rowId: bigint): Promise<StoredRow | undefined> {
    const store = new ReconStore(this.db);
    const row = store.row(rowId);
    return row ? store.originalOf(row) : undefined;
  }

  async legView(
    item: ItemRecord,
  ): Promise<{ panel: LegPanel | undefined; linkPrompt: string } | undefined> {
    const leg = this.legs.find((candidate) => candidate.source === item.psp);
    return leg && { panel: leg.panel(item), linkPrompt: leg.linkPrompt };
  }
}

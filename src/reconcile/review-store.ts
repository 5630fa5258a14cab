import type { ItemOptions } from './decision.js';
import type { DecisionStore } from './decision-store.js';
import type { ReviewFilter } from './report.js';
import type { LegPanel } from './source-leg.js';
import type { ItemRecord, StoredRow } from './store.js';

/**
 * `reconcile review`'s storage port (DESIGN.md §10): plain reads of the items and what the panel
 * shows, and each decision as `DecisionStore.decide`'s one unit of work. SQLite's implementation
 * is src/reconcile/sqlite-review-store.ts.
 */
export interface ReviewStore extends DecisionStore {
  /** The items the filter selects, biggest money first. */
  toReview(filter: ReviewFilter): Promise<ItemRecord[]>;
  /** The item as it stands now; throws when there is no such item. */
  item(itemId: string): Promise<ItemRecord>;
  /** The actions that make sense for the item as the books stand, the proposed one first. */
  optionsFor(item: ItemRecord): Promise<ItemOptions>;
  /** The row a duplicate's row repeats, if the PSP reported it before under the same reference. */
  repeatedRow(rowId: bigint): Promise<StoredRow | undefined>;
  /** What the leg that decides the item shows of it (its panel, its link prompt); undefined for the PSP leg. */
  legView(
    item: ItemRecord,
  ): Promise<{ panel: LegPanel | undefined; linkPrompt: string } | undefined>;
}

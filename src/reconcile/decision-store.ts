import type { DecisionAction, DecisionOutcome } from './decision.js';

export interface DecideOptions {
  note?: string;
  /** The record or item a `link` settles against; the proposed one when absent. */
  linkTo?: string;
}

/**
 * A decision on one reconciliation item through the storage port (DESIGN.md §10): `reconcile
 * decide`'s reads and its one unit of work. SQLite's implementation is
 * src/reconcile/sqlite-decision-store.ts.
 */
export interface DecisionStore {
  /** The action proposed for the item as the books stand (a plain read); throws when there is no such item. */
  proposedFor(itemId: string): Promise<DecisionAction>;
  /**
   * One decision as one unit of work: the item read, the action checked against what it allows,
   * its postings, the item's resolution and the decision's record written together.
   */
  decide(itemId: string, action: DecisionAction, options: DecideOptions): Promise<DecisionOutcome>;
}

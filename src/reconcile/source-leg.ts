import type { DecisionAction, DecisionContext, DecisionOutcome, ItemOptions } from './decision.js';
import type { ItemRecord, ReconStore } from './store.js';

/** The `psp` of every bank-leg run and item (recon_runs, recon_items): the bank is one more source. */
export const BANK_SOURCE = 'bank';

/** Decides the items of one leg; `Decisions` calls it inside its transaction. */
export interface LegDecider {
  optionsFor(item: ItemRecord): ItemOptions;
  decide(
    item: ItemRecord,
    action: DecisionAction,
    options: { note?: string; linkTo?: string; rule?: string },
  ): DecisionOutcome;
}

/** An item's own panel lines in review; `differs` marks a line whose two sides disagree. */
export type LegPanel = (differs: (line: string) => string) => string[];

/**
 * A leg of reconciliation that decides, and shows in review, its own items (the bank: src/bank
 * implements it). Reconcile routes every item whose `psp` is `source` to it; whoever builds
 * `Decisions` or runs the review passes the legs in, so reconcile never imports them. A leg is
 * built on the ports it reads and writes (the bank's: src/bank/source-leg.ts), on the connection
 * of the store that takes it.
 */
export interface SourceLeg {
  readonly source: string;
  /** The prompt for a link target of one of its items. */
  readonly linkPrompt: string;
  /** Called inside the transaction of the decision (`Decisions`). */
  decider(store: ReconStore, context: DecisionContext): LegDecider;
  /** The item's panel in review; undefined when the item has none of its own. */
  panel(item: ItemRecord): LegPanel | undefined;
}

import type { ItemRecord } from '../reconcile/store.js';
import type { SourceLeg } from '../reconcile/source-leg.js';
import { BANK_SOURCE } from './accounts.js';
import { type BankDecisionStores, BankDecisions } from './decide.js';
import { type BankEntryFacts, bankPanelLines } from './review-panel.js';

/** What the bank leg reads and writes. */
export interface BankLegStores {
  /** The stores of one decision, fresh for each (inside the decision's transaction). */
  decisionStores(): BankDecisionStores;
  /** The statement entry a bank item stands for, if it is one. */
  entryOf(item: ItemRecord): BankEntryFacts | undefined;
}

/** The bank as a leg of reconciliation: it decides, and shows in review, the items of its statements. */
export function bankLeg(stores: BankLegStores): SourceLeg {
  return {
    source: BANK_SOURCE,
    linkPrompt: 'Link to (batch id, seller payout id, or item id)',
    decider: (store, context) => new BankDecisions(stores.decisionStores(), store, context),
    panel: (item) => {
      const view = item.detail.bank;
      if (!view) return undefined;
      const entry = stores.entryOf(item);
      return (differs) => bankPanelLines(item, view, entry, differs);
    },
  };
}

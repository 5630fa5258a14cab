import type { SourceLeg } from '../reconcile/source-leg.js';
import { BANK_SOURCE } from './accounts.js';
import { BankDecisions } from './decide.js';
import { bankPanelLines } from './review-panel.js';
import { sqliteBankDecisionStores } from './sqlite-bank-stores.js';
import { bankEntryOf } from './sqlite-bank-reads.js';

/** The bank as a leg of reconciliation: it decides, and shows in review, the items of its statements. */
export const bankLeg: SourceLeg = {
  source: BANK_SOURCE,
  linkPrompt: 'Link to (batch id, seller payout id, or item id)',
  decider: (db, store, context) => new BankDecisions(sqliteBankDecisionStores(db), store, context),
  panel: (db, item) => {
    const view = item.detail.bank;
    if (!view) return undefined;
    const entry = bankEntryOf(db, item);
    return (differs) => bankPanelLines(item, view, entry, differs);
  },
};

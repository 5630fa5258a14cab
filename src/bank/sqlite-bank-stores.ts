import type { Database } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import type { BankSessionStores } from './bank-session.js';
import type { BankDecisionStores } from './decide.js';
import { BankDecisionStore } from './decisions-store.js';
import type { SourceLeg } from '../reconcile/source-leg.js';
import { bankLeg } from './source-leg.js';
import { bankEntryOf } from './sqlite-bank-reads.js';
import { BankStore } from './store.js';

/** The stores of a statement import on the file's SQLite connection. */
export function sqliteBankSessionStores(db: Database): BankSessionStores {
  return { bank: new BankStore(db), ledger: new Ledger(db) };
}

/** The stores of the bank leg's decisions on the decision's SQLite connection. */
function sqliteBankDecisionStores(db: Database): BankDecisionStores {
  return {
    bank: new BankDecisionStore(db),
    ledger: new Ledger(db),
    operating: () => new BankStore(db),
  };
}

/** The bank leg of reconciliation on one SQLite connection: its decisions and panels read and write there. */
export function sqliteBankLeg(db: Database): SourceLeg {
  return bankLeg({
    decisionStores: () => sqliteBankDecisionStores(db),
    entryOf: (item) => bankEntryOf(db, item),
  });
}

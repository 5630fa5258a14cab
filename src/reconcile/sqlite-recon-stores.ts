import { type Database, inTransaction } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import { recordReportedCaptures } from '../work/executors/sqlite-charge-recorder.js';
import { type DecisionStores, Decisions } from './decide.js';
import type { DecisionContext } from './decision.js';
import { InternalRecordsStore } from './records-store.js';
import type { RunStores } from './run-session.js';
import type { SourceLeg } from './source-leg.js';
import { ReconStore, RowWriter } from './store.js';

/** The stores of `Decisions` on one SQLite connection. */
function sqliteDecisionStores(db: Database): DecisionStores {
  return {
    recon: new ReconStore(db),
    ledger: new Ledger(db),
    internalRecords: () => new InternalRecordsStore(db),
    inTransaction: (fn) => inTransaction(db, fn),
    recordReportedCaptures: (psp, at, captures) => recordReportedCaptures(db, psp, at, captures),
    legDecider: (leg, recon, context) => leg.decider(recon, context),
  };
}

/** `Decisions` on one SQLite connection: the review, `reconcile decide` and tests. */
export function sqliteDecisions(
  db: Database,
  context: DecisionContext,
  legs: readonly SourceLeg[] = [],
): Decisions {
  return new Decisions(sqliteDecisionStores(db), context, legs);
}

/** The stores of a settlement run on the file's SQLite connection. */
export function sqliteRunStores(db: Database): RunStores {
  return {
    decisions: sqliteDecisionStores(db),
    ledger: new Ledger(db),
    rowWriter: (runId, psp) => new RowWriter(db, runId, psp),
  };
}

import type { Database } from '../db/index.js';
import type { Decisions } from './decide.js';
import type { DecisionAction, DecisionContext, DecisionOutcome } from './decision.js';
import type { DecideOptions, DecisionStore } from './decision-store.js';
import type { SourceLeg } from './source-leg.js';
import { sqliteDecisions } from './sqlite-recon-stores.js';

/**
 * Decisions on SQLite: `Decisions.decide` already runs each decision inside `inTransaction`, so
 * the one await costs nothing. The run's rules and the interactive review still call `Decisions`
 * synchronously (the rules inside the run's own unit of work).
 */
export class SqliteDecisionStore implements DecisionStore {
  protected readonly decisions: Decisions;

  constructor(db: Database, context: DecisionContext, legs: readonly SourceLeg[] = []) {
    this.decisions = sqliteDecisions(db, context, legs);
  }

  async proposedFor(itemId: string): Promise<DecisionAction> {
    return this.decisions.optionsFor(this.decisions.item(itemId)).proposed;
  }

  async decide(
    itemId: string,
    action: DecisionAction,
    options: DecideOptions,
  ): Promise<DecisionOutcome> {
    return this.decisions.decide(itemId, action, options);
  }
}

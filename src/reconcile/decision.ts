import type { Clock } from '../time.js';

/** The words of a reconciliation decision, shared by both legs (src/bank/decide.ts decides the bank's items). */
export const DECISION_ACTIONS = ['accept', 'write_off', 'link', 'note'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface ActionOption {
  action: DecisionAction;
  /** What the choice does, in words a finance person reads: what is posted where. */
  effect: string;
}

export interface ItemOptions {
  /** Allowed actions, the proposed one first. `note` is always allowed. */
  options: ActionOption[];
  proposed: DecisionAction;
  /** Why the proposal, in one sentence. */
  proposal: string;
  /** The record a `link` would use when none is given. */
  linkTarget?: string;
}

export interface DecisionOutcome {
  itemId: string;
  action: DecisionAction;
  txIds: number[];
  resolved: boolean;
  message: string;
}

/** Where and when a decision is taken: by whom, and in which run when a rule takes it. */
export interface DecisionContext {
  clock: Clock;
  by: string;
  runId: bigint | null;
  /** A dry run rolls everything back: its messages say what would be posted, never a transaction id that will not exist. */
  dryRun?: boolean;
}

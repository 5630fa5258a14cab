import type { OpenWork } from '../payments/queries.js';
import type { HeldPayOut } from './held-payouts-store.js';
import type {
  PayableRow,
  PayoutListRow,
  PayoutTransitionRow,
  SellerReportRow,
} from './read-store.js';
import type { NewPayout } from './store.js';

/** Which payables a plan reads: one seller's, one currency's, or all. */
export interface PayablesFilter {
  sellerId?: string;
  currency?: string;
}

/** What pure code plans of the payables it is given (src/payouts/plan.ts). */
export interface PlannedPayouts {
  payouts: NewPayout[];
}

/** What settling one held pay_out did, in its own unit of work. */
export type HeldOutcome =
  /** Settled by another process meanwhile: nothing done. */
  | { settled: 'gone' }
  /** Its order may still be captured: it stays held. */
  | { settled: 'waiting' }
  /** `resolved` false: another process resolved it first. */
  | { settled: 'rejected'; reason: string; resolved: boolean }
  | { settled: 'released'; resolved: boolean };

/**
 * The payouts folder's storage port (DESIGN.md §10): the payout plan's unit of work, settling held
 * pay_outs one unit of work each, and the reads of `payout list|show`, `report sellers` and the
 * run summaries. SQLite's implementation is src/payouts/sqlite-payouts-store.ts.
 */
export interface PayoutsStore {
  /** Every wallet with a payable balance, its payout details and open payout (a pure read). */
  payables(filter: PayablesFilter): Promise<PayableRow[]>;
  /** One unit of work: the payables read, `plan` (pure) run on them, its payouts created with their ids and keys. */
  createPayouts<Plan extends PlannedPayouts>(
    filter: PayablesFilter,
    plan: (payables: PayableRow[]) => Plan,
    psp: string,
    at: string,
  ): Promise<Plan & { payoutIds: string[] }>;
  /**
   * One unit of work rolled back: every waiting held pay_out settled as `settleHeld` would, then
   * the payables read and planned. What a real run would do, nothing written.
   */
  previewPayouts<Plan>(
    filter: PayablesFilter,
    plan: (payables: PayableRow[]) => Plan,
    now: () => string,
  ): Promise<{ held: { waiting: HeldPayOut; outcome: HeldOutcome }[]; plan: Plan }>;
  /** Held pay_outs still waiting for their order, oldest first. */
  waitingHeld(): Promise<HeldPayOut[]>;
  /** One unit of work: the held row, the order's release, its posting and the seller's wallet move. `now` is read inside. */
  settleHeld(eventId: string, now: () => string): Promise<HeldOutcome>;
  /** Held pay_outs, oldest first; `all` also those released or rejected. */
  heldPayOuts(all: boolean): Promise<HeldPayOut[]>;
  payouts(query: { sellerId?: string; status?: string }): Promise<PayoutListRow[]>;
  payout(payoutId: string): Promise<PayoutListRow | undefined>;
  transitions(id: bigint): Promise<PayoutTransitionRow[]>;
  /** The id of the ledger transaction posted under this idempotency key, if any. */
  transactionId(idempotencyKey: string): Promise<bigint | undefined>;
  sellers(sellerId?: string): Promise<SellerReportRow[]>;
  /** Payouts (of one PSP, or all) scheduled for retry, dead-lettered or needing attention now. */
  openPayouts(psp?: string): Promise<OpenWork>;
}

import type { IntakeStore } from '../../intake/intake-store.js';
import type { OrderStatus } from '../../payments/order-state.js';
import type { OpenWork } from '../../payments/queries.js';
import type { ClaimedOrder } from '../../payments/store.js';
import type { PayoutsStore } from '../../payouts/payouts-store.js';
import type { ClaimedPayout } from '../../payouts/store.js';
import type { ClaimedRefund } from '../../refunds/store.js';
import type { LeasedTable } from '../leases/leases.js';
import type { WorkStore } from '../work-store.js';
import type { PendingChargesStore } from './pending-charges-store.js';

/**
 * What the executors and their runs take from a Book (src/book/book.ts): ports only, naming no
 * driver. Each method hands out a fresh store on the book, as the executors built theirs before;
 * on PostgreSQL a store takes a pooled connection per unit of work, never one per book.
 */

/** The work engine's store for each kind of PSP work (src/work/work-store.ts). */
export interface WorkStores {
  charges(): WorkStore<ClaimedOrder>;
  refunds(): WorkStore<ClaimedRefund>;
  payouts(): WorkStore<ClaimedPayout>;
}

/** What a run reports after its work: plain reads, no transaction. */
export interface WorkReads {
  /** Every order of this PSP by status (all statuses present, zeros included). */
  statusCounts(psp: string): Promise<Record<OrderStatus, number>>;
  /** This PSP's charges, refunds or payouts scheduled for retry or dead-lettered. */
  openWork(table: LeasedTable, psp: string): Promise<OpenWork>;
  /** The ids of this PSP's dead-lettered orders, in id order. */
  deadLetteredOrderIds(psp: string): Promise<string[]>;
}

/** What the pay-in, refund and payout executors take. */
export interface ExecutorBook {
  readonly work: WorkStores;
  /** `orders sync`'s pending orders. */
  pendingCharges(): PendingChargesStore;
}

/** What `payout run` takes: the executors' ports and the payouts' own. */
export interface PayoutRunBook extends ExecutorBook {
  payouts(): PayoutsStore;
}

/** What `payin run` takes: intake, the executors, the held pay_outs and the run's summary reads. */
export interface PayinBook extends PayoutRunBook {
  intake(): IntakeStore;
  workReads(): WorkReads;
}

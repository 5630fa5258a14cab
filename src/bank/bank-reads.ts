import type { ItemRecord } from '../reconcile/store.js';
import type { BankMatch, TransitPayout } from './decisions-store.js';

/** One payout in transit with what cleared it so far and its own bank item. */
export interface PayoutFacts {
  payout: TransitPayout;
  /** The bank's receipt and the differences decisions booked, in the order booked. */
  matches: BankMatch[];
  /** The bank entry of its receipt (its first match of part `bank`), when that names one. */
  receiptEntry: { bookingDate: string; source: string } | undefined;
  /** The bank item about the payout itself (payout_not_received), open or resolved. */
  ownItem: ItemRecord | undefined;
}

/**
 * The bank's read port for `reconcile payouts` (DESIGN.md §10): every payout's legs in one answer (a
 * PostgreSQL implementation reads it in one snapshot); plain reads, no transaction on SQLite.
 * SQLite's implementation is src/bank/sqlite-bank-reads.ts.
 */
export interface BankReads {
  /**
   * Every PSP payout batch (oldest paid first), then every seller payout (oldest sent first), of
   * `psp` when given, and every bank item open now (oldest first).
   */
  payoutLegs(
    psp: string | undefined,
  ): Promise<{ payouts: PayoutFacts[]; openBankItems: ItemRecord[] }>;
}

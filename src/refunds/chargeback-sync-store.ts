import type { Dispute } from '../psp/port.js';

/** What recording one dispute did (src/refunds/chargeback-recorder.ts). */
export type DisputeRecord =
  | { recorded: 'known' | 'unmatched' }
  | { recorded: 'mismatch'; detail: string }
  | { recorded: 'not_captured'; status: string }
  | { recorded: 'refund_in_flight'; reason: string }
  | { recorded: 'booked'; shareMinor: bigint };

/**
 * `chargebacks sync`'s storage port (DESIGN.md §10). SQLite's implementation is
 * src/refunds/sqlite-chargeback-sync-store.ts.
 */
export interface ChargebackSyncStore {
  /**
   * One unit of work: each dispute of `psp` recorded in order, once by its id (posting, wallet,
   * order and chargeback row), what each did the i-th for the i-th; `now` is read once inside,
   * `beforeCommit` runs inside, last.
   */
  recordDisputes(
    disputes: readonly Dispute[],
    psp: string,
    now: () => string,
    beforeCommit?: () => void,
  ): Promise<DisputeRecord[]>;
}

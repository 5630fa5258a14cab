import type { Effects, Outcome, WorkItem, WorkStatus } from './kind.js';
import type { LeaseJudge, LeasedTable } from './leases.js';
import type { PlannedMove, RecordBatch } from './work-store.js';

/**
 * One kind's rows as a synchronous store writes them, row by row, inside the transaction its work
 * store holds (on SQLite: src/payments/store.ts, src/payouts/store.ts,
 * src/work/kinds/refund-store.ts, bound in src/work/kinds/sqlite-rows.ts).
 */
export interface KindRows<Item extends WorkItem> {
  table: LeasedTable;
  recoverLeases(psp: string, at: string, judge: LeaseJudge): number;
  claimDue(psp: string, owner: string, leaseUntil: string, at: string, limit: number): Item[];
  claimDeadLettered(
    ids: readonly string[],
    psp: string,
    owner: string,
    leaseUntil: string,
    at: string,
    cause: string,
  ): Item[];
  /** The guarded UPDATE: moves it if it is still in `from` (and under `owner` when not empty). */
  finish(
    item: Item,
    from: WorkStatus,
    owner: string,
    outcome: Outcome,
    at: string,
    cause: string,
  ): boolean;
  nextRetryAt(psp: string): string | undefined;
  /** Why its row no longer matches its birth hash, if it does not (kinds with one). */
  birthMismatch?(item: Item): string | undefined;
  /** In `needs_attention`, for `attention resolve`. */
  needingAttention?(itemId: string): Item | undefined;
  /** What a move writes that depends on rows read in this transaction (refunds); wallet changes go into `effects`. */
  afterMove?(move: PlannedMove<Item>, batch: RecordBatch<Item>, effects: Effects): void;
}

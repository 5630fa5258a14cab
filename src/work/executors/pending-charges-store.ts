import type { ClaimedOrder } from '../../payments/store.js';

/** `orders sync`'s storage port (DESIGN.md §10): the pending orders it asks the PSP about. */
export interface PendingChargesStore {
  /** Up to `limit` orders of `psp` in `pending` after id `afterId`, in id order (one read, in a transaction on SQLite). */
  pendingOrders(psp: string, limit: number, afterId: bigint): Promise<ClaimedOrder[]>;
}

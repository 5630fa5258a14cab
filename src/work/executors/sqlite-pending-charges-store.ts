import { type Database, inTransaction } from '../../db/index.js';
import { type ClaimedOrder, PaymentsStore } from '../../payments/store.js';
import type { PendingChargesStore } from './pending-charges-store.js';

/** The pending orders on SQLite: each page read inside a transaction, as before the port. */
export class SqlitePendingChargesStore implements PendingChargesStore {
  private readonly store: PaymentsStore;

  constructor(private readonly db: Database) {
    this.store = new PaymentsStore(db);
  }

  async pendingOrders(psp: string, limit: number, afterId: bigint): Promise<ClaimedOrder[]> {
    return inTransaction(this.db, () => this.store.pendingOrders(psp, limit, afterId));
  }
}

import type { Database } from '../../db/index.js';
import { chargeRows, payoutRows, refundRows } from '../kinds/sqlite-rows.js';
import { SqliteWorkStore } from '../sqlite-store.js';
import type { ExecutorBook, WorkStores } from './book-ports.js';
import { SqlitePendingChargesStore } from './sqlite-pending-charges-store.js';

/** The work engine's stores on one SQLite connection: each call a new store, as each executor built its own. */
function sqliteWorkStores(db: Database): WorkStores {
  return {
    charges: () => new SqliteWorkStore(db, chargeRows(db)),
    refunds: () => new SqliteWorkStore(db, refundRows(db)),
    payouts: () => new SqliteWorkStore(db, payoutRows(db)),
  };
}

/** What the executors take, on one SQLite connection (the SQLite Book is built on it: src/book/sqlite-book.ts). */
export function sqliteExecutorBook(db: Database): ExecutorBook {
  return {
    work: sqliteWorkStores(db),
    pendingCharges: () => new SqlitePendingChargesStore(db),
  };
}

import type { Database } from '../db/index.js';
import { SqliteIntakeStore } from '../intake/sqlite-intake-store.js';
import { openWorkIn, statusCounts } from '../payments/sqlite-order-reads.js';
import { PaymentsStore } from '../payments/store.js';
import { SqlitePayoutsStore } from '../payouts/sqlite-payouts-store.js';
import { SqliteQueueReadStore } from '../queue/sqlite-queue-read-store.js';
import { SqliteRefundReads } from '../refunds/sqlite-refund-reads.js';
import type { WorkReads } from '../work/executors/book-ports.js';
import { sqliteExecutorBook } from '../work/executors/sqlite-executor-book.js';
import type { Book } from './book.js';

/** A Book on one SQLite connection: every store on `db`, each unit of work one `inTransaction`. */
export function sqliteBook(db: Database): Book {
  return {
    ...sqliteExecutorBook(db),
    intake: () => new SqliteIntakeStore(db),
    payouts: () => new SqlitePayoutsStore(db),
    workReads: () => sqliteWorkReads(db),
    refundReads: () => new SqliteRefundReads(db),
    queueReads: () => new SqliteQueueReadStore(db),
  };
}

/** The run summaries' reads on SQLite: plain reads, no transaction (as before the Book). */
function sqliteWorkReads(db: Database): WorkReads {
  return {
    statusCounts: async (psp) => statusCounts(db, psp),
    openWork: async (table, psp) => openWorkIn(db, table, psp),
    deadLetteredOrderIds: async (psp) => new PaymentsStore(db).deadLetteredOrderIds(psp),
  };
}

import type { RetryBook } from '../queue/retry.js';
import type { PayinBook, PayoutRunBook } from '../work/executors/book-ports.js';

/**
 * One open book, as the flows that run the claim → call → record protocol see it: the ports each
 * needs (src/work/executors/book-ports.ts, src/queue/retry.ts), naming no driver. The command
 * line builds one per command from the database it opened (`withBook`, src/cli/context.ts) and
 * passes it in; SQLite's is src/book/sqlite-book.ts. Each method hands out a fresh store on the
 * book: an engine with a pool (PostgreSQL) takes a connection per unit of work inside it.
 *
 * Flows take the narrowest of these they need (`ExecutorBook`, `PayoutRunBook`, `PayinBook`,
 * `RetryBook`), so none imports this file and a second engine implements this one interface.
 */
export interface Book extends PayinBook, PayoutRunBook, RetryBook {}

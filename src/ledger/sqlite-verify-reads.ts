import { type Database, iterateRows, rowShape } from '../db/index.js';
import type { LedgerVerifyReads, VerifyAccountRow, VerifyEntryRow } from './verify.js';
import type { TransactionRow } from './rows.js';

/** What `ledger verify` (and `payops check`) reads of the journal on SQLite. */
const VERIFY_QUERIES = {
  accounts: 'SELECT id, name, currency, type, balance_minor, max_effective_at FROM ledger_accounts',
  transactions: 'SELECT * FROM ledger_transactions ORDER BY id',
  entries: 'SELECT * FROM ledger_entries ORDER BY id',
} as const;

// Type and currency are read as text: they are what verification checks, not what it trusts.
const ACCOUNT_ROW = rowShape('ledger verify: accounts', {
  id: 'bigint',
  name: 'text',
  currency: 'text',
  type: 'text',
  balance_minor: 'bigint',
  max_effective_at: 'text',
});
const TRANSACTION_ROW = rowShape('ledger verify: transactions', {
  id: 'bigint',
  idempotency_key: 'text',
  kind: 'text',
  description: 'text',
  effective_at: 'text',
  created_at: 'text',
  metadata: 'text',
  reverses_tx_id: 'bigint?',
  body_hash: 'text',
  prev_hash: 'text',
  hash: 'text',
});
const ENTRY_ROW = rowShape('ledger verify: entries', {
  id: 'bigint',
  tx_id: 'bigint',
  account_id: 'bigint',
  direction: ['debit', 'credit'],
  amount_minor: 'bigint',
  effective_at: 'text',
  backdated: 'bigint',
  running_balance_minor: 'bigint',
});

/**
 * A synchronous iteration served as an async one, one row per `next()`. The statement is run at the
 * first `next()` and its cursor stepped only as the consumer asks, so memory stays flat; leaving
 * early (a `break`, a throw) closes the cursor, which frees the connection (better-sqlite3 refuses
 * COMMIT, ROLLBACK and close while a cursor is open).
 */
export function asyncRows<Row>(open: () => Iterable<Row>): AsyncIterable<Row> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Row> {
      let iterator: Iterator<Row> | undefined;
      return {
        next: async () => {
          iterator ??= open()[Symbol.iterator]();
          return iterator.next();
        },
        return: async () => {
          iterator?.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * The journal as verification reads it, on SQLite: each iteration is a cursor of its own on the
 * caller's connection. Not a snapshot by itself: `ledger verify` reads as it always has, and
 * `payops check` runs it inside its own read snapshot.
 */
export class SqliteLedgerVerifyReads implements LedgerVerifyReads {
  constructor(private readonly db: Database) {}

  verifyAccounts(): AsyncIterable<VerifyAccountRow> {
    return asyncRows(() =>
      iterateRows(ACCOUNT_ROW, this.db.prepare(VERIFY_QUERIES.accounts).iterate()),
    );
  }

  journalTransactions(): AsyncIterable<TransactionRow> {
    return asyncRows(() =>
      iterateRows(TRANSACTION_ROW, this.db.prepare(VERIFY_QUERIES.transactions).iterate()),
    );
  }

  journalEntries(): AsyncIterable<VerifyEntryRow> {
    return asyncRows(() =>
      iterateRows(ENTRY_ROW, this.db.prepare(VERIFY_QUERIES.entries).iterate()),
    );
  }
}

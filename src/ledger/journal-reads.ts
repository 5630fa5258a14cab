import type { Currency } from '../money/index.js';
import type { AccountType } from './accounts.js';
import type { Direction, TransactionHeader } from './types.js';

export interface ExportEntry {
  account: string;
  currency: Currency;
  type: AccountType;
  direction: Direction;
  amountMinor: bigint;
}

export interface ExportTransaction extends TransactionHeader {
  entries: ExportEntry[];
}

/** What a beancount export declares before the journal: every account, and the day they open. */
export interface JournalHead {
  /** Every account name with its type, by name (an account in several currencies once per type). */
  accounts: { name: string; type: AccountType }[];
  /** The first effective instant of any transaction; null for an empty ledger. */
  firstEffectiveAt: string | null;
}

/**
 * The journal export's read port (DESIGN.md §10). SQLite's implementation is
 * src/ledger/sqlite-ledger-reads.ts.
 */
export interface JournalReads {
  /**
   * The whole journal in posting order, each transaction with its entries, streamed in pages so
   * memory stays flat whatever the size; with its head first when `withHead`. One read: a
   * PostgreSQL implementation holds one snapshot (and a cursor) until the stream is consumed.
   */
  journal(withHead: boolean): Promise<{
    head: JournalHead | undefined;
    pages: AsyncIterable<readonly ExportTransaction[]>;
  }>;
}

import type { AccountType } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import type { ItemClass } from '../reconcile/classes.js';
import type { Bridge } from '../reconcile/summary.js';

/** One group of a day's entries: one transaction kind, account and direction. */
export interface EntryGroup {
  kind: string;
  currency: string;
  name: string;
  direction: 'debit' | 'credit';
  /** Distinct transactions in the group. */
  txs: bigint;
  total: bigint;
}

/** One group of a range's entries by UTC day (of the transaction's effective time), kind, account and direction. */
export interface DayEntryGroup {
  day: string;
  kind: string;
  currency: string;
  name: string;
  direction: 'debit' | 'credit';
  total: bigint;
}

/** Effective instants around a day, over every account; null where there is none. */
export interface EntryInstants {
  /** The first and last entries of the ledger. */
  first: string | null;
  last: string | null;
  /** The last entry before the day, the first at or after its end. */
  before: string | null;
  after: string | null;
}

export interface RawBalance {
  account: string;
  currency: string;
  type: AccountType;
  /** Debits minus credits of every entry effective before the bound. */
  debitMinusCreditMinor: bigint;
}

/** Which account types a statement reads: the income statement never touches the sellers' thousands of accounts. */
export type Side = 'income' | 'position';

/** A reconciliation item open now, with when the run that first saw it started (undefined when that run is gone). */
export interface OpenItemRecord {
  itemId: string;
  psp: string;
  class: ItemClass;
  subject: string;
  batchId: string | null;
  currency: Currency;
  amountMinor: bigint;
  firstSeenAt: string | undefined;
}

/**
 * The reports' read port (DESIGN.md §10): one async read per question a report asks the books,
 * plain data out; the reports (src/reports/daily.ts, statements.ts, html/) compute from it. None
 * reads in a snapshot today. SQLite's implementation is src/reports/sqlite-report-store.ts.
 */
export interface ReportStore {
  /** Entries effective in [start, end), grouped by kind, account and direction. */
  entryGroups(start: string, end: string): Promise<EntryGroup[]>;
  /** Entries of transactions effective in [start, end), grouped by day, kind, account and direction. */
  dayEntryGroups(start: string, end: string): Promise<DayEntryGroup[]>;
  /** Which instants have entries around the day [start, end). */
  entryInstantsAround(start: string, end: string): Promise<EntryInstants>;
  /** The first and last effective instants of any transaction; null for an empty ledger. */
  transactionSpan(): Promise<{ first: string | null; last: string | null }>;
  /** One list of balances per bound (exclusive), in the order of `bounds`. */
  balancesBefore(side: Side, bounds: readonly string[]): Promise<RawBalance[][]>;
  /** The first and last effective instants of the side's accounts; undefined for an empty ledger. */
  effectiveSpan(side: Side): Promise<{ first: string; last: string } | undefined>;
  /** Every reconciliation item open now, oldest first. */
  openItems(): Promise<OpenItemRecord[]>;
  /** The payout bridge of the `limit` most recent settlement batches, the newest first. */
  bridges(limit: number): Promise<{ psp: string; bridge: Bridge }[]>;
  bridgeCount(): Promise<number>;
}

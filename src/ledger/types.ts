import type { Currency } from '../money/index.js';
import type { AccountType } from './accounts.js';

export type Direction = 'debit' | 'credit';

export interface EntryRequest {
  account: string;
  currency: Currency;
  direction: Direction;
  /** Always positive: the direction carries the sign. */
  amountMinor: bigint;
}

/** Flat string tags; they travel into the exports as hledger tags and beancount metadata. */
export type Metadata = Readonly<Record<string, string>>;

export interface PostingRequest {
  /** Same key + same content returns the existing transaction; different content is a conflict. */
  idempotencyKey: string;
  /** What kind of movement this is: `manual`, `payin.capture`, `reversal`, … */
  kind: string;
  description: string;
  /** ISO 8601 instant; normalized to UTC milliseconds. */
  effectiveAt: string;
  metadata?: Metadata;
  entries: readonly EntryRequest[];
  /** Set only by `Ledger.reverse`. */
  reversesTxId?: number;
}

export interface PostResult {
  txId: number;
  /** false when the idempotency key had already been posted with the same content. */
  created: boolean;
}

export interface EntryRecord extends EntryRequest {
  entryId: number;
  accountType: AccountType;
  runningBalanceMinor: bigint;
}

/** The fields of a transaction every reader shows (`transactionHeaderOf` reads them from a row). */
export interface TransactionHeader {
  txId: number;
  idempotencyKey: string;
  kind: string;
  description: string;
  effectiveAt: string;
  createdAt: string;
  metadata: Metadata;
}

export interface TransactionRecord extends TransactionHeader {
  reversesTxId: number | null;
  reversedByTxId: number | null;
  hash: string;
  prevHash: string;
  entries: EntryRecord[];
}

import type { AccountBalance, AccountSummary, BalanceQuery, NoBalancesReason } from './balances.js';
import type { ExportFormat } from './export.js';
import type { HistoryLine, HistoryQuery } from './history.js';
import type { PostResult, PostingRequest, TransactionRecord } from './types.js';
import type { VerifyReport } from './verify.js';

/**
 * The ledger commands' own storage port (DESIGN.md §10): `ledger balance`, `history` and
 * `accounts` read through it. A separate interface from the journal's, so a balance loads neither
 * the writer nor the verifier (start-up is most of what these commands cost). Every method is one
 * read; none writes.
 */
export interface LedgerReadStore {
  /** Balances per account and currency, now or as of `query.asOf` (effective time). */
  balances(query: BalanceQuery): Promise<AccountBalance[]>;
  /** Why `balances` found nothing for this query. */
  whyNoBalances(query: BalanceQuery): Promise<NoBalancesReason>;
  /** Every account (under `accountPrefix`) with its entry count and balance. */
  accounts(accountPrefix: string | undefined): Promise<AccountSummary[]>;
  /** The register of one account in effective-time order; throws NotFoundError when it has no entries. */
  history(account: string, query: HistoryQuery): Promise<HistoryLine[]>;
}

/** Names the transaction `ledger reverse` reverses: by id, or by its idempotency key. */
export type ReverseTarget = { txId: number } | { idempotencyKey: string };

/**
 * The journal commands' storage port: `ledger post`, `tx`, `reverse`, `verify`, `export`. The
 * `Ledger` class stays the SQLite-side writer that other stores call inside their own transactions;
 * this port is for the ledger's own commands.
 */
export interface JournalStore {
  /**
   * One unit of work: every posting of the batch validated (pure) and written, or nothing (an
   * invalid posting or an idempotency conflict rolls the batch back). `where` names a posting in
   * an error (the file and line it came from).
   */
  postBatch(
    requests: readonly PostingRequest[],
    where: (index: number) => string,
  ): Promise<PostResult[]>;
  /** One transaction with its entries; throws NotFoundError when there is none. */
  transaction(txId: number): Promise<TransactionRecord>;
  /**
   * One unit of work: the mirror image of an operator's transaction, posted once (the target read
   * and checked first: a pipeline transaction or one reversed already is refused). Throws
   * NotFoundError when no transaction has the key.
   */
  reverse(target: ReverseTarget, reason: string): Promise<{ txId: number; result: PostResult }>;
  /** Recomputes the whole book from its rows (hashes, chain, balances), trusting nothing stored. */
  verify(): Promise<VerifyReport>;
  /** Streams the whole journal in `format` to `write`, in posting order; returns the transactions written. */
  exportJournal(format: ExportFormat, write: (chunk: string) => void): Promise<number>;
}

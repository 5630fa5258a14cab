export {
  type AccountType,
  accountTypeOf,
  isDebitNormal,
  matchesPrefix,
  toNormalBalance,
} from './accounts.js';
export {
  type AccountBalance,
  type AccountSummary,
  type BalanceQuery,
  balances,
  listAccounts,
  netByCurrency,
} from './balances.js';
export { EXPORT_FORMATS, type ExportFormat, exportJournal } from './export.js';
export { type HistoryLine, accountHistory } from './history.js';
export { isPipelineKind } from './kinds.js';
export { Ledger } from './ledger.js';
export { type LocatedPosting, readPostingFile } from './post-file.js';
export type {
  Direction,
  EntryRecord,
  EntryRequest,
  Metadata,
  PostResult,
  PostingRequest,
  TransactionRecord,
} from './types.js';
export { type VerifyReport, verifyLedger } from './verify.js';

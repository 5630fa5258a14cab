export {
  type AccountType,
  toNormalBalance,
} from './accounts.js';
export type { AccountBalance, AccountSummary } from './balances.js';
export { accountHistory, balances } from './sqlite-ledger-reads.js';
export {
  type ExportFormat,
  exportJournal,
} from './export.js';
export type { HistoryLine } from './history.js';
export { isPipelineKind } from './kinds.js';
export { Ledger } from './ledger.js';
export { readPostingFile } from './post-file.js';
export type {
  EntryRequest,
  PostingRequest,
  TransactionRecord,
} from './types.js';
export { type VerifyReport, verifyLedger } from './verify.js';

import type { RunRecord } from '../reconcile/store.js';
import type { Clock } from '../time.js';
import type { BankRules } from './rules.js';
import type { BankRunSummary } from './summary.js';
import type { BankFormat, StatementPart } from './types.js';

export interface StatementInput {
  /** As given on the command line; shown as FILE:LINE in items. */
  name: string;
  sha256: string;
  bytes: number;
  format: BankFormat;
  /** The file's parts, sum-checked (openStatement's reader, or a test's). */
  parts: AsyncIterable<StatementPart>;
}

export interface BankRunOptions {
  rules: BankRules;
  /** --window-days: one window for every PSP in this run. */
  windowDaysOverride?: number;
  dryRun: boolean;
  by: string;
  clock: Clock;
}

/** What the import unit of work did: found the bytes already imported by then, or reconciled them. */
export type ImportedStatement =
  | { status: 'already_imported'; run: RunRecord }
  | { status: 'reconciled'; run: RunRecord; summary: BankRunSummary };

/**
 * `reconcile bank`'s storage port (DESIGN.md §10). SQLite's implementation is
 * src/bank/sqlite-statement-import-store.ts.
 */
export interface StatementImportStore {
  /** The run that imported these bytes (a bank statement or a settlement file), if any: a plain read. */
  runBySha(sha256: string): Promise<RunRecord | undefined>;
  /**
   * One statement file as one unit of work: the run taken unless the same bytes were imported
   * meanwhile, then each statement as the stream yields it stored, planned against the payouts
   * payops expects, posted, its balances compared with the books, and the open bank items the file
   * settled closed; the summary kept. A throw anywhere keeps nothing; `options.dryRun` does all of
   * it and keeps nothing.
   */
  importFile(input: StatementInput, options: BankRunOptions): Promise<ImportedStatement>;
}

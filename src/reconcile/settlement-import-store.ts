import type { Clock } from '../time.js';
import type { Rules } from './rules.js';
import type { RunRecord } from './store.js';
import type { RunSummary } from './summary.js';
import type { SettlementFormat, SettlementRow } from './types.js';

export interface SettlementInput {
  /** As given on the command line; shown as FILE:LINE in items. */
  name: string;
  sha256: string;
  bytes: number;
  format: SettlementFormat;
  rows: AsyncIterable<SettlementRow>;
  /** Rows the parser refused so far (reported with their lines by the caller). */
  rejectedCount: () => number;
}

export interface RunOptions {
  psp: string;
  rules: Rules;
  dryRun: boolean;
  /** Who runs it: the OS user, recorded with the run and every rule's decision. */
  by: string;
  clock: Clock;
  onRows?: (count: number) => void;
}

/** Pure code the import runs inside its unit of work. */
export interface ImportChecks {
  /** After the rows are in: throws (the import rolls back, nothing kept) when the file is to be refused. */
  rowsRead(count: number): void;
}

/** What the import unit of work did: found the bytes already imported by then, or reconciled them. */
export type ImportedSettlement =
  | { status: 'already_imported'; run: RunRecord }
  | { status: 'reconciled'; run: RunRecord; summary: RunSummary };

/**
 * `reconcile run`'s storage port (DESIGN.md §10). SQLite's implementation is
 * src/reconcile/sqlite-settlement-import-store.ts.
 */
export interface SettlementImportStore {
  /** The run that imported these bytes (a settlement file or a bank statement), if any: a plain read. */
  runBySha(sha256: string): Promise<RunRecord | undefined>;
  /**
   * One settlement file as one unit of work: the run taken unless the same bytes were imported
   * meanwhile, every row stored and classified as the stream yields them (in chunks, so memory
   * stays flat), records expected, batches settled, the rules applied, the summary kept. A throw
   * anywhere keeps nothing; `options.dryRun` does all of it and keeps nothing.
   */
  importFile(
    input: SettlementInput,
    options: RunOptions,
    checks: ImportChecks,
  ): Promise<ImportedSettlement>;
}

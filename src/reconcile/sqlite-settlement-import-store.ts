import type { Database } from '../db/index.js';
import { failpoint } from '../failpoints.js';
import { applyRules } from './apply-rules.js';
import { RunSession } from './run-session.js';
import { sqliteRunStores } from './sqlite-recon-stores.js';
import type {
  ImportChecks,
  ImportedSettlement,
  RunOptions,
  SettlementImportStore,
  SettlementInput,
} from './settlement-import-store.js';
import { ReconStore, type RunRecord } from './store.js';

/**
 * The settlement import on SQLite: one `BEGIN IMMEDIATE` … `COMMIT` (or `ROLLBACK` on a dry run)
 * around the whole file, held while the row stream is read, as before the port.
 */
export class SqliteSettlementImportStore implements SettlementImportStore {
  private readonly store: ReconStore;

  constructor(private readonly db: Database) {
    this.store = new ReconStore(db);
  }

  async runBySha(sha256: string): Promise<RunRecord | undefined> {
    return this.store.runBySha(sha256);
  }

  async importFile(
    input: SettlementInput,
    options: RunOptions,
    checks: ImportChecks,
  ): Promise<ImportedSettlement> {
    const { db, store } = this;
    db.exec('BEGIN IMMEDIATE');
    try {
      const raced = store.runBySha(input.sha256);
      if (raced) {
        db.exec('ROLLBACK');
        return { status: 'already_imported', run: raced };
      }
      const session = new RunSession(sqliteRunStores(db), store, input, options);
      await session.importRows();
      checks.rowsRead(session.rowCount);
      failpoint('reconcile.after-import');
      session.classifyDeferred();
      session.reevaluateOpenRows();
      session.expectRecords();
      session.settleBatches();
      failpoint('reconcile.after-settlement');
      const actions = applyRules(
        session.decisions,
        store,
        session.records,
        options.psp,
        options.rules,
        session.runId,
      );
      const summary = session.finish(actions);
      const run = store.runById(session.runId) as RunRecord;
      db.exec(options.dryRun ? 'ROLLBACK' : 'COMMIT');
      return { status: 'reconciled', run, summary };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}

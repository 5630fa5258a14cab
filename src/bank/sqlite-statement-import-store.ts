import type { Database } from '../db/index.js';
import { ReconStore, type RunRecord } from '../reconcile/store.js';
import { BankSession } from './bank-session.js';
import { sqliteBankSessionStores } from './sqlite-bank-stores.js';
import type {
  BankRunOptions,
  ImportedStatement,
  StatementImportStore,
  StatementInput,
} from './statement-import-store.js';

/**
 * The statement import on SQLite: one `BEGIN IMMEDIATE` … `COMMIT` (or `ROLLBACK` on a dry run)
 * around the whole file, held while its parts are read, as before the port.
 */
export class SqliteStatementImportStore implements StatementImportStore {
  private readonly recon: ReconStore;

  constructor(private readonly db: Database) {
    this.recon = new ReconStore(db);
  }

  async runBySha(sha256: string): Promise<RunRecord | undefined> {
    return this.recon.runBySha(sha256);
  }

  async importFile(input: StatementInput, options: BankRunOptions): Promise<ImportedStatement> {
    const { db, recon } = this;
    db.exec('BEGIN IMMEDIATE');
    try {
      const raced = recon.runBySha(input.sha256);
      if (raced) {
        db.exec('ROLLBACK');
        return { status: 'already_imported', run: raced };
      }
      const session = new BankSession(sqliteBankSessionStores(db), recon, input, options);
      for await (const part of input.parts) session.take(part);
      session.finishFile();
      const summary = session.finish();
      const run = recon.runById(session.runId) as RunRecord;
      db.exec(options.dryRun ? 'ROLLBACK' : 'COMMIT');
      return { status: 'reconciled', run, summary };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}

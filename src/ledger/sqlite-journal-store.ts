import { type Database, inReadSnapshotAsync } from '../db/index.js';
import { NotFoundError } from '../errors.js';
import { type ExportFormat, exportJournal } from './export.js';
import { SqliteLedgerReads } from './sqlite-ledger-reads.js';
import type { JournalStore, ReverseTarget } from './ledger-store.js';
import { Ledger } from './ledger.js';
import type { PostResult, PostingRequest, TransactionRecord } from './types.js';
import { SqliteLedgerVerifyReads } from './sqlite-verify-reads.js';
import { type VerifyReport, verifyLedger } from './verify.js';

/**
 * The journal on SQLite, through the `Ledger` class other stores write with: a batch is one
 * `inTransaction` (inside `Ledger.postBatch`), run synchronously, so its one await costs nothing.
 */
export class SqliteJournalStore implements JournalStore {
  private readonly ledger: Ledger;

  constructor(private readonly db: Database) {
    this.ledger = new Ledger(db);
  }

  async postBatch(
    requests: readonly PostingRequest[],
    where: (index: number) => string,
  ): Promise<PostResult[]> {
    return this.ledger.postBatch(requests, where);
  }

  async transaction(txId: number): Promise<TransactionRecord> {
    return this.ledger.getTransaction(txId);
  }

  async reverse(
    target: ReverseTarget,
    reason: string,
  ): Promise<{ txId: number; result: PostResult }> {
    if ('txId' in target)
      return { txId: target.txId, result: this.ledger.reverse(target.txId, reason) };
    const txId = this.ledger.findByIdempotencyKey(target.idempotencyKey);
    if (txId === undefined)
      throw new NotFoundError(`no transaction has idempotency key "${target.idempotencyKey}"`);
    return { txId, result: this.ledger.reverse(txId, reason) };
  }

  /** On one read snapshot: a posting committed meanwhile must not look like a wrong balance. */
  async verify(): Promise<VerifyReport> {
    return inReadSnapshotAsync(this.db, () => verifyLedger(new SqliteLedgerVerifyReads(this.db)));
  }

  async exportJournal(format: ExportFormat, write: (chunk: string) => void): Promise<number> {
    // One snapshot: beancount's account heads and the journal after them are of one moment.
    return inReadSnapshotAsync(this.db, () =>
      exportJournal(new SqliteLedgerReads(this.db), format, write),
    );
  }
}

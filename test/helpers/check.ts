import { type CheckReport, type PspRecord, runChecks } from '../../src/check/check.js';
import { SqliteCheckSource } from '../../src/check/sqlite-check-source.js';
import type { Database } from '../../src/db/index.js';
import { SqliteLedgerVerifyReads } from '../../src/ledger/sqlite-verify-reads.js';
import { type VerifyReport, verifyLedger } from '../../src/ledger/index.js';

/** `payops check` on the books of `db` (one read snapshot), optionally against a PSP's record. */
export function checkBooks(db: Database, pspRecord?: PspRecord): Promise<CheckReport> {
  return runChecks(new SqliteCheckSource(db), pspRecord);
}

/** `ledger verify` on the books of `db`. */
export function verifyBooks(db: Database): Promise<VerifyReport> {
  return verifyLedger(new SqliteLedgerVerifyReads(db));
}

import { type Database, readRows, rowShape } from '../../db/index.js';
import type { LeasedRow, LeasedTable } from './leases.js';

const EXECUTING_SQL: Record<LeasedTable, string> = {
  orders:
    "SELECT id, lease_owner, lease_expires_at FROM orders WHERE status = 'executing' AND psp = ? ORDER BY id",
  refunds:
    "SELECT id, lease_owner, lease_expires_at FROM refunds WHERE status = 'executing' AND psp = ? ORDER BY id",
  payouts:
    "SELECT id, lease_owner, lease_expires_at FROM payouts WHERE status = 'executing' AND psp = ? ORDER BY id",
};

const LEASED_ROW = rowShape('rows in executing with their lease', {
  id: 'bigint',
  lease_owner: 'text?',
  lease_expires_at: 'text?',
});

/** The rows of a table in `executing` at this PSP, with their leases (a few batches at most: one per live process). */
export function executingRows(db: Database, table: LeasedTable, psp: string): LeasedRow[] {
  return readRows(LEASED_ROW, db.prepare(EXECUTING_SQL[table]).all(psp)).map((row) => ({
    id: row.id,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
  }));
}

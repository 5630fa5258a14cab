/**
 * The storage port's vocabulary, naming no driver (DESIGN.md §10).
 *
 * A UNIT OF WORK is one transaction on one connection that applies a batch pure code computed
 * beforehand: claims, guarded status moves, ledger postings, wallet changes. Services call one
 * async method per unit of work and await it once; nothing inside a unit of work awaits, row by
 * row. Either the whole batch commits or none of it does: a throw anywhere inside it (a guarded
 * move refused, a posting that breaks a ledger rule, a failpoint) rolls back every write of that
 * batch. A guarded write (a status move taken only from the state the row was read in) that finds
 * its row moved by another process is not an error: the unit of work reports it as not applied.
 *
 * SQLite runs a unit of work synchronously inside `inTransaction` (one await per batch costs
 * nothing); PostgreSQL takes a pooled connection, BEGIN … COMMIT, claims with
 * `FOR UPDATE SKIP LOCKED`. Pure callbacks a unit of work takes (checks, plans) run inside its
 * transaction and never touch storage themselves.
 */

/** Which entries of a batch a unit of work applied, the i-th for the i-th: false when a guarded write found its row moved. */
export type Applied = readonly boolean[];

/** What every store that runs units of work tells its callers about a failure. */
export interface UnitOfWorkStore {
  /**
   * The storage itself could not write (locked, read-only, full, I/O, corrupt): no item's fault,
   * nothing of the batch was written, and writing anything else would fail as well.
   */
  isStorageFailure(error: unknown): boolean;
}

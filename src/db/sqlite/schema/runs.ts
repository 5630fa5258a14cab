/**
 * Runs (issue 15): one row per money-moving command (pay-in, payout, retry, reconciliation,
 * settlement), written when it starts and finished with its exit code. Operational metadata,
 * not money: no trigger, no place in the ledger's hash chain; payops never lets a failure to
 * write it fail the command.
 * - owner: the process as a lease owner line (src/work/leases/lease-owner.ts), so a run whose process is
 *   gone while the row still says `running` is shown as `interrupted`.
 * - argv: the command line as a JSON array of strings, secrets replaced by `***`.
 * - inputs: JSON array of `{ "path", "bytes", "sha256" }` of the input files, read at start.
 * - tx_before: the highest ledger transaction id when the run started; tx_after: when it
 *   finished. The money a run moved is what the ledger holds between them.
 */
export const RUNS_SCHEMA = `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  argv TEXT NOT NULL,
  os_user TEXT NOT NULL,
  host TEXT NOT NULL,
  owner TEXT NOT NULL,
  cwd TEXT NOT NULL,
  payops_version TEXT NOT NULL,
  inputs TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished')),
  exit_code INTEGER,
  tx_before INTEGER NOT NULL CHECK (tx_before >= 0),
  tx_after INTEGER CHECK (tx_after IS NULL OR tx_after >= tx_before),
  CHECK ((status = 'running') = (finished_at IS NULL))
) STRICT;
CREATE INDEX runs_by_start ON runs (started_at);
`;

/**
 * Reconciliation of PSP settlement files (docs/RECONCILIATION.md).
 *
 * - recon_runs: one per imported file, keyed by the SHA-256 of its bytes: the same file again is
 *   recognised and changes nothing. A run (import, matching, settlement postings, rules) commits
 *   as one transaction, so a crash leaves no half-imported file.
 * - recon_rows: the file's rows, normalized (SettlementRow), with the class each ended in. The
 *   PSP's figures are immutable (trigger); only the classification columns move, and only while
 *   the row's mismatch is open. `paired` says the row found its internal record (matched, or one
 *   of the mismatches of a pair); the reference index answers "was this record settled?" and
 *   "has the PSP reported this movement before?" without touching the pay-in tables.
 * - recon_items: mismatches (and records still within their grace period), one per subject, with
 *   a stable id (`rm_…`) and a life across runs (recon_item_runs: new, persisting, resolved).
 * - recon_batches: per payout batch and currency, the sums of its rows by kind (the bridge) and
 *   what the PSP paid out.
 * - recon_settlements: what the books moved from the PSP receivable to the bank, per batch: the
 *   matched rows of a run, one row or record resolved later, or a batch residual. Rows point at
 *   the settlement that moved them, so a row reaches the bank at most once. A settlement waits
 *   (posted_at NULL) until its batch's payout row is known; tx_id stays NULL if it nets to zero.
 *   fee_run_id on a row names the run whose PSP-fee posting booked its fee.
 * - recon_decisions: every decision by a person or a rule, with who, when, the note and the
 *   ledger transactions it posted. Append-only.
 */
export const RECONCILE_SCHEMA = `
CREATE TABLE recon_runs (
  id INTEGER PRIMARY KEY,
  psp TEXT NOT NULL,
  file_sha256 TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  file_bytes INTEGER NOT NULL,
  format TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  period_end TEXT,
  grace_days INTEGER NOT NULL,
  rules TEXT NOT NULL,
  run_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  summary TEXT
) STRICT;

CREATE TABLE recon_items (
  id INTEGER PRIMARY KEY,
  item_id TEXT NOT NULL UNIQUE,
  psp TEXT NOT NULL,
  subject TEXT NOT NULL,
  class TEXT NOT NULL CHECK (class IN ('pending', 'missing_external', 'missing_internal', 'amount_mismatch', 'fee_mismatch',
                                       'currency_mismatch', 'status_mismatch', 'duplicate', 'batch_total_mismatch')),
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  row_id INTEGER,
  internal_ref TEXT,
  probable_ref TEXT,
  batch_id TEXT,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  detail TEXT NOT NULL,
  first_run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  last_run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  resolved_run_id INTEGER REFERENCES recon_runs (id),
  resolution TEXT,
  resolved_at TEXT,
  resolved_by TEXT,
  updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX recon_items_by_status ON recon_items (psp, status, class);
CREATE INDEX recon_items_by_batch ON recon_items (psp, batch_id, currency, status) WHERE batch_id IS NOT NULL;
CREATE INDEX recon_items_by_internal_ref ON recon_items (internal_ref) WHERE internal_ref IS NOT NULL;

CREATE TABLE recon_item_runs (
  run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  item_id INTEGER NOT NULL REFERENCES recon_items (id),
  life TEXT NOT NULL CHECK (life IN ('new', 'persisting', 'resolved')),
  class TEXT NOT NULL,
  PRIMARY KEY (run_id, item_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE recon_settlements (
  id INTEGER PRIMARY KEY,
  psp TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('rows', 'row', 'record', 'residual')),
  run_id INTEGER REFERENCES recon_runs (id),
  item_id INTEGER REFERENCES recon_items (id),
  net_minor INTEGER NOT NULL,
  tx_id INTEGER REFERENCES ledger_transactions (id),
  created_at TEXT NOT NULL,
  posted_at TEXT
) STRICT;

CREATE INDEX recon_settlements_by_batch ON recon_settlements (psp, batch_id, currency);

CREATE TABLE recon_rows (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  psp TEXT NOT NULL,
  line INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('capture', 'refund', 'chargeback', 'chargeback_reversal', 'fee', 'adjustment', 'payout')),
  psp_reference TEXT,
  merchant_reference TEXT,
  batch_id TEXT,
  currency TEXT NOT NULL,
  gross_minor INTEGER NOT NULL,
  fee_minor INTEGER NOT NULL,
  net_minor INTEGER NOT NULL CHECK (net_minor = gross_minor - fee_minor),
  occurred_at TEXT NOT NULL,
  available_on TEXT,
  provider_type TEXT NOT NULL,
  class TEXT NOT NULL,
  paired INTEGER NOT NULL CHECK (paired IN (0, 1)),
  internal_ref TEXT,
  item_id INTEGER REFERENCES recon_items (id),
  fee_run_id INTEGER REFERENCES recon_runs (id),
  settlement_id INTEGER REFERENCES recon_settlements (id)
) STRICT;

CREATE INDEX recon_rows_by_reference ON recon_rows (psp, psp_reference, type, paired) WHERE psp_reference IS NOT NULL;

CREATE TRIGGER recon_rows_figures_fixed BEFORE UPDATE OF run_id, psp, line, type, psp_reference, merchant_reference, batch_id, currency,
  gross_minor, fee_minor, net_minor, occurred_at, available_on, provider_type ON recon_rows
BEGIN SELECT RAISE(ABORT, 'recon_rows holds what the PSP reported: its figures never change'); END;
CREATE TRIGGER recon_rows_no_delete BEFORE DELETE ON recon_rows
BEGIN SELECT RAISE(ABORT, 'recon_rows is append-only'); END;

CREATE TABLE recon_batches (
  psp TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  row_count INTEGER NOT NULL DEFAULT 0,
  captures_minor INTEGER NOT NULL DEFAULT 0,
  refunds_minor INTEGER NOT NULL DEFAULT 0,
  chargebacks_minor INTEGER NOT NULL DEFAULT 0,
  other_minor INTEGER NOT NULL DEFAULT 0,
  fees_minor INTEGER NOT NULL DEFAULT 0,
  rows_net_minor INTEGER NOT NULL DEFAULT 0,
  payout_rows INTEGER NOT NULL DEFAULT 0,
  payout_minor INTEGER,
  payout_row_id INTEGER REFERENCES recon_rows (id),
  first_run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  PRIMARY KEY (psp, batch_id, currency)
) STRICT, WITHOUT ROWID;

CREATE TABLE recon_decisions (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES recon_items (id),
  action TEXT NOT NULL CHECK (action IN ('accept', 'write_off', 'link', 'note', 'write_back')),
  class TEXT NOT NULL,
  rule TEXT,
  run_id INTEGER REFERENCES recon_runs (id),
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  note TEXT NOT NULL,
  linked_to TEXT,
  tx_ids TEXT NOT NULL
) STRICT;

CREATE INDEX recon_decisions_by_item ON recon_decisions (item_id);

CREATE TRIGGER recon_decisions_no_update BEFORE UPDATE ON recon_decisions
BEGIN SELECT RAISE(ABORT, 'recon_decisions is append-only'); END;
CREATE TRIGGER recon_decisions_no_delete BEFORE DELETE ON recon_decisions
BEGIN SELECT RAISE(ABORT, 'recon_decisions is append-only'); END;
`;

/**
 * Migration 9: a record is settled once a row is paired with it, whatever reference that row
 * carries (a row linked under another reference, a refund or chargeback row without one). Each
 * run asks this for every record it expects, and every link before pairing.
 */
export const RECONCILE_ROWS_BY_RECORD = `
CREATE INDEX recon_rows_by_record ON recon_rows (psp, internal_ref) WHERE paired = 1;
`;

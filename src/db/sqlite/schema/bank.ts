import type BetterSqlite3 from 'better-sqlite3';
import { rebuildTable, replaceOnce } from '../rebuild.js';

/**
 * The bank leg of reconciliation (docs/RECONCILIATION.md, "The bank leg"). A statement file is a
 * recon_runs row like a settlement file (psp = 'bank', keyed by the SHA-256 of its bytes, one
 * transaction), so its items have the same ids, life, review and decisions.
 *
 * - bank_statements: each statement of a file (one account, one currency, one period), its booked
 *   opening and closing balances and its sums (the file was refused unless they add up).
 * - bank_entries: the statement's booked entries, as the bank stated them (immutable figures), with
 *   the class each ended in and the ledger transaction that booked it on assets:bank:operating.
 *   `fingerprint` finds the same entry in another file (a statement sent twice, overlapping days).
 * - bank_matches: what cleared a payout in transit: `part = 'bank'` an entry of a statement (at
 *   most one per payout: the partial unique index, so no retry, crash or second file clears a
 *   payout twice), `part = 'difference'` a decision that booked the rest (a short payment accepted,
 *   a payout written off). `payout_kind` says which in-transit account: a PSP payout
 *   (assets:bank:in-transit:<psp>, `payout_ref` = its batch id) or a seller payout
 *   (liabilities:payouts:in-transit, `payout_ref` = the payout id, `psp` = the payout PSP).
 *   `payops check` proves, per PSP and currency: in-transit = what the settlements posted to it −
 *   Σ amount_minor of its psp_payout matches (and the same for seller payouts).
 */
const BANK_SCHEMA = `
CREATE TABLE bank_statements (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  line INTEGER NOT NULL,
  statement_ref TEXT NOT NULL,
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  opening_minor INTEGER NOT NULL,
  opening_date TEXT NOT NULL,
  closing_minor INTEGER NOT NULL,
  closing_date TEXT NOT NULL,
  credits_minor INTEGER NOT NULL CHECK (credits_minor >= 0),
  debits_minor INTEGER NOT NULL CHECK (debits_minor >= 0),
  entry_count INTEGER NOT NULL CHECK (entry_count >= 0),
  skipped_count INTEGER NOT NULL CHECK (skipped_count >= 0),
  CHECK (opening_minor + credits_minor - debits_minor = closing_minor)
) STRICT;

CREATE INDEX bank_statements_by_account ON bank_statements (account, currency, closing_date);

CREATE TABLE bank_entries (
  id INTEGER PRIMARY KEY,
  statement_id INTEGER NOT NULL REFERENCES bank_statements (id),
  run_id INTEGER NOT NULL REFERENCES recon_runs (id),
  line INTEGER NOT NULL,
  direction TEXT NOT NULL CHECK (direction = 'credit' OR direction = 'debit'),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  booking_date TEXT NOT NULL,
  value_date TEXT,
  account_servicer_ref TEXT,
  type_code TEXT,
  bank_charge INTEGER NOT NULL CHECK (bank_charge IN (0, 1)),
  reversal INTEGER NOT NULL CHECK (reversal IN (0, 1)),
  transactions TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  class TEXT NOT NULL,
  item_id INTEGER REFERENCES recon_items (id),
  tx_id INTEGER REFERENCES ledger_transactions (id)
) STRICT;

CREATE INDEX bank_entries_by_fingerprint ON bank_entries (fingerprint);
CREATE INDEX bank_entries_by_servicer_ref ON bank_entries (account_servicer_ref) WHERE account_servicer_ref IS NOT NULL;
CREATE INDEX bank_entries_by_statement ON bank_entries (statement_id);

CREATE TRIGGER bank_entries_figures_fixed BEFORE UPDATE OF statement_id, run_id, line, direction, amount_minor, currency, booking_date,
  value_date, account_servicer_ref, type_code, bank_charge, reversal, transactions, fingerprint ON bank_entries
BEGIN SELECT RAISE(ABORT, 'bank_entries holds what the bank stated: its figures never change'); END;
CREATE TRIGGER bank_entries_no_delete BEFORE DELETE ON bank_entries
BEGIN SELECT RAISE(ABORT, 'bank_entries is append-only'); END;
CREATE TRIGGER bank_statements_no_update BEFORE UPDATE ON bank_statements
BEGIN SELECT RAISE(ABORT, 'bank_statements is append-only'); END;
CREATE TRIGGER bank_statements_no_delete BEFORE DELETE ON bank_statements
BEGIN SELECT RAISE(ABORT, 'bank_statements is append-only'); END;

CREATE TABLE bank_matches (
  id INTEGER PRIMARY KEY,
  payout_kind TEXT NOT NULL CHECK (payout_kind = 'psp_payout' OR payout_kind = 'seller_payout'),
  part TEXT NOT NULL CHECK (part = 'bank' OR part = 'difference'),
  entry_id INTEGER REFERENCES bank_entries (id),
  item_id INTEGER REFERENCES recon_items (id),
  psp TEXT NOT NULL,
  payout_ref TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  tx_id INTEGER REFERENCES ledger_transactions (id),
  run_id INTEGER REFERENCES recon_runs (id),
  created_at TEXT NOT NULL,
  CHECK ((part = 'difference') = (entry_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX bank_matches_received_once ON bank_matches (payout_kind, psp, payout_ref, currency) WHERE part = 'bank';
CREATE INDEX bank_matches_by_entry ON bank_matches (entry_id) WHERE entry_id IS NOT NULL;
CREATE INDEX bank_matches_by_payout ON bank_matches (payout_kind, psp, currency);

CREATE TRIGGER bank_matches_no_update BEFORE UPDATE ON bank_matches
BEGIN SELECT RAISE(ABORT, 'bank_matches is append-only'); END;
CREATE TRIGGER bank_matches_no_delete BEFORE DELETE ON bank_matches
BEGIN SELECT RAISE(ABORT, 'bank_matches is append-only'); END;
`;

/** The PSP leg's classes as migration 7 wrote them, and the bank leg's added to them. */
const PSP_ITEM_CLASSES_V7 = [
  'pending',
  'missing_external',
  'missing_internal',
  'amount_mismatch',
  'fee_mismatch',
  'currency_mismatch',
  'status_mismatch',
  'duplicate',
  'batch_total_mismatch',
];
const BANK_ONLY_ITEM_CLASSES = [
  'payout_not_received',
  'unknown_credit',
  'unknown_debit',
  'bank_fee',
  'balance_mismatch',
] as const;

function classList(values: readonly string[]): string {
  return `class IN (${values.map((value) => `'${value}'`).join(', ')})`;
}

/** Migration 16: the bank tables, and recon_items rebuilt so that its class check admits the bank classes. */
export function applyBankLeg(db: BetterSqlite3.Database): void {
  db.exec(BANK_SCHEMA);
  const before = `class TEXT NOT NULL CHECK (${classList(PSP_ITEM_CLASSES_V7)})`;
  rebuildTable(db, 'recon_items', (sql) =>
    replaceOnce(
      sql.replace(/\s+/g, ' '),
      before,
      `class TEXT NOT NULL CHECK (${classList([...PSP_ITEM_CLASSES_V7, ...BANK_ONLY_ITEM_CLASSES])})`,
      'recon_items.class',
    ),
  );
}

/**
 * Migration 17: the expected-payouts queries (src/bank/store.ts) ask, per payout, whether bank_matches
 * already clear it, summing every part of that one payout; without this index each asked every
 * match of its PSP and currency (quadratic once a book holds a year of matched payouts).
 */
export const BANK_MATCHES_BY_PAYOUT_REF_SCHEMA =
  'CREATE INDEX bank_matches_by_payout_ref ON bank_matches (payout_kind, psp, payout_ref, currency);';

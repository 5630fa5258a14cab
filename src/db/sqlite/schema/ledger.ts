/**
 * The ledger's tables. Amounts are INTEGER minor units; times are ISO 8601 UTC strings with
 * milliseconds ("2026-11-23T10:15:00.000Z"), which sort as text in time order.
 *
 * - An account is a (name, currency) pair: one currency per account row, as hledger shows a
 *   multi-commodity account as one line per commodity. balance_minor is debits minus credits.
 * - Journal rows and entries are append-only: the triggers below refuse UPDATE and DELETE, and the
 *   hash chain (body_hash, prev_hash, hash) lets `ledger verify` catch an edit made behind them.
 * - running_balance_minor is the account's balance after the entry, in posting order. An entry
 *   whose effective time is earlier than one already posted to its account is `backdated`; as-of
 *   queries add those separately (see ledger/balances.ts).
 */
export const LEDGER_SCHEMA = `
CREATE TABLE ledger_accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
  balance_minor INTEGER NOT NULL DEFAULT 0,
  max_effective_at TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (name, currency)
) STRICT;

CREATE TABLE ledger_transactions (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  description TEXT NOT NULL,
  effective_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  metadata TEXT NOT NULL,
  reverses_tx_id INTEGER REFERENCES ledger_transactions (id),
  body_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX ledger_transactions_one_reversal
  ON ledger_transactions (reverses_tx_id) WHERE reverses_tx_id IS NOT NULL;

CREATE TABLE ledger_entries (
  id INTEGER PRIMARY KEY,
  tx_id INTEGER NOT NULL REFERENCES ledger_transactions (id),
  account_id INTEGER NOT NULL REFERENCES ledger_accounts (id),
  direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  effective_at TEXT NOT NULL,
  backdated INTEGER NOT NULL CHECK (backdated IN (0, 1)),
  running_balance_minor INTEGER NOT NULL
) STRICT;

CREATE INDEX ledger_entries_by_tx ON ledger_entries (tx_id);
CREATE INDEX ledger_entries_by_account_time ON ledger_entries (account_id, backdated, effective_at, id);

CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger_transactions is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger_transactions is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: post a reversal instead'); END;
`;

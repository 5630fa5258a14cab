/**
 * Pay-out: seller payout details, order releases (a `pay_out` event: delivered, the seller's share
 * becomes payable), and payouts (one transfer per seller and currency per run).
 *
 * - sellers: the latest payout details a `pay_out` event gave; the IBAN is shown masked everywhere.
 * - payouts: the same retry/lease columns as orders. The amount and the PSP idempotency key are
 *   fixed when the payout is created, so a crash or a retry can never pay a seller twice; at most
 *   one payout per seller and currency is open at a time (the partial unique index).
 */
export const PAYOUTS_SCHEMA = `
CREATE TABLE sellers (
  seller_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  iban TEXT NOT NULL,
  source_event_id TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

ALTER TABLE orders ADD COLUMN released_at TEXT;
ALTER TABLE orders ADD COLUMN release_event_id TEXT;

CREATE TABLE payouts (
  id INTEGER PRIMARY KEY,
  payout_id TEXT NOT NULL UNIQUE,
  seller_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  payout_key TEXT NOT NULL,
  psp TEXT NOT NULL,
  destination TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('created', 'executing', 'succeeded', 'failed', 'retry_scheduled', 'dead_lettered')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  requeued_at_attempt INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  lease_owner TEXT,
  lease_expires_at TEXT,
  first_attempt_at TEXT,
  psp_reference TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX payouts_one_open_per_seller ON payouts (seller_id, currency)
  WHERE status IN ('created', 'executing', 'retry_scheduled', 'dead_lettered');
CREATE INDEX payouts_by_status ON payouts (status, psp, next_attempt_at);

CREATE TABLE payout_transitions (
  id INTEGER PRIMARY KEY,
  payout_id INTEGER NOT NULL REFERENCES payouts (id),
  from_status TEXT,
  to_status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  cause TEXT NOT NULL
) STRICT;

CREATE INDEX payout_transitions_by_payout ON payout_transitions (payout_id);

CREATE TRIGGER payout_transitions_no_update BEFORE UPDATE ON payout_transitions
BEGIN SELECT RAISE(ABORT, 'payout_transitions is append-only'); END;
CREATE TRIGGER payout_transitions_no_delete BEFORE DELETE ON payout_transitions
BEGIN SELECT RAISE(ABORT, 'payout_transitions is append-only'); END;
`;

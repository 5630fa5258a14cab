/**
 * Pay-in: accepted events, their orders, every order state transition, and seller wallets.
 *
 * - events: one row per accepted eventId (the client's idempotency key) with the hash of its
 *   canonical content, so a repeat is told apart from a conflict.
 * - orders: the state machine of DESIGN.md §4. `charge_key` is the PSP idempotency key, fixed at
 *   intake and reused on every attempt. An order in `executing` belongs to `lease_owner` until
 *   `lease_expires_at`; after that any process may recover it.
 * - order_transitions: the history of every order, one row per transition, with time and cause.
 * - wallets: per seller and currency, kept in the same transactions as the ledger postings that
 *   move the same money (`payops check` proves they agree).
 */
export const PAYMENTS_SCHEMA = `
CREATE TABLE events (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('pay_in', 'pay_out', 'refund')),
  content_hash TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  source TEXT NOT NULL,
  received_at TEXT NOT NULL,
  order_count INTEGER NOT NULL CHECK (order_count >= 0)
) STRICT, WITHOUT ROWID;

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL REFERENCES events (event_id),
  payer_id TEXT NOT NULL,
  seller_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  platform_fee_minor INTEGER NOT NULL CHECK (platform_fee_minor >= 0 AND platform_fee_minor <= amount_minor),
  payment_token TEXT NOT NULL,
  metadata TEXT NOT NULL,
  psp TEXT NOT NULL,
  -- Derived from order_id (unique), so it needs no index of its own.
  charge_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('created', 'executing', 'succeeded', 'pending', 'failed', 'retry_scheduled', 'dead_lettered')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- attempts at the last operator requeue: the retry budget counts from here.
  requeued_at_attempt INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  lease_owner TEXT,
  lease_expires_at TEXT,
  first_attempt_at TEXT,
  psp_reference TEXT,
  psp_fee_minor INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX orders_by_status ON orders (status, psp, next_attempt_at);

CREATE TABLE order_transitions (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders (id),
  from_status TEXT,
  to_status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  cause TEXT NOT NULL
) STRICT;

CREATE INDEX order_transitions_by_order ON order_transitions (order_id);

CREATE TRIGGER order_transitions_no_update BEFORE UPDATE ON order_transitions
BEGIN SELECT RAISE(ABORT, 'order_transitions is append-only'); END;
CREATE TRIGGER order_transitions_no_delete BEFORE DELETE ON order_transitions
BEGIN SELECT RAISE(ABORT, 'order_transitions is append-only'); END;

CREATE TABLE wallets (
  seller_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  pending_minor INTEGER NOT NULL DEFAULT 0,
  payable_minor INTEGER NOT NULL DEFAULT 0,
  paid_out_minor INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (seller_id, currency)
) STRICT, WITHOUT ROWID;
`;

/**
 * Refunds: each `refund` event becomes a refund row executed through the PSP with the pay-in
 * protocol and its own fixed idempotency key. Orders keep running totals so that no sequence of
 * partial refunds can exceed what was captured, and so a release moves only the share not
 * already refunded.
 */
export const REFUNDS_SCHEMA = `
ALTER TABLE orders ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN refunded_share_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN refunded_share_from_pending_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN refund_reserved_minor INTEGER NOT NULL DEFAULT 0;

CREATE TABLE refunds (
  id INTEGER PRIMARY KEY,
  refund_id TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  reason TEXT NOT NULL,
  refund_key TEXT NOT NULL,
  psp TEXT NOT NULL,
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

CREATE INDEX refunds_by_status ON refunds (status, psp, next_attempt_at);

CREATE TABLE refund_transitions (
  id INTEGER PRIMARY KEY,
  refund_id INTEGER NOT NULL REFERENCES refunds (id),
  from_status TEXT,
  to_status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  cause TEXT NOT NULL
) STRICT;

CREATE TRIGGER refund_transitions_no_update BEFORE UPDATE ON refund_transitions
BEGIN SELECT RAISE(ABORT, 'refund_transitions is append-only'); END;
CREATE TRIGGER refund_transitions_no_delete BEFORE DELETE ON refund_transitions
BEGIN SELECT RAISE(ABORT, 'refund_transitions is append-only'); END;
`;

/**
 * Held pay_outs (migration 14): a `pay_out` event whose order is not captured yet (created,
 * executing, in retry, pending at the PSP, needing attention) is accepted and kept here instead of
 * being refused; it is released once the order is captured, or rejected with its reason once the
 * order is declined or dead-lettered. The row is the durable promise: a crash between the capture
 * and the release leaves it `held`, and the next run releases it (the release itself is one
 * transaction with its posting and wallet change, and its idempotency key allows it once).
 * At most one pay_out is held per order (the partial unique index).
 */
export const HELD_PAYOUTS_SCHEMA = `
CREATE TABLE held_payouts (
  event_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  seller_id TEXT NOT NULL,
  seller_name TEXT NOT NULL,
  iban TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('held', 'released', 'rejected')),
  held_at TEXT NOT NULL,
  resolved_at TEXT,
  reason TEXT,
  CHECK ((status = 'held') = (resolved_at IS NULL)),
  CHECK ((status = 'rejected') = (reason IS NOT NULL))
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX held_payouts_one_per_order ON held_payouts (order_id) WHERE status = 'held';
CREATE INDEX held_payouts_by_status ON held_payouts (status, held_at);

CREATE TRIGGER held_payouts_no_delete BEFORE DELETE ON held_payouts
BEGIN SELECT RAISE(ABORT, 'held_payouts rows are never deleted: a held pay_out is released or rejected'); END;
CREATE TRIGGER held_payouts_resolved_once BEFORE UPDATE ON held_payouts
WHEN OLD.status IS NOT 'held' OR NEW.event_id IS NOT OLD.event_id OR NEW.order_id IS NOT OLD.order_id
  OR NEW.seller_id IS NOT OLD.seller_id OR NEW.iban IS NOT OLD.iban OR NEW.held_at IS NOT OLD.held_at
BEGIN SELECT RAISE(ABORT, 'held_payouts: a held pay_out is resolved once, and what it holds never changes'); END;
`;

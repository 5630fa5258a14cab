/**
 * Chargebacks: disputes the PSP lost, recorded once each by the PSP's dispute id. `clawed_minor`
 * is the part of the disputed amount still refundable on the order (it counts toward the order's
 * refund totals, like a refund); anything beyond it was already refunded and is a loss.
 */
export const CHARGEBACKS_SCHEMA = `
CREATE TABLE chargebacks (
  id INTEGER PRIMARY KEY,
  dispute_id TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  dispute_fee_minor INTEGER NOT NULL CHECK (dispute_fee_minor >= 0),
  clawed_minor INTEGER NOT NULL CHECK (clawed_minor >= 0),
  share_minor INTEGER NOT NULL,
  psp TEXT NOT NULL,
  disputed_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL
) STRICT;
`;

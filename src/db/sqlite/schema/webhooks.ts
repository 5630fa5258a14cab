/**
 * Webhooks: every PSP event payops accepted (signature and timestamp verified), once, by the
 * PSP's event id, with what applying it did. The row is written in the transaction that applies
 * the event, so an event is either applied and remembered, or neither: a redelivery of a
 * remembered event changes nothing. An event that came too early (its order not pending yet) is
 * not remembered: the PSP delivers it again. Append-only, like the other histories.
 */
export const WEBHOOKS_SCHEMA = `
CREATE TABLE webhook_events (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  psp TEXT NOT NULL,
  event_created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('listen', 'replay')),
  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'already_applied', 'stale', 'deferred', 'unknown_order', 'mismatch', 'conflict', 'ignored')),
  detail TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER webhook_events_no_update BEFORE UPDATE ON webhook_events
BEGIN SELECT RAISE(ABORT, 'webhook_events is append-only'); END;
CREATE TRIGGER webhook_events_no_delete BEFORE DELETE ON webhook_events
BEGIN SELECT RAISE(ABORT, 'webhook_events is append-only'); END;
`;

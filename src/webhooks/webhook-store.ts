import { type Database, readRow, rowShape } from '../db/index.js';

/** A PSP event as it is remembered, with what applying it did. */
export interface RememberedWebhook {
  eventId: string;
  type: string;
  objectId: string;
  orderId: string;
  psp: string;
  eventCreatedAt: string;
  receivedAt: string;
  source: string;
  outcome: string;
  detail: string;
}

const SEEN = rowShape('webhook_events by event id', { outcome: 'text' });

/** All SQL of `webhook_events`: the event ids seen, each with what applying it did. Callers hold the transaction. */
export class WebhookEventStore {
  private readonly s;

  constructor(db: Database) {
    this.s = {
      seen: db.prepare('SELECT outcome FROM webhook_events WHERE event_id = ?'),
      remember: db.prepare(
        `INSERT INTO webhook_events (event_id, type, object_id, order_id, psp, event_created_at, received_at, source, outcome, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Whether an event with this id was remembered before. */
  seen(eventId: string): boolean {
    return readRow(SEEN, this.s.seen.get(eventId)) !== undefined;
  }

  remember(event: RememberedWebhook): void {
    this.s.remember.run(
      event.eventId,
      event.type,
      event.objectId,
      event.orderId,
      event.psp,
      event.eventCreatedAt,
      event.receivedAt,
      event.source,
      event.outcome,
      event.detail,
    );
  }
}

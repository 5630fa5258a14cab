import { type Database, type ShapeRow, readRow, readRows, rowShape } from '../db/index.js';
import type { PayOutEvent } from '../payments/events.js';

export type HeldStatus = 'held' | 'released' | 'rejected';

export interface HeldPayOut {
  eventId: string;
  orderId: string;
  sellerId: string;
  source: string;
  status: HeldStatus;
  /** The order's status now: what the pay_out waits for. */
  orderStatus: string;
  heldAt: string;
  resolvedAt: string | null;
  reason: string | null;
}

/** A held pay_out with the seller details it carries (applied only at its release). */
export interface HeldPayOutDetails extends HeldPayOut {
  sellerName: string;
  iban: string;
}

const HELD_ROW = rowShape('held_payouts joined with orders', {
  event_id: 'text',
  order_id: 'text',
  seller_id: 'text',
  seller_name: 'text',
  iban: 'text',
  source: 'text',
  status: ['held', 'released', 'rejected'],
  order_status: 'text',
  held_at: 'text',
  resolved_at: 'text?',
  reason: 'text?',
});
const HELD_FOR = rowShape('held_payouts held for an order', { event_id: 'text' });
const REJECTED = rowShape('held_payouts rejected and unreleased', {
  held_at: 'text',
  source: 'text',
});

const SELECT_HELD = `SELECT h.event_id, h.order_id, h.seller_id, h.seller_name, h.iban, h.source, h.status, o.status AS order_status,
                            h.held_at, h.resolved_at, h.reason
                     FROM held_payouts h JOIN orders o ON o.order_id = h.order_id`;

/**
 * All SQL of `held_payouts` (migration 14). On a book older than that migration (tests write such
 * books with this code) `available` is false and nothing is prepared: callers ask it first.
 */
export class HeldPayOutStore {
  private readonly s;
  readonly available: boolean;

  constructor(private readonly db: Database) {
    this.available =
      db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'held_payouts'")
        .get() !== undefined;
    if (!this.available) {
      this.s = undefined;
      return;
    }
    this.s = {
      heldFor: db.prepare(
        "SELECT event_id FROM held_payouts WHERE order_id = ? AND status = 'held'",
      ),
      insert: db.prepare(
        `INSERT INTO held_payouts (event_id, order_id, seller_id, seller_name, iban, source, status, held_at)
         VALUES (?, ?, ?, ?, ?, ?, 'held', ?)`,
      ),
      waiting: db.prepare(`${SELECT_HELD} WHERE h.status = 'held' ORDER BY h.held_at, h.event_id`),
      one: db.prepare(`${SELECT_HELD} WHERE h.event_id = ?`),
      rejectedUnreleased: db.prepare(
        `SELECT h.held_at, h.source FROM held_payouts h JOIN orders o ON o.order_id = h.order_id
         WHERE h.event_id = ? AND h.status = 'rejected' AND o.release_event_id IS NOT h.event_id`,
      ),
      resolve: db.prepare(
        "UPDATE held_payouts SET status = ?, resolved_at = ?, reason = ? WHERE event_id = ? AND status = 'held'",
      ),
    };
  }

  /** The event id of the pay_out held for this order, if one is. */
  heldFor(orderId: string): string | undefined {
    return readRow(HELD_FOR, this.s?.heldFor.get(orderId))?.event_id;
  }

  insert(event: PayOutEvent, source: string, at: string): void {
    this.s?.insert.run(
      event.eventId,
      event.orderId,
      event.seller.id,
      event.seller.name,
      event.seller.iban,
      source,
      at,
    );
  }

  waiting(): HeldPayOut[] {
    if (this.s === undefined) return [];
    return readRows(HELD_ROW, this.s.waiting.all()).map(toHeld);
  }

  /** Held pay_outs, oldest first; `all` also those released or rejected. */
  list(all: boolean): HeldPayOut[] {
    if (this.s === undefined) return [];
    const rows = this.db
      .prepare(
        `${SELECT_HELD} WHERE (@all = 1 OR h.status = 'held') ORDER BY h.held_at, h.event_id`,
      )
      .all({ all: all ? 1 : 0 });
    return readRows(HELD_ROW, rows).map(toHeld);
  }

  one(eventId: string): HeldPayOutDetails | undefined {
    const row = readRow(HELD_ROW, this.s?.one.get(eventId));
    return row === undefined
      ? undefined
      : { ...toHeld(row), sellerName: row.seller_name, iban: row.iban };
  }

  /** A pay_out rejected while held whose order it never released, with when and whence it came. */
  rejectedUnreleased(eventId: string): { heldAt: string; source: string } | undefined {
    const row = readRow(REJECTED, this.s?.rejectedUnreleased.get(eventId));
    return row === undefined ? undefined : { heldAt: row.held_at, source: row.source };
  }

  /** Marks a held pay_out released or rejected; false if another process did first. */
  resolve(
    eventId: string,
    status: 'released' | 'rejected',
    at: string,
    reason: string | null,
  ): boolean {
    return this.s?.resolve.run(status, at, reason, eventId).changes === 1;
  }
}

function toHeld(row: ShapeRow<typeof HELD_ROW>): HeldPayOut {
  return {
    eventId: row.event_id,
    orderId: row.order_id,
    sellerId: row.seller_id,
    source: row.source,
    status: row.status,
    orderStatus: row.order_status,
    heldAt: row.held_at,
    resolvedAt: row.resolved_at,
    reason: row.reason,
  };
}

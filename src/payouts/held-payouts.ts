import type { Database } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import { Releases } from './release.js';
import { Wallets } from '../wallet/wallet.js';
import { nowIso } from '../time.js';
import type { PayOutEvent } from '../payments/events.js';

/**
 * Held pay_outs: a `pay_out` for an order that is not captured yet (the same file's pay_in, or an
 * order still executing or in retry) is kept instead of refused, then released once the order is
 * captured or rejected once it never can be (declined, refunded in full, released by another
 * event); a dead-lettered order keeps it held, `dlq requeue` may still capture it. The seller
 * details it carries are applied only at its release. The table (migration 14) is the durable
 * promise; `settleHeldPayOuts` keeps it, one transaction a pay_out.
 */
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

export interface HeldSettlement {
  released: number;
  rejected: { eventId: string; orderId: string; reason: string }[];
  /** Still waiting for their order after this pass. */
  stillHeld: number;
}

interface HeldRow {
  event_id: string;
  order_id: string;
  seller_id: string;
  seller_name: string;
  iban: string;
  source: string;
  status: HeldStatus;
  order_status: string;
  held_at: string;
  resolved_at: string | null;
  reason: string | null;
}

const SELECT_HELD = `SELECT h.event_id, h.order_id, h.seller_id, h.seller_name, h.iban, h.source, h.status, o.status AS order_status,
                            h.held_at, h.resolved_at, h.reason
                     FROM held_payouts h JOIN orders o ON o.order_id = h.order_id`;

/** All SQL of held pay_outs. */
export class HeldPayOuts {
  private readonly s;
  /** False on a book older than migration 14 (tests write such books with this code): nothing is held. */
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

  /** Holds `event` (inside the intake transaction); refused when the order already has one held. */
  hold(
    event: PayOutEvent,
    source: string,
    at: string,
  ): { ok: true } | { ok: false; field: string; reason: string } {
    if (this.s === undefined)
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} is not captured yet: only a captured order can be released`,
      };
    const other = this.s.heldFor.get(event.orderId) as { event_id: string } | undefined;
    if (other !== undefined)
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} already has a pay_out held until it is captured (event ${other.event_id})`,
      };
    this.s.insert.run(
      event.eventId,
      event.orderId,
      event.seller.id,
      event.seller.name,
      event.seller.iban,
      source,
      at,
    );
    return { ok: true };
  }

  waiting(): HeldPayOut[] {
    if (this.s === undefined) return [];
    return (this.s.waiting.all() as HeldRow[]).map(toHeld);
  }

  /** Every held pay_out (all: also those released or rejected), oldest first. */
  list(options: { all?: boolean } = {}): HeldPayOut[] {
    if (this.s === undefined) return [];
    const rows = this.db
      .prepare(
        `${SELECT_HELD} WHERE (@all = 1 OR h.status = 'held') ORDER BY h.held_at, h.event_id`,
      )
      .all({ all: options.all ? 1 : 0 });
    return (rows as HeldRow[]).map(toHeld);
  }

  /** The pay_out event a held row stands for, to release it. */
  eventOf(eventId: string): { event: PayOutEvent; row: HeldRow } | undefined {
    const row = this.s?.one.get(eventId) as HeldRow | undefined;
    if (row === undefined || row.status !== 'held') return undefined;
    const event: PayOutEvent = {
      type: 'pay_out',
      eventId: row.event_id,
      occurredAt: row.held_at,
      orderId: row.order_id,
      seller: { id: row.seller_id, name: row.seller_name, iban: row.iban },
      contentHash: '',
    };
    return { event, row };
  }

  /**
   * A held pay_out that was rejected and whose order it never released: a re-send of it is judged
   * again instead of counted as a duplicate (its event id is not spent by the rejection).
   */
  rejectedEarlier(eventId: string): { receivedAt: string; source: string } | undefined {
    const row = this.s?.rejectedUnreleased.get(eventId) as
      | { held_at: string; source: string }
      | undefined;
    return row === undefined ? undefined : { receivedAt: row.held_at, source: row.source };
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

function toHeld(row: HeldRow): HeldPayOut {
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

/**
 * Releases every held pay_out whose order is now captured and rejects those whose order can no
 * longer be; the others stay held. Each is one transaction: the held row, the order's release,
 * its posting and the seller's wallet move together, so wallet = ledger after every step, and a
 * crash anywhere leaves either all of it or none (the next run picks the rest up). Idempotent:
 * the guarded `resolve` and the posting's idempotency key let a pay_out be applied at most once.
 */
export function settleHeldPayOuts(db: Database, now: () => string = nowIso): HeldSettlement {
  const held = new HeldPayOuts(db);
  const releases = new Releases(db);
  const ledger = new Ledger(db);
  const wallets = new Wallets(db);
  const settlement: HeldSettlement = { released: 0, rejected: [], stillHeld: 0 };
  for (const waiting of held.waiting()) {
    db.transaction(() => {
      const current = held.eventOf(waiting.eventId);
      if (current === undefined) return; // settled by another process meanwhile
      const at = now();
      const outcome = releases.apply(current.event, at, { sellerDetails: false });
      if (!outcome.ok && outcome.wait) {
        settlement.stillHeld++;
        return;
      }
      if (!outcome.ok) {
        const reason = `held pay_out rejected: ${outcome.reason}`;
        if (held.resolve(waiting.eventId, 'rejected', at, reason))
          settlement.rejected.push({ eventId: waiting.eventId, orderId: waiting.orderId, reason });
        return;
      }
      if (!held.resolve(waiting.eventId, 'released', at, null)) return;
      // The seller's details it carries apply now, with the release, unless a newer pay_out's did.
      releases.recordSellerIfNewest(
        current.event,
        { receivedAt: current.row.held_at, source: current.row.source },
        at,
      );
      if (outcome.posting)
        ledger.postBatch([outcome.posting], () => `release of held ${waiting.orderId}`);
      if (outcome.delta) wallets.apply([outcome.delta], at);
      settlement.released++;
    }).immediate();
  }
  return settlement;
}

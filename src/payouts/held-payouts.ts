import type { PayOutEvent } from '../payments/events.js';
import type { HeldPayOut, HeldPayOutStore } from './held-payouts-store.js';

/**
 * Held pay_outs: a `pay_out` for an order that is not captured yet (the same file's pay_in, or an
 * order still executing or in retry) is kept instead of refused, then released once the order is
 * captured or rejected once it never can be (declined, refunded in full, released by another
 * event); a dead-lettered order keeps it held, `dlq requeue` may still capture it. The seller
 * details it carries are applied only at its release. The table (migration 14) is the durable
 * promise; `settleHeldPayOuts` (settle-held.ts) keeps it, one unit of work a pay_out.
 */
export type { HeldPayOut } from './held-payouts-store.js';

/** Held pay_outs: holding one, and what a release or a re-send needs to know of them. */
export class HeldPayOuts {
  /** False on a book older than migration 14 (tests write such books with this code): nothing is held. */
  readonly available: boolean;

  /** Over the held pay_outs' rows (inside the intake's or a release's transaction, as its caller holds it). */
  constructor(private readonly store: HeldPayOutStore) {
    this.available = store.available;
  }

  /** Holds `event` (inside the intake transaction); refused when the order already has one held. */
  hold(
    event: PayOutEvent,
    source: string,
    at: string,
  ): { ok: true } | { ok: false; field: string; reason: string } {
    if (!this.available)
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} is not captured yet: only a captured order can be released`,
      };
    const other = this.store.heldFor(event.orderId);
    if (other !== undefined)
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} already has a pay_out held until it is captured (event ${other})`,
      };
    this.store.insert(event, source, at);
    return { ok: true };
  }

  waiting(): HeldPayOut[] {
    return this.store.waiting();
  }

  /** Every held pay_out (all: also those released or rejected), oldest first. */
  list(options: { all?: boolean } = {}): HeldPayOut[] {
    return this.store.list(options.all === true);
  }

  /** The pay_out event a held row stands for, to release it, with when and whence it was accepted. */
  eventOf(
    eventId: string,
  ): { event: PayOutEvent; accepted: { receivedAt: string; source: string } } | undefined {
    const held = this.store.one(eventId);
    if (held === undefined || held.status !== 'held') return undefined;
    const event: PayOutEvent = {
      type: 'pay_out',
      eventId: held.eventId,
      occurredAt: held.heldAt,
      orderId: held.orderId,
      seller: { id: held.sellerId, name: held.sellerName, iban: held.iban },
      contentHash: '',
    };
    return { event, accepted: { receivedAt: held.heldAt, source: held.source } };
  }

  /**
   * A held pay_out that was rejected and whose order it never released: a re-send of it is judged
   * again instead of counted as a duplicate (its event id is not spent by the rejection).
   */
  rejectedEarlier(eventId: string): { receivedAt: string; source: string } | undefined {
    const row = this.store.rejectedUnreleased(eventId);
    return row === undefined ? undefined : { receivedAt: row.heldAt, source: row.source };
  }

  /** Marks a held pay_out released or rejected; false if another process did first. */
  resolve(
    eventId: string,
    status: 'released' | 'rejected',
    at: string,
    reason: string | null,
  ): boolean {
    return this.store.resolve(eventId, status, at, reason);
  }
}

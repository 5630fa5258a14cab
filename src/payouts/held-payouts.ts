import type { Database } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import { Releases } from './release.js';
import { Wallets } from '../wallet/wallet.js';
import { nowIso } from '../time.js';
import type { PayOutEvent } from '../payments/events.js';
import { type HeldPayOut, HeldPayOutStore } from './held-payouts-store.js';

/**
 * Held pay_outs: a `pay_out` for an order that is not captured yet (the same file's pay_in, or an
 * order still executing or in retry) is kept instead of refused, then released once the order is
 * captured or rejected once it never can be (declined, refunded in full, released by another
 * event); a dead-lettered order keeps it held, `dlq requeue` may still capture it. The seller
 * details it carries are applied only at its release. The table (migration 14) is the durable
 * promise; `settleHeldPayOuts` keeps it, one transaction a pay_out.
 */
export type { HeldPayOut } from './held-payouts-store.js';

export interface HeldSettlement {
  released: number;
  rejected: { eventId: string; orderId: string; reason: string }[];
  /** Still waiting for their order after this pass. */
  stillHeld: number;
}

/** Held pay_outs: holding one, and what a release or a re-send needs to know of them. */
export class HeldPayOuts {
  private readonly store: HeldPayOutStore;
  /** False on a book older than migration 14 (tests write such books with this code): nothing is held. */
  readonly available: boolean;

  constructor(db: Database) {
    this.store = new HeldPayOutStore(db);
    this.available = this.store.available;
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
      releases.recordSellerIfNewest(current.event, current.accepted, at);
      if (outcome.posting)
        ledger.postBatch([outcome.posting], () => `release of held ${waiting.orderId}`);
      if (outcome.delta) wallets.apply([outcome.delta], at);
      settlement.released++;
    }).immediate();
  }
  return settlement;
}

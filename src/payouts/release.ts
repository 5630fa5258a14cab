import type { PostingRequest } from '../ledger/index.js';
import type { PayOutEvent } from '../payments/events.js';
import type { PaymentsStore } from '../payments/store.js';
import { releaseTransaction } from '../postings/index.js';
import type { WalletDelta } from '../wallet/wallet-store.js';
import type { SellerStore } from './sellers-store.js';

/**
 * What a release writes, why it is refused, or (`wait`) that the order is not captured yet but may
 * still be: the pay_out is then held until it is (src/payouts/held-payouts.ts).
 */
export type ReleaseOutcome =
  | { ok: true; posting: PostingRequest | null; delta: WalletDelta | null }
  | { ok: false; field: string; reason: string; wait?: true };

/**
 * Order states from which a capture can still come: a pay_out for them waits instead of being
 * refused. `dead_lettered` is one: `dlq requeue` sends the charge again. Only final states
 * (failed, refunded in full, already released) refuse a pay_out.
 */
const CAPTURE_STILL_POSSIBLE: readonly string[] = [
  'created',
  'executing',
  'retry_scheduled',
  'pending',
  'needs_attention',
  'dead_lettered',
];

/**
 * A `pay_out` event: the order was delivered, so the seller's share moves from pending to payable
 * (Dr seller pending / Cr seller payable) and the seller's payout details are recorded. Money moves
 * at the next `payout run`. Runs inside the intake transaction; the caller posts and applies the
 * wallet delta in that same transaction.
 */
export class Releases {
  /** The caller's stores on the intake's (or the settler's) connection. */
  constructor(
    private readonly orders: PaymentsStore,
    private readonly sellers: SellerStore,
  ) {}

  /**
   * `sellerDetails: false` for a held pay_out: the settler records its details in the same
   * transaction with `recordSellerIfNewest` (a pay_out accepted after it may have replaced them).
   */
  apply(event: PayOutEvent, at: string, options: { sellerDetails?: boolean } = {}): ReleaseOutcome {
    const order = this.orders.releasableOrder(event.orderId);
    if (!order)
      return { ok: false, field: 'orderId', reason: `order ${event.orderId} does not exist` };
    if (order.seller_id !== event.seller.id) {
      return {
        ok: false,
        field: 'seller.id',
        reason: `order ${event.orderId} belongs to seller ${order.seller_id}, not ${event.seller.id}`,
      };
    }
    if (order.status !== 'succeeded') {
      if (CAPTURE_STILL_POSSIBLE.includes(order.status)) {
        return {
          ok: false,
          wait: true,
          field: 'orderId',
          reason: `order ${event.orderId} is ${order.status}, not captured yet`,
        };
      }
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} is ${order.status}, not captured: only a captured order can be released`,
      };
    }
    if (order.released_at !== null) {
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} was already released by event ${order.release_event_id}`,
      };
    }
    if (order.refund_reserved_minor >= order.amount_minor) {
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} was refunded in full: there is nothing to release`,
      };
    }
    if (!this.orders.markReleased(event.orderId, event.eventId, at)) {
      return {
        ok: false,
        field: 'orderId',
        reason: `order ${event.orderId} was released concurrently`,
      };
    }
    if (options.sellerDetails !== false) this.recordSeller(event, at);
    const currency = order.currency;
    // Refunds made while the order was pending already took their share from pending.
    const shareMinor =
      order.amount_minor - order.platform_fee_minor - order.refunded_share_from_pending_minor;
    if (shareMinor === 0n) return { ok: true, posting: null, delta: null }; // the platform kept it all
    return {
      ok: true,
      posting: releaseTransaction(
        {
          orderId: event.orderId,
          sellerId: event.seller.id,
          currency,
          shareMinor,
          eventId: event.eventId,
        },
        at,
      ),
      delta: {
        sellerId: event.seller.id,
        currency,
        pendingMinor: -shareMinor,
        payableMinor: shareMinor,
        paidOutMinor: 0n,
      },
    };
  }

  /** The seller's payout details as this pay_out gives them (the latest event's win). */
  recordSeller(event: PayOutEvent, at: string): void {
    this.sellers.upsert(
      {
        sellerId: event.seller.id,
        name: event.seller.name,
        iban: event.seller.iban,
        sourceEventId: event.eventId,
      },
      at,
    );
  }

  /**
   * For a pay_out released later than it was accepted (held): its details are recorded only if no
   * pay_out accepted after it recorded others since. Acceptance order is the event's `received_at`,
   * then, within one intake batch (same instant, same file), its line; a tie across files keeps
   * what is recorded. `accepted` is the held event's `received_at` and `source` (`file:line`).
   */
  recordSellerIfNewest(
    event: PayOutEvent,
    accepted: { receivedAt: string; source: string },
    at: string,
  ): boolean {
    const recorded = this.sellers.recordedFrom(event.seller.id);
    if (
      recorded !== undefined &&
      recorded.receivedAt !== null &&
      recorded.source !== null &&
      !acceptedAfter(accepted, { receivedAt: recorded.receivedAt, source: recorded.source })
    ) {
      return false;
    }
    this.recordSeller(event, at);
    return true;
  }
}

function acceptedAfter(
  a: { receivedAt: string; source: string },
  b: { receivedAt: string; source: string },
): boolean {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt > b.receivedAt;
  const split = (source: string) => {
    const colon = source.lastIndexOf(':');
    return { file: source.slice(0, colon), line: Number(source.slice(colon + 1)) };
  };
  const [x, y] = [split(a.source), split(b.source)];
  return x.file === y.file && x.line > y.line;
}

import { type Database, inTransaction } from '../db/index.js';
import { failpoint } from '../failpoints.js';
import { Ledger } from '../ledger/index.js';
import { type Currency, formatMoney, money } from '../money/index.js';
import { PaymentsStore } from '../payments/store.js';
import { chargebackTransaction } from '../postings/index.js';
import type { Dispute, PaymentServiceProvider } from '../psp/port.js';
import { nowIso } from '../time.js';
import { Wallets } from '../wallet/wallet.js';
import { type RefundedOrder, refundWalletDelta, splitRefund } from './apply.js';
import { ChargebackStore } from './chargebacks-store.js';

export interface ChargebackSync {
  recorded: number;
  alreadyRecorded: number;
  /** Disputes for charges payops has no order for: reconciliation's `missing_internal`. */
  unmatched: Dispute[];
  /** Disputes naming an order whose PSP, charge or amount they do not fit: nothing booked, left for reconciliation. */
  mismatched: { dispute: Dispute; detail: string }[];
  /**
   * Disputes of orders payops has not captured yet (the charge's answer is still being retried,
   * or pending), or whose refund is still in flight: booked by a later sync, or by their webhook,
   * once the capture is booked or the refund is final. `reason` says which.
   */
  waiting: { dispute: Dispute; status: string; reason: string }[];
  /** Disputes of orders payops has as failed: the PSP says otherwise; left for reconciliation. */
  conflicts: Dispute[];
  clawedMinor: Map<Currency, bigint>;
}

/**
 * Fetches the PSP's disputes and records each new one in one transaction: the disputed money and
 * the dispute fee leave the PSP receivable, and the seller's share is clawed back exactly like a
 * refund (same cumulative split, from pending or payable). The part of a dispute that exceeds
 * what was still refundable (the buyer got a refund and disputed anyway) is booked as a loss.
 */
export async function syncChargebacks(
  db: Database,
  psp: PaymentServiceProvider,
): Promise<ChargebackSync> {
  const disputes = await psp.listDisputes();
  return inTransaction(db, () => {
    const recorder = new ChargebackRecorder(db, psp.name);
    const at = nowIso();
    const sync: ChargebackSync = {
      recorded: 0,
      alreadyRecorded: 0,
      unmatched: [],
      mismatched: [],
      waiting: [],
      conflicts: [],
      clawedMinor: new Map(),
    };
    for (const dispute of disputes) {
      const outcome = recorder.record(dispute, at);
      if (outcome.recorded === 'booked') {
        sync.recorded++;
        sync.clawedMinor.set(
          dispute.currency,
          (sync.clawedMinor.get(dispute.currency) ?? 0n) + outcome.shareMinor,
        );
      } else if (outcome.recorded === 'known') {
        sync.alreadyRecorded++;
      } else if (outcome.recorded === 'not_captured') {
        if (outcome.status === 'failed') sync.conflicts.push(dispute);
        else
          sync.waiting.push({
            dispute,
            status: outcome.status,
            reason: `the order is ${outcome.status} in payops, not captured yet`,
          });
      } else if (outcome.recorded === 'refund_in_flight') {
        sync.waiting.push({ dispute, status: 'succeeded', reason: outcome.reason });
      } else if (outcome.recorded === 'mismatch') {
        sync.mismatched.push({ dispute, detail: outcome.detail });
      } else {
        sync.unmatched.push(dispute);
      }
    }
    failpoint('chargebacks.before-commit');
    return sync;
  });
}

/**
 * Books one dispute, once, by its id: the one place chargebacks are posted, for `chargebacks
 * sync` and for `dispute.created` webhooks alike. Runs inside the caller's transaction.
 */
export class ChargebackRecorder {
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;
  private readonly orders: PaymentsStore;
  private readonly chargebacks: ChargebackStore;

  constructor(
    db: Database,
    private readonly psp: string,
  ) {
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
    this.orders = new PaymentsStore(db);
    this.chargebacks = new ChargebackStore(db);
  }

  /** Whether a dispute with this id is booked already. */
  isKnown(disputeId: string): boolean {
    return this.chargebacks.isKnown(disputeId);
  }

  /**
   * Only a captured order is charged back: its capture credited the seller's share, which the
   * chargeback claws back. Before that (the PSP captured it, payops is still retrying or waiting
   * for a pending charge) there is nothing to claw back yet; a failed order is a disagreement.
   */
  record(
    dispute: Dispute,
    at: string,
  ):
    | { recorded: 'known' | 'unmatched' }
    | { recorded: 'mismatch'; detail: string }
    | { recorded: 'not_captured'; status: string }
    | { recorded: 'refund_in_flight'; reason: string }
    | { recorded: 'booked'; shareMinor: bigint } {
    if (this.isKnown(dispute.disputeId)) return { recorded: 'known' };
    const row = this.orders.disputedOrder(dispute.merchantReference);
    if (!row || row.currency !== dispute.currency) return { recorded: 'unmatched' };
    // The dispute must be of the charge payops booked for this order, through this PSP, and no larger.
    const differs =
      row.psp !== this.psp
        ? `the order was charged through ${row.psp}, not ${this.psp}`
        : row.psp_reference !== null && row.psp_reference !== dispute.chargeReference
          ? `the order's charge is ${row.psp_reference}, the dispute is on ${dispute.chargeReference}`
          : dispute.amountMinor > row.amount_minor
            ? `the dispute is for ${formatMoney(money(dispute.amountMinor, dispute.currency))}, more than the order's ${formatMoney(money(row.amount_minor, dispute.currency))}`
            : undefined;
    if (differs !== undefined) return { recorded: 'mismatch', detail: differs };
    if (row.status !== 'succeeded') return { recorded: 'not_captured', status: row.status };
    // What a chargeback claws back from the seller is what no refund has reserved. A refund still
    // in flight may yet be declined (PSPs refuse refunds of disputed charges), which would leave
    // the seller's share with the seller and the whole dispute as the platform's loss: wait for it.
    if (row.refund_reserved_minor > row.refunded_minor) {
      return {
        recorded: 'refund_in_flight',
        reason: `a refund of ${formatMoney(money(row.refund_reserved_minor - row.refunded_minor, row.currency))} on the order is still in flight (\`payops retry run\` settles it)`,
      };
    }
    const order: RefundedOrder = {
      orderId: row.order_id,
      sellerId: row.seller_id,
      currency: row.currency,
      amountMinor: row.amount_minor,
      platformFeeMinor: row.platform_fee_minor,
      refundedMinor: row.refunded_minor,
      refundedShareMinor: row.refunded_share_minor,
      released: row.released_at !== null,
    };
    const refundable = row.amount_minor - row.refund_reserved_minor;
    const clawed =
      dispute.amountMinor < refundable ? dispute.amountMinor : refundable > 0n ? refundable : 0n;
    const split =
      clawed > 0n
        ? splitRefund(order, clawed)
        : {
            shareMinor: 0n,
            feeMinor: 0n,
            bucket: order.released ? ('payable' as const) : ('pending' as const),
          };
    this.ledger.postBatch(
      [chargebackTransaction(dispute, order, clawed, split, this.psp)],
      () => `chargeback ${dispute.disputeId}`,
    );
    if (split.shareMinor > 0n) this.wallets.apply([refundWalletDelta(order, split)], at);
    this.orders.addChargeback(
      row.order_id,
      clawed,
      split.shareMinor,
      split.bucket === 'pending' ? split.shareMinor : 0n,
      at,
    );
    this.chargebacks.insert({
      disputeId: dispute.disputeId,
      orderId: row.order_id,
      currency: dispute.currency,
      amountMinor: dispute.amountMinor,
      disputeFeeMinor: dispute.disputeFeeMinor,
      clawedMinor: clawed,
      shareMinor: split.shareMinor,
      psp: this.psp,
      disputedAt: dispute.createdAt,
      recordedAt: at,
    });
    return { recorded: 'booked', shareMinor: split.shareMinor };
  }
}

import type { Ledger } from '../ledger/index.js';
import { formatMoney, money } from '../money/index.js';
import type { PaymentsStore } from '../payments/store.js';
import { chargebackTransaction } from '../postings/index.js';
import type { Dispute } from '../psp/port.js';
import type { Wallets } from '../wallet/wallet-store.js';
import { type RefundedOrder, refundWalletDelta, splitRefund } from './apply.js';
import type { DisputeRecord } from './chargeback-sync-store.js';
import type { ChargebackStore } from './chargebacks-store.js';

/** The rows a chargeback writes, each read and written inside the transaction the recorder's caller holds. */
export interface ChargebackStores {
  ledger: Pick<Ledger, 'postBatch'>;
  wallets: Pick<Wallets, 'apply'>;
  orders: Pick<PaymentsStore, 'disputedOrder' | 'addChargeback'>;
  chargebacks: Pick<ChargebackStore, 'isKnown' | 'insert'>;
}

/**
 * Books one dispute, once, by its id: the one place chargebacks are posted, for `chargebacks
 * sync` and for `dispute.created` webhooks alike. Runs inside the caller's transaction.
 */
export class ChargebackRecorder {
  private readonly ledger: ChargebackStores['ledger'];
  private readonly wallets: ChargebackStores['wallets'];
  private readonly orders: ChargebackStores['orders'];
  private readonly chargebacks: ChargebackStores['chargebacks'];

  constructor(
    stores: ChargebackStores,
    private readonly psp: string,
  ) {
    this.ledger = stores.ledger;
    this.wallets = stores.wallets;
    this.orders = stores.orders;
    this.chargebacks = stores.chargebacks;
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
  record(dispute: Dispute, at: string): DisputeRecord {
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

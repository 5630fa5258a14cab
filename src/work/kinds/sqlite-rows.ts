import type { Database } from '../../db/index.js';
import { InvariantError } from '../../errors.js';
import { Ledger } from '../../ledger/index.js';
import { transferStatus } from '../../payments/order-state.js';
import { nextRetryAt } from '../../payments/sqlite-order-reads.js';
import { type ClaimedOrder, PaymentsStore } from '../../payments/store.js';
import { type ClaimedPayout, PayoutStore } from '../../payouts/store.js';
import { refundTransaction } from '../../postings/index.js';
import { refundWalletDelta, splitRefund } from '../../refunds/apply.js';
import type { Effects, KindRows } from '../kind.js';
import { type ClaimedRefund, RefundWorkStore } from '../../refunds/store.js';

/** Orders (charges) on SQLite, through PaymentsStore. */
export function chargeRows(db: Database): KindRows<ClaimedOrder> {
  const store = new PaymentsStore(db);
  return {
    table: 'orders',
    recoverLeases: (psp, at, judge) => store.recoverLeases(psp, at, judge),
    claimDue: (psp, owner, leaseUntil, at, limit) =>
      store.claimDue(psp, owner, leaseUntil, at, limit),
    claimDeadLettered: (ids, psp, owner, leaseUntil, at, cause) =>
      store.claimDeadLettered(ids, psp, owner, leaseUntil, at, cause),
    finish: (order, from, owner, outcome, at, cause) =>
      store.finish(order, from, owner, outcome, at, cause),
    nextRetryAt: (psp) => nextRetryAt(db, psp),
    birthMismatch: (order) => store.birthMismatch(order.id),
  };
}

/** Payouts on SQLite, through PayoutStore. */
export function payoutRows(db: Database): KindRows<ClaimedPayout> {
  const store = new PayoutStore(db);
  return {
    table: 'payouts',
    recoverLeases: (psp, at, judge) => store.recoverLeases(psp, at, judge),
    claimDue: (psp, owner, leaseUntil, at, limit) =>
      store.claimDue(psp, owner, leaseUntil, at, limit),
    claimDeadLettered: (ids, psp, owner, leaseUntil, at, cause) =>
      store.claimDeadLettered(ids, psp, owner, leaseUntil, at, cause),
    finish: (payout, _from, owner, outcome, at, cause) =>
      store.finish(payout, owner, { ...outcome, to: transferStatus(outcome.to) }, at, cause),
    nextRetryAt: (psp) => store.nextRetryAt(psp),
    needingAttention: (payoutId) => store.payoutNeedingAttention(payoutId),
  };
}

/**
 * Refunds on SQLite, through RefundWorkStore. A success adds to the order's refund totals and
 * posts at once, one refund at a time: the next refund of the same order splits on these totals,
 * read in the same transaction (the split and the posting are the pure rules of refunds/apply.ts
 * and postings/). A decline releases the refund's reservation on the order.
 */
export function refundRows(db: Database): KindRows<ClaimedRefund> {
  const store = new RefundWorkStore(db);
  const ledger = new Ledger(db);
  const succeeded = (
    refund: ClaimedRefund,
    pspReference: string | null | undefined,
    psp: string,
    at: string,
    effects: Effects,
  ) => {
    if (pspReference === undefined || pspReference === null)
      throw new InvariantError(`refund ${refund.refundId}: succeeded without a PSP reference`);
    const order = store.refundedOrder(refund.orderId);
    const split = splitRefund(order, refund.amountMinor);
    const fromPendingMinor = split.bucket === 'pending' ? split.shareMinor : 0n;
    store.addRefunded(refund.orderId, refund.amountMinor, split.shareMinor, fromPendingMinor, at);
    const posting = refundTransaction(
      refund.refundId,
      order,
      refund.amountMinor,
      split,
      psp,
      pspReference,
      at,
    );
    ledger.postBatch([posting], () => `refund ${refund.refundId}`);
    effects.deltas.push(refundWalletDelta(order, split));
  };
  return {
    table: 'refunds',
    recoverLeases: (psp, at, judge) => store.recoverLeases(psp, at, judge),
    claimDue: (psp, owner, leaseUntil, at, limit) =>
      store.claimDue(psp, owner, leaseUntil, at, limit),
    claimDeadLettered: (ids, psp, owner, leaseUntil, at, cause) =>
      store.claimDeadLettered(ids, psp, owner, leaseUntil, at, cause),
    finish: (refund, from, owner, outcome, at, cause) =>
      store.finish(refund, transferStatus(from), owner, outcome, at, cause),
    nextRetryAt: (psp) => store.nextRetryAt(psp),
    // Its reservation on the order stays until a person has looked.
    birthMismatch: (refund) => store.birthMismatch(refund.id),
    needingAttention: (refundId) => store.needingAttention(refundId),
    afterMove: (refund, outcome, psp, at, effects) => {
      if (outcome.to === 'succeeded') succeeded(refund, outcome.pspReference, psp, at, effects);
      else if (outcome.to === 'failed') store.unreserve(refund.orderId, refund.amountMinor, at);
    },
  };
}

import { failpoint } from '../../failpoints.js';
import type { Currency } from '../../money/index.js';
import type { UnrecordedAnswer } from '../../payments/attention.js';
import { ORDER_TRANSITIONS } from '../../payments/order-state.js';
import { captureTransaction, pspFeeTransaction } from '../../postings/index.js';
import type { ClaimedOrder } from '../../payments/store.js';
import type { ChargeResult } from '../../psp/port.js';
import type { KindRules, WorkTally } from '../kind.js';

/** What a run of charges did. */
export interface ChargeTally extends WorkTally {
  pending: number;
  capturedMinor: Map<Currency, bigint>;
}

export function emptyChargeTally(): ChargeTally {
  return {
    attempted: 0,
    succeeded: 0,
    pending: 0,
    failed: 0,
    retryScheduled: 0,
    deadLettered: 0,
    retriesByReason: [],
    deadLettersByReason: [],
    needsAttention: 0,
    lostLease: 0,
    recoveredLeases: 0,
    capturedMinor: new Map(),
    rejections: [],
    bookBehind: null,
  };
}

type ChargeKindRules = KindRules<ClaimedOrder, ChargeResult, ChargeTally>;

/**
 * Charges (pay-in) for the work engine: orders, charged by `payops-<order>-charge`; success
 * posts the capture (and the PSP's fee when it gave one) and adds the seller's share to pending;
 * a decline only fails the order; a pending answer waits for a webhook or `orders sync`.
 */
export function chargeRules(): ChargeKindRules {
  return {
    noun: 'order',
    transitions: ORDER_TRANSITIONS,
    failpoints: {
      afterClaim: () => failpoint('executor.after-claim'),
      afterPspCall: () => failpoint('executor.after-psp-call'),
      beforeRecordCommit: () => failpoint('executor.before-record-commit'),
      afterRecord: () => failpoint('executor.after-record'),
    },
    emptyTally: emptyChargeTally,
    idOf: (order) => order.orderId,
    keyOf: (order) => order.chargeKey,
    available: () => true,
    alteredMessage: (order, mismatch) =>
      `order ${order.orderId} was not charged: ${mismatch}; it was dead-lettered (compare it with its event; \`payops check\` lists every such order)`,
    send: (psp, orders) =>
      psp.charge(
        orders.map((order) => ({
          idempotencyKey: order.chargeKey,
          merchantReference: order.orderId,
          amountMinor: order.amountMinor,
          currency: order.currency,
          paymentToken: order.paymentToken,
        })),
      ),
    lookUp: (psp, order) => psp.lookupCharge(order.orderId),
    causes: {
      succeeded: (psp, pspReference) => `PSP ${psp} captured it as ${pspReference}`,
      pending: (psp, pspReference) =>
        `PSP ${psp} accepted it as pending (${pspReference}); awaiting webhook or sync`,
      declined: (psp, reason) => `PSP ${psp} declined it: ${reason}`,
      request: (order) => `the charge of ${order.orderId} (key ${order.chargeKey})`,
      failure: (failure) => `${failure.detail} (${failure.sent ? 'outcome unknown' : 'not sent'})`,
      setAside: (psp, fact) =>
        `PSP ${psp} answered ${fact.answerStatus} (${fact.pspReference}) and payops could not record it: ${fact.error}; kept for \`payops attention resolve\``,
    },
    succeededEffects: (order, answer, psp, at) => ({
      postings: [
        captureTransaction(order, psp, answer.pspReference, at),
        ...(answer.feeMinor !== null && answer.feeMinor > 0n
          ? [pspFeeTransaction(order, psp, answer.feeMinor, answer.pspReference, at)]
          : []),
      ],
      deltas: [
        {
          sellerId: order.sellerId,
          currency: order.currency,
          pendingMinor: order.amountMinor - order.platformFeeMinor,
          payableMinor: 0n,
          paidOutMinor: 0n,
        },
      ],
    }),
    onSucceeded: (order, tally) => {
      tally.capturedMinor.set(
        order.currency,
        (tally.capturedMinor.get(order.currency) ?? 0n) + order.amountMinor,
      );
    },
    onPending: (tally) => {
      tally.pending++;
    },
    postingLabel: (posting, index) => `order ${posting?.metadata?.orderId ?? index}`,
    factOf: chargeFact,
  };
}

/** The fact to keep for a final charge answer; null for answers that are not final (left for a retry). */
function chargeFact(
  order: ClaimedOrder,
  result: ChargeResult,
  psp: string,
  error: string,
  at: string,
): UnrecordedAnswer | null {
  if (result.status !== 'succeeded' && result.status !== 'declined') return null;
  return {
    kind: 'charge',
    itemId: order.orderId,
    psp,
    answerStatus: result.status,
    pspReference: result.pspReference,
    amountMinor: order.amountMinor,
    currency: order.currency,
    pspFeeMinor: result.status === 'succeeded' ? result.feeMinor : null,
    declineReason: result.status === 'declined' ? result.reason : null,
    error,
    answeredAt: at,
  };
}

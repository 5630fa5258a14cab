import { failpoint } from '../../failpoints.js';
import type { Currency } from '../../money/index.js';
import { transferFact } from '../../payments/attention.js';
import { TRANSFER_TRANSITIONS } from '../../payments/order-state.js';
import type { RefundResult } from '../../psp/port.js';
import type { KindRules, WorkTally } from '../kind.js';
import type { ClaimedRefund } from '../../refunds/store.js';

/** What a run of refunds did. */
export interface RefundTally extends WorkTally {
  refundedMinor: Map<Currency, bigint>;
}

export function emptyRefundTally(): RefundTally {
  return {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    retryScheduled: 0,
    deadLettered: 0,
    retriesByReason: [],
    deadLettersByReason: [],
    needsAttention: 0,
    lostLease: 0,
    recoveredLeases: 0,
    refundedMinor: new Map(),
    rejections: [],
    bookBehind: null,
  };
}

type RefundKindRules = KindRules<ClaimedRefund, RefundResult, RefundTally>;

/**
 * Refunds for the work engine, by the refund's fixed key against the order's charge. Success adds
 * to the order's refund totals and posts at once (the next refund of the same order splits on
 * these totals), then changes the wallet with the batch; a decline releases the reservation on
 * the order; a rejection keeps it until a person knows whether money went back.
 */
export function refundRules(): RefundKindRules {
  return {
    noun: 'refund',
    transitions: TRANSFER_TRANSITIONS,
    failpoints: {
      afterClaim: () => failpoint('refund.after-claim'),
      afterPspCall: () => failpoint('refund.after-psp-call'),
      beforeRecordCommit: () => failpoint('refund.before-record-commit'),
    },
    emptyTally: emptyRefundTally,
    idOf: (refund) => refund.refundId,
    keyOf: (refund) => refund.refundKey,
    available: () => true,
    alteredMessage: (refund, mismatch) =>
      `refund ${refund.refundId} was not sent: ${mismatch}; it was dead-lettered (compare it with its event; \`payops check\` lists every such refund)`,
    send: (psp, refunds) =>
      psp.refund(
        refunds.map((refund) => ({
          idempotencyKey: refund.refundKey,
          refundId: refund.refundId,
          merchantReference: refund.orderId,
          chargeReference: refund.chargeReference,
          amountMinor: refund.amountMinor,
          currency: refund.currency,
        })),
      ),
    lookUp: (psp, refund) => psp.lookupRefund(refund),
    causes: {
      succeeded: (psp, pspReference) => `PSP ${psp} refunded it as ${pspReference}`,
      declined: (psp, reason) => `PSP ${psp} declined the refund: ${reason}`,
      request: (refund) => `refund ${refund.refundId} (key ${refund.refundKey})`,
      failure: (failure) => failure.detail,
      setAside: (psp, fact) =>
        `PSP ${psp} answered ${fact.answerStatus} (${fact.pspReference ?? 'no reference'}) and payops could not record it: ${fact.error}; kept for \`payops attention resolve\``,
    },
    // What a success writes reads the order's refund totals in its transaction: refundRows (sqlite-rows.ts).
    succeededEffects: () => null,
    onSucceeded: (refund, tally) => {
      tally.refundedMinor.set(
        refund.currency,
        (tally.refundedMinor.get(refund.currency) ?? 0n) + refund.amountMinor,
      );
    },
    postingLabel: (posting, index) => `refund ${posting?.metadata?.refundId ?? index}`,
    factOf: (refund, result, psp, error, at) =>
      transferFact('refund', refund.refundId, refund, result, psp, error, at),
  };
}

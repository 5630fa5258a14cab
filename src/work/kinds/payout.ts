import { failpoint } from '../../failpoints.js';
import type { Currency } from '../../money/index.js';
import { transferFact } from '../../payments/attention.js';
import { TRANSFER_TRANSITIONS } from '../../payments/order-state.js';
import type { ClaimedPayout } from '../../payouts/store.js';
import { payoutSentTransaction } from '../../postings/index.js';
import type { PayoutResult } from '../../psp/port.js';
import type { KindRules, WorkTally } from '../kind.js';

/** What a run of payouts did. */
export interface PayoutTally extends WorkTally {
  paidMinor: Map<Currency, bigint>;
}

export function emptyPayoutTally(): PayoutTally {
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
    paidMinor: new Map(),
    rejections: [],
    bookBehind: null,
  };
}

// A restored book may plan a lost transfer again under another id, so "not found" does not prove it was never sent.
const HOLD_WHILE_BEHIND =
  "held: the book is behind its high-water mark and the PSP has no transfer with this id, which a restored book may have planned under another; rerun the payout runs since the backup in their order, or check the PSP's transfers and run `payops init --caught-up`";

type PayoutKindRules = KindRules<ClaimedPayout, PayoutResult, PayoutTally>;

/**
 * Payouts for the work engine: one transfer per seller through the payout PSP, by the payout's
 * fixed key; success moves the amount from the seller's payable to paid out and posts it in
 * transit; a decline leaves it payable for the next run.
 */
export function payoutRules(): PayoutKindRules {
  return {
    noun: 'payout',
    transitions: TRANSFER_TRANSITIONS,
    failpoints: {
      afterClaim: () => failpoint('payout.after-claim'),
      afterPspCall: () => failpoint('payout.after-psp-call'),
      beforeRecordCommit: () => failpoint('payout.before-record-commit'),
    },
    emptyTally: emptyPayoutTally,
    idOf: (payout) => payout.payoutId,
    keyOf: (payout) => payout.payoutKey,
    // `runPayouts` never creates a payout for a PSP that cannot pay out, so there is nothing to claim.
    available: (psp) => psp.supportsPayouts,
    send: (psp, payouts) =>
      psp.payout(
        payouts.map((payout) => ({
          idempotencyKey: payout.payoutKey,
          payoutId: payout.payoutId,
          sellerId: payout.sellerId,
          destination: payout.destination,
          amountMinor: payout.amountMinor,
          currency: payout.currency,
        })),
      ),
    lookUp: (psp, payout) => psp.lookupPayout(payout.payoutId),
    holdWhileBehind: HOLD_WHILE_BEHIND,
    causes: {
      succeeded: (psp, pspReference) => `payout PSP ${psp} sent it as ${pspReference}`,
      // Nothing left the bank: the amount stays payable for the next run.
      declined: (_psp, reason) => `payout PSP declined it: ${reason}`,
      request: (payout) => `payout ${payout.payoutId} (key ${payout.payoutKey})`,
      failure: (failure) => failure.detail,
      setAside: (psp, fact) =>
        `payout PSP ${psp} answered ${fact.answerStatus} (${fact.pspReference ?? 'no reference'}) and payops could not record it: ${fact.error}; kept for \`payops attention resolve\``,
    },
    succeededEffects: (payout, answer, _psp, at) => ({
      postings: [payoutSentTransaction(payout, answer.pspReference, at)],
      deltas: [
        {
          sellerId: payout.sellerId,
          currency: payout.currency,
          pendingMinor: 0n,
          payableMinor: -payout.amountMinor,
          paidOutMinor: payout.amountMinor,
        },
      ],
    }),
    onSucceeded: (payout, tally) => {
      tally.paidMinor.set(
        payout.currency,
        (tally.paidMinor.get(payout.currency) ?? 0n) + payout.amountMinor,
      );
    },
    postingLabel: (posting, index) => `payout ${posting?.metadata?.payoutId ?? index}`,
    factOf: (payout, result, psp, error, at) =>
      transferFact('payout', payout.payoutId, payout, result, psp, error, at),
  };
}

export {
  adjustments,
  bankFees,
  bankInTransit,
  bankOperating,
  chargebackFees,
  equityOpening,
  isPspReceivable,
  payoutsInTransit,
  platformFees,
  pspFees,
  pspReceivable,
  pspUnapplied,
  sellerAccount,
  sellerPending,
  sellerAccounts,
  unidentifiedCredits,
  unidentifiedDebits,
  writeOffs,
} from './accounts.js';
export {
  type EntryFacts,
  balanceLegs,
  bankEffectiveAt,
  bankFeePosting,
  clearSuspenseLegs,
  clearTransitLegs,
  payoutReceivedPosting,
  payoutsLeftPosting,
  suspenseOf,
  transitAccountOf,
  unidentifiedPosting,
} from './bank.js';
export { decisionTransaction, writeBackTransaction } from './decisions.js';
export {
  KEY_PREFIX,
  captureKey,
  chargebackKey,
  payoutSentKey,
  pspFeeKey,
  refundSentKey,
  releaseKey,
  settlementPspFeesKey,
} from './keys.js';
export {
  type Leg,
  posting,
} from './legs.js';
export { captureTransaction, pspFeeTransaction } from './payin.js';
export { payoutSentTransaction, releaseTransaction } from './payout.js';
export { chargebackTransaction, refundTransaction } from './refund.js';
export {
  bookedFeeAccountOf,
  feeLegs,
  recordReversalLegs,
  rowBookingLegs,
  settlementPspFeesTransaction,
  settlementTransaction,
} from './settlement.js';

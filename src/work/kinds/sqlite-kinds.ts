import type { Database } from '../../db/index.js';
import type { ClaimedOrder } from '../../payments/store.js';
import type { ClaimedPayout } from '../../payouts/store.js';
import type { ChargeResult, PayoutResult, RefundResult } from '../../psp/port.js';
import type { ClaimedRefund } from '../../refunds/store.js';
import type { WorkKind } from '../kind.js';
import { type ChargeTally, chargeRules } from './charge.js';
import { type PayoutTally, payoutRules } from './payout.js';
import { type RefundTally, refundRules } from './refund.js';
import { chargeRows, payoutRows, refundRows } from './sqlite-rows.js';

/** The charge rules bound to their rows on an SQLite book (the executor suite drives it so). */
export function chargeKind(db: Database): WorkKind<ClaimedOrder, ChargeResult, ChargeTally> {
  return { ...chargeRules(), ...chargeRows(db) };
}

/** The refund rules bound to their rows on an SQLite book (the executor suite drives it so). */
export function refundKind(db: Database): WorkKind<ClaimedRefund, RefundResult, RefundTally> {
  return { ...refundRules(), ...refundRows(db) };
}

/** The payout rules bound to their rows on an SQLite book (the executor suite drives it so). */
export function payoutKind(db: Database): WorkKind<ClaimedPayout, PayoutResult, PayoutTally> {
  return { ...payoutRules(), ...payoutRows(db) };
}

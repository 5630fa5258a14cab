import type { Database } from '../../src/db/index.js';
import type { ClaimedOrder } from '../../src/payments/store.js';
import type { ClaimedPayout } from '../../src/payouts/store.js';
import type { ChargeResult, PayoutResult, RefundResult } from '../../src/psp/port.js';
import type { ClaimedRefund } from '../../src/refunds/store.js';
import type { WorkKind } from '../../src/work/kind.js';
import { type ChargeTally, chargeRules } from '../../src/work/kinds/charge.js';
import { type PayoutTally, payoutRules } from '../../src/work/kinds/payout.js';
import { type RefundTally, refundRules } from '../../src/work/kinds/refund.js';
import { chargeRows, payoutRows, refundRows } from '../../src/work/kinds/sqlite-rows.js';

/** The charge rules bound to their rows on an SQLite book, as the executor suite drives each kind. */
export function chargeKind(db: Database): WorkKind<ClaimedOrder, ChargeResult, ChargeTally> {
  return { ...chargeRules(), ...chargeRows(db) };
}

/** The refund rules bound to their rows on an SQLite book, as the executor suite drives each kind. */
export function refundKind(db: Database): WorkKind<ClaimedRefund, RefundResult, RefundTally> {
  return { ...refundRules(), ...refundRows(db) };
}

/** The payout rules bound to their rows on an SQLite book, as the executor suite drives each kind. */
export function payoutKind(db: Database): WorkKind<ClaimedPayout, PayoutResult, PayoutTally> {
  return { ...payoutRules(), ...payoutRows(db) };
}

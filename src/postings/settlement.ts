import type { PostingRequest } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import { bankInTransit, chargebackFees, pspFees, pspReceivable } from './accounts.js';
import { type SettlementKind, settlementKey, settlementPspFeesKey } from './keys.js';
import { type Leg, posting } from './legs.js';

/**
 * What reconciliation of a PSP's settlement file posts (docs/RECONCILIATION.md, "Postings"), in
 * signed legs (src/postings/legs.ts): the settlement of a batch, fees learned from the file, and
 * the legs a decision on a row or record is made of.
 */

/** The expense account payops booked a record's fee to: a dispute fee is not a PSP processing fee. */
export function bookedFeeAccountOf(kind: 'capture' | 'refund' | 'chargeback'): string {
  return kind === 'chargeback' ? chargebackFees : pspFees;
}

/**
 * The PSP says it paid `netMinor` (negative: took it back) out of the receivable: it is in transit
 * to the bank until the bank statement's credit for the payout arrives (src/bank/).
 * Dr assets:bank:in-transit:<psp> / Cr psp receivable (net).
 */
function settlementLegs(psp: string, currency: Currency, netMinor: bigint): Leg[] {
  return [
    { account: bankInTransit(psp), currency, debitMinor: netMinor },
    { account: pspReceivable(psp), currency, debitMinor: -netMinor },
  ];
}

/** A PSP fee payops had not booked: Dr expenses:psp-fees / Cr receivable (a refunded fee the other way). */
export function feeLegs(
  psp: string,
  currency: Currency,
  feeMinor: bigint,
  expenseAccount: string = pspFees,
): Leg[] {
  return [
    { account: expenseAccount, currency, debitMinor: feeMinor },
    { account: pspReceivable(psp), currency, debitMinor: -feeMinor },
  ];
}

/**
 * A movement the PSP reported that payops has no record of, booked as the PSP states it: the
 * receivable takes its net, the fee is a PSP fee, and the gross lands on `counterAccount`
 * (adjustments, write-offs, or the unapplied liability).
 * Dr psp receivable (gross − fee) + Dr expenses:psp-fees (fee) / Cr counter (gross).
 */
export function rowBookingLegs(
  psp: string,
  currency: Currency,
  grossMinor: bigint,
  feeMinor: bigint,
  counterAccount: string,
): Leg[] {
  return [
    { account: pspReceivable(psp), currency, debitMinor: grossMinor - feeMinor },
    { account: pspFees, currency, debitMinor: feeMinor },
    { account: counterAccount, currency, debitMinor: -grossMinor },
  ];
}

/**
 * Takes a record payops booked back out of the receivable (the PSP never reported it): its gross
 * goes to `counterAccount`, the fee booked with it is undone in the account it was booked to
 * (`bookedFeeAccountOf` its kind).
 * Dr counter (gross) / Cr psp receivable (gross − fee) + Cr fee account (fee).
 */
export function recordReversalLegs(
  psp: string,
  currency: Currency,
  grossMinor: bigint,
  bookedFeeMinor: bigint,
  counterAccount: string,
  feeAccount: string,
): Leg[] {
  return [
    { account: pspReceivable(psp), currency, debitMinor: -(grossMinor - bookedFeeMinor) },
    { account: feeAccount, currency, debitMinor: -bookedFeeMinor },
    { account: counterAccount, currency, debitMinor: grossMinor },
  ];
}

/** One settlement of a batch (its matched rows, or one row, record or residual decided into it). */
export interface SettlementFacts {
  id: bigint;
  kind: SettlementKind;
  batchId: string;
  currency: Currency;
  /** What the PSP paid for it; never 0 (a zero settlement posts nothing). */
  netMinor: bigint;
}

/**
 * Settlement batch matched: the PSP's payout leaves the receivable for the bank.
 * Dr assets:bank:in-transit:<psp> / Cr psp receivable (net; the other way when negative).
 * `label` names what was settled (`12 matched rows`, `settlement 7`).
 */
export function settlementTransaction(
  psp: string,
  settlement: SettlementFacts,
  label: string,
  effectiveAt: string,
): PostingRequest {
  return posting({
    idempotencyKey: settlementKey(psp, settlement),
    kind: settlement.kind === 'rows' ? 'settlement.batch' : `settlement.${settlement.kind}`,
    description: `Payout ${settlement.batchId} from ${psp} in transit to the bank: ${label}, ${formatAmount(settlement.netMinor, settlement.currency)} ${settlement.currency}`,
    effectiveAt,
    metadata: {
      psp,
      batchId: settlement.batchId,
      settlement: settlement.id.toString(),
    },
    legs: settlementLegs(psp, settlement.currency, settlement.netMinor),
  });
}

/**
 * PSP fee learned later, from a settlement file: the fees of one run's rows payops had not
 * booked, one transaction per file and currency. Dr expenses:psp-fees / Cr psp receivable.
 */
export function settlementPspFeesTransaction(
  run: { psp: string; runId: bigint; fileSha256: string },
  currency: Currency,
  feeMinor: bigint,
  effectiveAt: string,
): PostingRequest {
  return posting({
    idempotencyKey: settlementPspFeesKey(run.psp, run.fileSha256, currency),
    kind: 'settlement.psp-fee',
    description: `PSP fees not booked before, from settlement file run ${run.runId} (${run.psp})`,
    effectiveAt,
    metadata: { psp: run.psp, run: run.runId.toString() },
    legs: feeLegs(run.psp, currency, feeMinor),
  });
}

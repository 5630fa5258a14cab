import { assert } from '../errors.js';
import type { EntryRequest, PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import { pspReceivableAccount } from '../payments/postings.js';
import { bankInTransitAccount } from '../bank/accounts.js';
import type { RecordKind } from './classes.js';

/**
 * What reconciliation posts (docs/RECONCILIATION.md, "Postings"). Every amount here is signed in
 * the debit direction (positive: debit the account, negative: credit it); `legs` turns the signed
 * legs of one transaction into ledger entries and refuses one that does not balance.
 */
export const PSP_FEES_ACCOUNT = 'expenses:psp-fees';
export const ADJUSTMENTS_ACCOUNT = 'expenses:reconciliation:adjustments';
export const WRITE_OFFS_ACCOUNT = 'expenses:reconciliation:write-offs';
/** Where a chargeback's dispute fee is booked (src/refunds/chargebacks.ts). */
export const CHARGEBACK_FEES_ACCOUNT = 'expenses:chargeback-fees';

/** The expense account payops booked a record's fee to: a dispute fee is not a PSP processing fee. */
export function bookedFeeAccountOf(kind: RecordKind): string {
  return kind === 'chargeback' ? CHARGEBACK_FEES_ACCOUNT : PSP_FEES_ACCOUNT;
}

export { pspReceivableAccount };

/**
 * Money the PSP settled for a charge payops holds as failed: the buyer's, not ours, until it is
 * refunded (the refund's settlement row then clears it). The order stays failed.
 */
export function unappliedAccount(psp: string): string {
  return `liabilities:psp:${psp}:unapplied`;
}

export interface Leg {
  account: string;
  currency: Currency;
  /** Positive debits the account, negative credits it. */
  debitMinor: bigint;
}

/** Merges legs per account and currency, drops zeros, and checks the balance per currency. */
export function legs(parts: readonly Leg[]): EntryRequest[] {
  const merged = new Map<string, Leg>();
  for (const part of parts) {
    const key = `${part.account}\u0000${part.currency}`;
    const current = merged.get(key);
    merged.set(
      key,
      current ? { ...current, debitMinor: current.debitMinor + part.debitMinor } : { ...part },
    );
  }
  const net = new Map<string, bigint>();
  const entries: EntryRequest[] = [];
  for (const leg of merged.values()) {
    net.set(leg.currency, (net.get(leg.currency) ?? 0n) + leg.debitMinor);
    if (leg.debitMinor === 0n) continue;
    entries.push({
      account: leg.account,
      currency: leg.currency,
      direction: leg.debitMinor > 0n ? 'debit' : 'credit',
      amountMinor: leg.debitMinor > 0n ? leg.debitMinor : -leg.debitMinor,
    });
  }
  for (const [currency, total] of net)
    assert(total === 0n, `reconciliation legs do not balance in ${currency} (${total})`);
  return entries;
}

/**
 * The PSP says it paid `netMinor` (negative: took it back) out of the receivable: it is in transit
 * to the bank until the bank statement's credit for the payout arrives (src/bank/).
 */
export function settlementLegs(psp: string, currency: Currency, netMinor: bigint): Leg[] {
  return [
    { account: bankInTransitAccount(psp), currency, debitMinor: netMinor },
    { account: pspReceivableAccount(psp), currency, debitMinor: -netMinor },
  ];
}

/** A PSP fee payops had not booked: Dr expenses:psp-fees / Cr receivable (a refunded fee the other way). */
export function feeLegs(
  psp: string,
  currency: Currency,
  feeMinor: bigint,
  expenseAccount = PSP_FEES_ACCOUNT,
): Leg[] {
  return [
    { account: expenseAccount, currency, debitMinor: feeMinor },
    { account: pspReceivableAccount(psp), currency, debitMinor: -feeMinor },
  ];
}

/**
 * A movement the PSP reported that payops has no record of, booked as the PSP states it: the
 * receivable takes its net, the fee is a PSP fee, and the gross lands on `counterAccount`
 * (adjustments, write-offs, or the unapplied liability).
 */
export function rowBookingLegs(
  psp: string,
  currency: Currency,
  grossMinor: bigint,
  feeMinor: bigint,
  counterAccount: string,
): Leg[] {
  return [
    { account: pspReceivableAccount(psp), currency, debitMinor: grossMinor - feeMinor },
    { account: PSP_FEES_ACCOUNT, currency, debitMinor: feeMinor },
    { account: counterAccount, currency, debitMinor: -grossMinor },
  ];
}

/**
 * Takes a record payops booked back out of the receivable (the PSP never reported it): its gross
 * goes to `counterAccount`, the fee booked with it is undone in the account it was booked to
 * (`bookedFeeAccountOf` its kind).
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
    { account: pspReceivableAccount(psp), currency, debitMinor: -(grossMinor - bookedFeeMinor) },
    { account: feeAccount, currency, debitMinor: -bookedFeeMinor },
    { account: counterAccount, currency, debitMinor: grossMinor },
  ];
}

export function posting(
  request: Omit<PostingRequest, 'entries'> & { legs: readonly Leg[] },
): PostingRequest {
  const { legs: parts, ...rest } = request;
  return { ...rest, entries: legs(parts) };
}

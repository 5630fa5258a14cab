import type { Currency } from '../money/index.js';
import type { SideView } from '../reconcile/store.js';
import type { ExpectedPayout } from './match/index.js';
import { bankEffectiveAt } from '../postings/index.js';
import type { BankEntry } from './types.js';

/**
 * The subjects and sides of bank items (docs/RECONCILIATION.md, "The bank leg"): what an item is
 * about, from which its id derives, and the two sides the review shows.
 */
export function entrySubject(
  account: string,
  entry: Pick<BankEntry, 'currency' | 'accountServicerRef' | 'line'>,
  fileSha256: string,
): string {
  return entry.accountServicerRef !== null && entry.accountServicerRef.trim() !== ''
    ? `entry:${account}:${entry.currency}:${entry.accountServicerRef}`
    : `entry:${fileSha256.slice(0, 16)}:${entry.line}`;
}

export function bankDuplicateSubject(fileSha256: string, line: number): string {
  return `duplicate:${fileSha256.slice(0, 16)}:${line}`;
}

export function payoutRef(payout: ExpectedPayout): string {
  return payout.kind === 'psp_payout'
    ? pspPayoutRef(payout.payout.psp, payout.payout.batchId, payout.payout.currency)
    : sellerPayoutRef(payout.payout.payoutId);
}

function pspPayoutRef(psp: string, batchId: string, currency: Currency): string {
  return `psp-payout:${psp}:${batchId}:${currency}`;
}

function sellerPayoutRef(payoutId: string): string {
  return `seller-payout:${payoutId}`;
}

export function balanceSubject(account: string, currency: Currency, closingDate: string): string {
  return `balance:${account}:${currency}:${closingDate}`;
}

/** A payout reference back to what it names; undefined for anything else. */
export function parsePayoutRef(
  ref: string,
):
  | { kind: 'psp_payout'; psp: string; batchId: string; currency: Currency }
  | { kind: 'seller_payout'; payoutId: string }
  | undefined {
  if (ref.startsWith('seller-payout:'))
    return { kind: 'seller_payout', payoutId: ref.slice('seller-payout:'.length) };
  if (!ref.startsWith('psp-payout:')) return undefined;
  const rest = ref.slice('psp-payout:'.length);
  const first = rest.indexOf(':');
  const last = rest.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    kind: 'psp_payout',
    psp: rest.slice(0, first),
    batchId: rest.slice(first + 1, last),
    currency: rest.slice(last + 1) as Currency,
  };
}

/** The bank's side: the entry as stated, signed (credits +, debits −). */
export function sideOfEntry(entry: BankEntry, source: string): SideView {
  const signed = entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor;
  return {
    source,
    type: entry.direction,
    reference: entry.accountServicerRef,
    order: null,
    batch: entry.transactions[0]?.endToEndId ?? null,
    currency: entry.currency,
    grossMinor: signed.toString(),
    feeMinor: null,
    netMinor: null,
    status: 'booked',
    at: bankEffectiveAt(entry.bookingDate),
  };
}

/** payops' side: the payout it expected, signed as the bank would show it. */
export function sideOfPayout(expected: ExpectedPayout): SideView {
  if (expected.kind === 'psp_payout') {
    const p = expected.payout;
    return {
      source: 'payops',
      type: 'psp_payout',
      reference: p.batchId,
      order: null,
      batch: p.batchId,
      currency: p.currency,
      grossMinor: p.amountMinor.toString(),
      feeMinor: null,
      netMinor: null,
      status: 'in transit',
      at: p.payoutAt,
    };
  }
  const p = expected.payout;
  return {
    source: 'payops',
    type: 'seller_payout',
    reference: p.payoutId,
    order: null,
    batch: p.pspReference,
    currency: p.currency,
    grossMinor: (-p.amountMinor).toString(),
    feeMinor: null,
    netMinor: null,
    status: 'sent',
    at: p.sentAt,
  };
}

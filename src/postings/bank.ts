import type { PostingRequest } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import {
  bankFees,
  bankInTransit,
  bankOperating,
  payoutsInTransit,
  unidentifiedCredits,
  unidentifiedDebits,
} from './accounts.js';
import { bankFeeKey, bankLeftKey, bankReceivedKey, bankUnidentifiedKey } from './keys.js';
import { type Leg, posting } from './legs.js';

/**
 * What a statement posts at import (docs/RECONCILIATION.md, "The bank leg", postings table). Every
 * booked entry moves assets:bank:operating by its amount, effective at the end of its booking
 * day, so the books' operating balance follows the statement; the counter-account says what it
 * is. Keys are `bank.<what>:<stable id>`: the same posting twice is the same transaction.
 */
export interface EntryFacts {
  /** bank_entries.id */
  entryId: bigint;
  currency: Currency;
  /** > 0 */
  amountMinor: bigint;
  bookingDate: string;
  /** FILE:LINE, for the description. */
  source: string;
}

export function bankEffectiveAt(bookingDate: string): string {
  return `${bookingDate}T23:59:59.999Z`;
}

function entryPosting(
  entry: EntryFacts,
  key: string,
  kind: string,
  description: string,
  legs: Leg[],
  metadata: Record<string, string>,
): PostingRequest {
  return posting({
    idempotencyKey: key,
    kind,
    description: `${description}, ${formatAmount(entry.amountMinor, entry.currency)} ${entry.currency} (${entry.source})`,
    effectiveAt: bankEffectiveAt(entry.bookingDate),
    metadata: { entry: entry.entryId.toString(), ...metadata },
    legs,
  });
}

/** A PSP payout received (its amount, or the bank's when it differs): Dr operating / Cr in-transit:<psp>. */
export function payoutReceivedPosting(
  entry: EntryFacts,
  psp: string,
  batchId: string,
): PostingRequest {
  return entryPosting(
    entry,
    bankReceivedKey(psp, batchId, entry.currency),
    'bank.payout-received',
    `PSP payout ${batchId} from ${psp} received`,
    [
      { account: bankOperating, currency: entry.currency, debitMinor: entry.amountMinor },
      {
        account: bankInTransit(psp),
        currency: entry.currency,
        debitMinor: -entry.amountMinor,
      },
    ],
    { psp, batchId },
  );
}

/** Seller payouts left the bank (one entry, one or several payouts): Dr liabilities:payouts:in-transit / Cr operating. */
export function payoutsLeftPosting(
  entry: EntryFacts,
  payoutIds: readonly string[],
): PostingRequest {
  return entryPosting(
    entry,
    bankLeftKey(entry.entryId),
    'bank.payout-left',
    `Seller payout${payoutIds.length === 1 ? '' : 's'} ${payoutIds.join(', ')} left the bank`,
    [
      {
        account: payoutsInTransit,
        currency: entry.currency,
        debitMinor: entry.amountMinor,
      },
      { account: bankOperating, currency: entry.currency, debitMinor: -entry.amountMinor },
    ],
    { payouts: payoutIds.join(',') },
  );
}

/**
 * Money nobody explained yet, in the suspense of its direction: a credit Dr operating / Cr
 * liabilities:bank:unidentified-credits, a debit Dr assets:bank:unidentified-debits / Cr operating.
 */
export function unidentifiedPosting(
  entry: EntryFacts,
  direction: 'credit' | 'debit',
  why: string,
): PostingRequest {
  const suspense = direction === 'credit' ? unidentifiedCredits : unidentifiedDebits;
  const signed = direction === 'credit' ? entry.amountMinor : -entry.amountMinor;
  return entryPosting(
    entry,
    bankUnidentifiedKey(entry.entryId),
    'bank.unidentified',
    `Unidentified bank ${direction}: ${why}`,
    [
      { account: bankOperating, currency: entry.currency, debitMinor: signed },
      { account: suspense, currency: entry.currency, debitMinor: -signed },
    ],
    { direction },
  );
}

/** A bank charge within the fee cap: Dr expenses:bank-fees / Cr operating. */
export function bankFeePosting(entry: EntryFacts): PostingRequest {
  return entryPosting(
    entry,
    bankFeeKey(entry.entryId),
    'bank.fee',
    'Bank charge',
    [
      { account: bankFees, currency: entry.currency, debitMinor: entry.amountMinor },
      { account: bankOperating, currency: entry.currency, debitMinor: -entry.amountMinor },
    ],
    {},
  );
}

/** Where a posting of `suspense` kind left the entry's money while its item is open. */
export function suspenseOf(direction: 'credit' | 'debit'): string {
  return direction === 'credit' ? unidentifiedCredits : unidentifiedDebits;
}

/** How a payout waits for the bank: a PSP's payout to payops, or payops' payout to a seller. */
export interface TransitPayoutRef {
  kind: 'psp_payout' | 'seller_payout';
  psp: string;
}

/** Where a payout of this kind waits for the bank: the PSP's in-transit asset, or the payouts' in-transit liability. */
export function transitAccountOf(payout: TransitPayoutRef): string {
  return payout.kind === 'psp_payout' ? bankInTransit(payout.psp) : payoutsInTransit;
}

/**
 * Takes `amountMinor` of a payout out of transit against `counter`: Cr in-transit:<psp> for a PSP
 * payout (an asset), Dr liabilities:payouts:in-transit for a seller payout.
 */
export function clearTransitLegs(
  payout: TransitPayoutRef & { currency: Currency },
  amountMinor: bigint,
  counter: string,
): Leg[] {
  const sign = payout.kind === 'psp_payout' ? -1n : 1n;
  return [
    {
      account: transitAccountOf(payout),
      currency: payout.currency,
      debitMinor: sign * amountMinor,
    },
    { account: counter, currency: payout.currency, debitMinor: -sign * amountMinor },
  ];
}

/** Empties a suspense an entry was booked to: Dr unidentified-credits (a liability) or Cr unidentified-debits (an asset), against `counter`. */
export function clearSuspenseLegs(
  suspense: string,
  currency: Currency,
  amountMinor: bigint,
  counter: string,
): Leg[] {
  const sign = suspense === unidentifiedCredits ? 1n : -1n;
  return [
    { account: suspense, currency, debitMinor: sign * amountMinor },
    { account: counter, currency, debitMinor: -sign * amountMinor },
  ];
}

/**
 * The statement's closing balance taken as the books': Dr operating / Cr `counter` (the
 * difference; the other way when negative). `counter` is equity:opening for the first statement
 * of an account (the bank's history before payops), else adjustments.
 */
export function balanceLegs(currency: Currency, differenceMinor: bigint, counter: string): Leg[] {
  return [
    { account: bankOperating, currency, debitMinor: differenceMinor },
    { account: counter, currency, debitMinor: -differenceMinor },
  ];
}

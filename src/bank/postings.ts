import type { PostingRequest } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import { type Leg, posting } from '../reconcile/postings.js';
import {
  BANK_FEES_ACCOUNT,
  BANK_OPERATING_ACCOUNT,
  PAYOUTS_IN_TRANSIT_ACCOUNT,
  UNIDENTIFIED_CREDITS_ACCOUNT,
  UNIDENTIFIED_DEBITS_ACCOUNT,
  bankInTransitAccount,
} from './accounts.js';

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
    `bank.received:${psp}:${batchId}:${entry.currency}`,
    'bank.payout-received',
    `PSP payout ${batchId} from ${psp} received`,
    [
      { account: BANK_OPERATING_ACCOUNT, currency: entry.currency, debitMinor: entry.amountMinor },
      {
        account: bankInTransitAccount(psp),
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
    `bank.left:${entry.entryId}`,
    'bank.payout-left',
    `Seller payout${payoutIds.length === 1 ? '' : 's'} ${payoutIds.join(', ')} left the bank`,
    [
      {
        account: PAYOUTS_IN_TRANSIT_ACCOUNT,
        currency: entry.currency,
        debitMinor: entry.amountMinor,
      },
      { account: BANK_OPERATING_ACCOUNT, currency: entry.currency, debitMinor: -entry.amountMinor },
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
  const suspense =
    direction === 'credit' ? UNIDENTIFIED_CREDITS_ACCOUNT : UNIDENTIFIED_DEBITS_ACCOUNT;
  const signed = direction === 'credit' ? entry.amountMinor : -entry.amountMinor;
  return entryPosting(
    entry,
    `bank.unidentified:${entry.entryId}`,
    'bank.unidentified',
    `Unidentified bank ${direction}: ${why}`,
    [
      { account: BANK_OPERATING_ACCOUNT, currency: entry.currency, debitMinor: signed },
      { account: suspense, currency: entry.currency, debitMinor: -signed },
    ],
    { direction },
  );
}

/** A bank charge within the fee cap: Dr expenses:bank-fees / Cr operating. */
export function bankFeePosting(entry: EntryFacts): PostingRequest {
  return entryPosting(
    entry,
    `bank.fee:${entry.entryId}`,
    'bank.fee',
    'Bank charge',
    [
      { account: BANK_FEES_ACCOUNT, currency: entry.currency, debitMinor: entry.amountMinor },
      { account: BANK_OPERATING_ACCOUNT, currency: entry.currency, debitMinor: -entry.amountMinor },
    ],
    {},
  );
}

/** Where a posting of `suspense` kind left the entry's money while its item is open. */
export function suspenseOf(direction: 'credit' | 'debit'): string {
  return direction === 'credit' ? UNIDENTIFIED_CREDITS_ACCOUNT : UNIDENTIFIED_DEBITS_ACCOUNT;
}

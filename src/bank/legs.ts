import type { Currency } from '../money/index.js';
import type { ItemRecord } from '../reconcile/store.js';
import { payoutRef } from './decide.js';
import type { PayoutKind } from './decisions-store.js';
import type { BankReads, PayoutFacts } from './bank-reads.js';

export const LEG_STATUSES = [
  'in transit',
  'received',
  'short',
  'not received past due',
  'written off',
] as const;
export type LegStatus = (typeof LEG_STATUSES)[number];

/** The three legs of one payout: what the books moved to transit, what the PSP says it paid, what the bank shows. */
export interface PayoutLegs {
  kind: PayoutKind;
  /** The PSP of the batch, or the payout PSP of a seller payout. */
  psp: string;
  /** The batch id (PSP payout) or the payout id (seller payout). */
  payout: string;
  currency: Currency;
  /** PSP payout: what its batch's settlements posted to in-transit; seller payout: what payout.sent posted. */
  booksMinor: bigint;
  /** The PSP's payout row (or the seller payout): amount, day, reference. */
  pspMinor: bigint;
  pspDate: string | null;
  pspReference: string | null;
  bank: { amountMinor: bigint; bookingDate: string; source: string } | null;
  /** What decisions booked for the rest (a short payment accepted, a payout written off). */
  differenceMinor: bigint;
  /** What the in-transit account still holds of it: books − bank − difference. */
  inTransitMinor: bigint;
  status: LegStatus;
  /** The open bank item about it (payout_not_received, amount_mismatch), if any. */
  openItemId: string | null;
}

export interface LegsTotal {
  kind: PayoutKind;
  currency: Currency;
  payouts: number;
  booksMinor: bigint;
  pspMinor: bigint;
  bankMinor: bigint;
  differenceMinor: bigint;
  inTransitMinor: bigint;
}

export interface LegsReport {
  /** Payouts are dated by when they were paid: the PSP's payout row, the seller payout's send. */
  dateBasis: 'settled';
  psp: string | null;
  openOnly: boolean;
  lines: PayoutLegs[];
  totals: LegsTotal[];
}

/**
 * `payops reconcile payouts`: every PSP payout batch and every seller payout, each with its three
 * legs side by side (docs/RECONCILIATION.md "Three legs per payout"), oldest first; `openOnly`
 * keeps those of which money is still in transit.
 */
export async function payoutLegs(
  reads: BankReads,
  options: { psp?: string; openOnly?: boolean } = {},
): Promise<LegsReport> {
  const { payouts, openBankItems } = await reads.payoutLegs(options.psp);
  const lines = payouts
    .map((facts) => legsOf(facts, openBankItems))
    .filter((line) => !options.openOnly || line.inTransitMinor !== 0n);
  return {
    dateBasis: 'settled',
    psp: options.psp ?? null,
    openOnly: options.openOnly === true,
    lines,
    totals: totalsOf(lines),
  };
}

function legsOf(facts: PayoutFacts, openBankItems: readonly ItemRecord[]): PayoutLegs {
  const { payout, matches, receiptEntry: entry } = facts;
  const receipt = matches.find((match) => match.part === 'bank');
  const differenceMinor = matches
    .filter((match) => match.part === 'difference')
    .reduce((sum, match) => sum + match.amountMinor, 0n);
  const bankMinor = receipt?.amountMinor ?? 0n;
  const openItem = openItemOf(facts, openBankItems);
  return {
    kind: payout.kind,
    psp: payout.psp,
    payout: payout.ref,
    currency: payout.currency,
    booksMinor: payout.booksMinor,
    pspMinor: payout.amountMinor,
    pspDate: payout.paidAt,
    pspReference: payout.pspReference,
    bank: entry
      ? { amountMinor: bankMinor, bookingDate: entry.bookingDate, source: entry.source }
      : null,
    differenceMinor,
    inTransitMinor: payout.booksMinor - bankMinor - differenceMinor,
    status: statusOf(
      payout.amountMinor,
      receipt !== undefined,
      bankMinor,
      differenceMinor,
      openItem,
    ),
    openItemId: openItem?.itemId ?? null,
  };
}

function statusOf(
  amountMinor: bigint,
  received: boolean,
  bankMinor: bigint,
  differenceMinor: bigint,
  openItem: { class: string } | undefined,
): LegStatus {
  if (received) return bankMinor < amountMinor ? 'short' : 'received';
  if (differenceMinor !== 0n && differenceMinor === amountMinor) return 'written off';
  return openItem?.class === 'payout_not_received' ? 'not received past due' : 'in transit';
}

/** A payout's own item (not received), else an open item that names it (a short or different payment). */
function openItemOf(
  facts: PayoutFacts,
  openBankItems: readonly ItemRecord[],
): { itemId: string; class: string } | undefined {
  if (facts.ownItem?.status === 'open') return facts.ownItem;
  const ref = payoutRef(facts.payout);
  return openBankItems.find((item) => item.internalRef === ref);
}

function totalsOf(lines: readonly PayoutLegs[]): LegsTotal[] {
  const totals = new Map<string, LegsTotal>();
  for (const line of lines) {
    const key = `${line.kind}\u0000${line.currency}`;
    const total = totals.get(key) ?? {
      kind: line.kind,
      currency: line.currency,
      payouts: 0,
      booksMinor: 0n,
      pspMinor: 0n,
      bankMinor: 0n,
      differenceMinor: 0n,
      inTransitMinor: 0n,
    };
    total.payouts++;
    total.booksMinor += line.booksMinor;
    total.pspMinor += line.pspMinor;
    total.bankMinor += line.bank?.amountMinor ?? 0n;
    total.differenceMinor += line.differenceMinor;
    total.inTransitMinor += line.inTransitMinor;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) =>
    a.kind === b.kind ? a.currency.localeCompare(b.currency) : a.kind.localeCompare(b.kind),
  );
}

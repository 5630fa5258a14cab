import type { Currency } from '../../money/index.js';
import type { BankEntry } from '../types.js';

/** A PSP payout the settlement files reported and the books moved into transit, not yet received. */
export interface ExpectedPspPayout {
  psp: string;
  batchId: string;
  /** The batch id and the payout row's PSP reference (when it has one): what the bank may quote. */
  references: readonly string[];
  currency: Currency;
  /** > 0: what the PSP said it paid. */
  amountMinor: bigint;
  /** YYYY-MM-DD: the day the PSP paid it out. */
  payoutDate: string;
  /** When, as the settlement file said (ISO 8601 UTC). */
  payoutAt: string;
}

/** A seller payout the payout PSP sent (posted to liabilities:payouts:in-transit), not yet seen leaving. */
export interface ExpectedSellerPayout {
  payoutId: string;
  pspReference: string | null;
  psp: string;
  currency: Currency;
  amountMinor: bigint;
  /** YYYY-MM-DD: the day it was sent. */
  sentDate: string;
  /** When it was booked as sent (ISO 8601 UTC). */
  sentAt: string;
}

export type ExpectedPayout =
  | { kind: 'psp_payout'; payout: ExpectedPspPayout }
  | { kind: 'seller_payout'; payout: ExpectedSellerPayout };

/** What the plan needs of the statement. */
export interface PlanStatement {
  account: string;
  currency: Currency;
  /** YYYY-MM-DD: the end of this day is the statement's closing balance. */
  closingDate: string;
  /** The statement's entries in file order. */
  entries: readonly BankEntry[];
}

/** What was imported before: keys of entries from other files, and those seen earlier in this file. */
export interface ImportedKeys {
  /** Duplicate keys (see `duplicateKey`) of entries imported from other files. */
  otherFiles: ReadonlySet<string>;
  /** Duplicate keys of entries of earlier statements of this file, with their line. */
  thisFile: ReadonlyMap<string, number>;
}

export interface PlanOptions {
  /** Business days a payout of this PSP may take to reach the bank. */
  windowDays: (psp: string) => number;
}

export type EntryPlan =
  | { class: 'matched'; match: 'psp_payout'; payout: ExpectedPspPayout; by: 'reference' | 'amount' }
  | {
      class: 'matched';
      match: 'seller_payout';
      payouts: ExpectedSellerPayout[];
      by: 'reference' | 'amount';
    }
  /** The reference names the payout, the amount differs: booked as received with the bank's amount. */
  | { class: 'amount_mismatch'; payout: ExpectedPspPayout; differenceMinor: bigint }
  | { class: 'unknown_credit' | 'unknown_debit'; probable: ExpectedPayout | null; why: string }
  | { class: 'bank_fee' }
  | { class: 'duplicate'; of: 'other_file' | 'same_file'; originalLine: number | null };

export interface NotReceived {
  payout: ExpectedPayout;
  /** YYYY-MM-DD: the last business day it could have arrived. */
  dueDay: string;
}

export interface Plan {
  /** One per entry, in the statement's order. */
  entries: EntryPlan[];
  /** Expected payouts in the statement's currency past their due day and not in it. */
  notReceived: NotReceived[];
  /** The duplicate keys of this statement's entries, with their lines (for the next statement of the file). */
  keys: Map<string, number>;
}

/**
 * A bank-leg item's facts (src/bank/): the statement, the entry and what payops expected, as
 * recon_items.detail keeps them. Reconcile's store writes them, the review panel shows them and
 * the --json contract (src/output/reconcile.ts) prints them: a leaf below all three, so that the
 * output contract imports no reconcile code.
 */
export interface BankItemView {
  account: string;
  /** The statement's own id (camt Stmt/Id, MT940 :20:…) and its file, as FILE:LINE. */
  statementRef: string;
  source: string;
  /** bank_entries.id of the entry the item is about; null for payout_not_received and balance_mismatch. */
  entryId: string | null;
  direction: 'credit' | 'debit' | null;
  bookingDate: string | null;
  /** payout_not_received: the last business day the payout was due (its date + the PSP's window). */
  dueBy: string | null;
  /** Where the entry's money is booked while the item is open (a suspense account), or null if nothing was posted. */
  bookedTo: string | null;
  /** balance_mismatch: the statement's balances beside the books' assets:bank:operating on the same dates. */
  balances?: {
    openingDate: string;
    openingBankMinor: string;
    openingBooksMinor: string;
    closingDate: string;
    closingBankMinor: string;
    closingBooksMinor: string;
  };
}

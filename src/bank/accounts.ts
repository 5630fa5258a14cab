/**
 * The accounts of the bank leg (DESIGN §6, docs/RECONCILIATION.md "Money in transit"):
 * - a PSP payout the settlement file reports moves from the PSP receivable to
 *   `assets:bank:in-transit:<psp>`; the bank credit that shows it arrived moves it to
 *   `assets:bank:operating`;
 * - a seller payout moves the seller's payable to `liabilities:payouts:in-transit`; the bank debit
 *   that shows it left clears it against `assets:bank:operating`;
 * - what the statement shows and nothing explains waits in a suspense account until identified:
 *   money in on `liabilities:bank:unidentified-credits`, money out on `assets:bank:unidentified-debits`;
 * - the bank's own charges are `expenses:bank-fees`.
 */
export const BANK_OPERATING_ACCOUNT = 'assets:bank:operating';
export const PAYOUTS_IN_TRANSIT_ACCOUNT = 'liabilities:payouts:in-transit';
export const UNIDENTIFIED_CREDITS_ACCOUNT = 'liabilities:bank:unidentified-credits';
export const UNIDENTIFIED_DEBITS_ACCOUNT = 'assets:bank:unidentified-debits';
export const BANK_FEES_ACCOUNT = 'expenses:bank-fees';

export function bankInTransitAccount(psp: string): string {
  return `assets:bank:in-transit:${psp}`;
}

/** The `psp` of every bank-leg run and item (recon_runs, recon_items): the bank is one more source. */
export const BANK_SOURCE = 'bank';

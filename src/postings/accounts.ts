/**
 * The chart of accounts (DESIGN §6, docs/RECONCILIATION.md "Money in transit"): every account
 * name payops' own postings use, and the only place those names are spelled. Names are checked
 * where they are posted (`accountTypeOf` in src/ledger/accounts.ts: segments of letters, digits,
 * "_", "." and "-"); ids that go into them (seller, PSP) are checked at intake.
 */

/** What a PSP owes payops for captured charges, less what it took back. */
export function pspReceivable(psp: string): `assets:psp:${string}:receivable` {
  return `assets:psp:${psp}:receivable`;
}

const PSP_RECEIVABLE = /^assets:psp:[^:]+:receivable$/;

/** Whether `account` is some PSP's receivable (the reports read postings back by account). */
export function isPspReceivable(account: string): boolean {
  return PSP_RECEIVABLE.test(account);
}

/**
 * Money the PSP settled for a charge payops holds as failed: the buyer's, not ours, until it is
 * refunded (the refund's settlement row then clears it). The order stays failed.
 */
export function pspUnapplied(psp: string): `liabilities:psp:${string}:unapplied` {
  return `liabilities:psp:${psp}:unapplied`;
}

export type SellerBucket = 'pending' | 'payable';

/** The parent of every seller's accounts (`payops check` reads their balances by it). */
export const sellerAccounts = 'liabilities:sellers';

/** The ledger accounts a seller's wallet mirrors: captured but not delivered, then payable. */
export function sellerAccount(
  sellerId: string,
  bucket: SellerBucket,
): `liabilities:sellers:${string}:${SellerBucket}` {
  return `${sellerAccounts}:${sellerId}:${bucket}`;
}

export function sellerPending(sellerId: string): `liabilities:sellers:${string}:pending` {
  return `${sellerAccounts}:${sellerId}:pending`;
}

export function sellerPayable(sellerId: string): `liabilities:sellers:${string}:payable` {
  return `${sellerAccounts}:${sellerId}:payable`;
}

/** A PSP payout the settlement file reports, until the bank credit shows it arrived. */
export function bankInTransit(psp: string): `assets:bank:in-transit:${string}` {
  return `assets:bank:in-transit:${psp}`;
}

export const platformFees = 'revenue:platform-fees';
export const pspFees = 'expenses:psp-fees';
/** A chargeback's dispute fee: not a PSP processing fee. */
export const chargebackFees = 'expenses:chargeback-fees';
/** What a chargeback took that the order no longer held (already refunded). */
export const chargebackLosses = 'expenses:chargeback-losses';
export const adjustments = 'expenses:reconciliation:adjustments';
export const writeOffs = 'expenses:reconciliation:write-offs';

export const bankOperating = 'assets:bank:operating';
/** Seller payouts sent, until the bank debit shows they left. */
export const payoutsInTransit = 'liabilities:payouts:in-transit';
/** Money in that the bank statement shows and nothing explains yet (suspense). */
export const unidentifiedCredits = 'liabilities:bank:unidentified-credits';
/** Money out that the bank statement shows and nothing explains yet (suspense). */
export const unidentifiedDebits = 'assets:bank:unidentified-debits';
/** The bank's own charges. */
export const bankFees = 'expenses:bank-fees';
/** The bank's history before payops: the first statement's balance is equity brought in. */
export const equityOpening = 'equity:opening';

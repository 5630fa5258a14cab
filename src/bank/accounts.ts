import { bankInTransit, bankOperating, payoutsInTransit } from '../postings/index.js';

/** The `psp` of every bank-leg run and item (recon_runs, recon_items): the bank is one more source. */
export const BANK_SOURCE = 'bank';

/*
 * The bank leg's accounts are in the chart (src/postings/accounts.ts). These old names stay only
 * while src/commands/demo.ts and src/payouts/executor.ts (restructured in parallel in issue 17),
 * test/payouts/payout-run.test.ts, test/reports/daily.test.ts and test/e2e/refund.test.ts import
 * them from here; the lead points those imports at src/postings and deletes them.
 */
export const BANK_OPERATING_ACCOUNT = bankOperating;
export const PAYOUTS_IN_TRANSIT_ACCOUNT = payoutsInTransit;
export const bankInTransitAccount = bankInTransit;

/** The `psp` of every bank-leg run and item (recon_runs, recon_items): the bank is one more source. */
export const BANK_SOURCE = 'bank';

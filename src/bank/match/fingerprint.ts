import { createHash } from 'node:crypto';
import type { BankEntry } from '../types.js';

/**
 * What finds the same entry in another statement file when the bank gave it no reference of its
 * own: the account and what the bank said of the movement. Two genuinely separate movements with
 * all of these equal are indistinguishable; the bank's reference, when present, decides instead.
 */
export function entryFingerprint(account: string, entry: BankEntry): string {
  const transactions = entry.transactions.map((transaction) => [
    transaction.endToEndId ?? '',
    transaction.remittance ?? '',
  ]);
  const content = JSON.stringify([
    account,
    entry.currency,
    entry.direction,
    entry.amountMinor.toString(),
    entry.bookingDate,
    transactions,
  ]);
  return createHash('sha256').update(content).digest('hex').slice(0, 32);
}

/** The key an entry is a duplicate by: its bank reference within the account and currency, else its fingerprint. */
export function duplicateKey(account: string, entry: BankEntry): string {
  return entry.accountServicerRef !== null && entry.accountServicerRef.trim() !== ''
    ? `ref:${account}:${entry.currency}:${entry.accountServicerRef}`
    : `fp:${entryFingerprint(account, entry)}`;
}

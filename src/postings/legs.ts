import { assert } from '../errors.js';
import type { EntryRequest, PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';

/**
 * A signed leg of a transaction, the form reconciliation and the bank leg compute in: one amount
 * in the debit direction (positive: debit the account, negative: credit it). `legs` turns the
 * signed legs of one transaction into ledger entries and refuses one that does not balance.
 */
export interface Leg {
  account: string;
  currency: Currency;
  /** Positive debits the account, negative credits it. */
  debitMinor: bigint;
}

/** Merges legs per account and currency, drops zeros, and checks the balance per currency. */
function legs(parts: readonly Leg[]): EntryRequest[] {
  const merged = new Map<string, Leg>();
  for (const part of parts) {
    const key = `${part.account}\u0000${part.currency}`;
    const current = merged.get(key);
    merged.set(
      key,
      current ? { ...current, debitMinor: current.debitMinor + part.debitMinor } : { ...part },
    );
  }
  const net = new Map<string, bigint>();
  const entries: EntryRequest[] = [];
  for (const leg of merged.values()) {
    net.set(leg.currency, (net.get(leg.currency) ?? 0n) + leg.debitMinor);
    if (leg.debitMinor === 0n) continue;
    entries.push({
      account: leg.account,
      currency: leg.currency,
      direction: leg.debitMinor > 0n ? 'debit' : 'credit',
      amountMinor: leg.debitMinor > 0n ? leg.debitMinor : -leg.debitMinor,
    });
  }
  for (const [currency, total] of net)
    assert(total === 0n, `reconciliation legs do not balance in ${currency} (${total})`);
  return entries;
}

export function posting(
  request: Omit<PostingRequest, 'entries'> & { legs: readonly Leg[] },
): PostingRequest {
  const { legs: parts, ...rest } = request;
  return { ...rest, entries: legs(parts) };
}

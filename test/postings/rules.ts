import { expect } from 'vitest';
import type { PostingRequest } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';

export const USD = toCurrency('USD');
export const AT = '2026-11-23T10:15:00.000Z';

/** `Dr account amount` / `Cr account amount`, in entry order: the rule's doc comment, checkable. */
export function lines(request: PostingRequest): string[] {
  return request.entries.map(
    (e) => `${e.direction === 'debit' ? 'Dr' : 'Cr'} ${e.account} ${e.amountMinor}`,
  );
}

/** What the ledger requires of every posting: ≥ 2 lines, none zero, debits = credits per currency. */
export function expectBalanced(request: PostingRequest): void {
  expect(request.entries.length).toBeGreaterThanOrEqual(2);
  const net = new Map<string, bigint>();
  for (const entry of request.entries) {
    expect(entry.amountMinor).toBeGreaterThan(0n);
    const signed = entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor;
    net.set(entry.currency, (net.get(entry.currency) ?? 0n) + signed);
  }
  for (const total of net.values()) expect(total).toBe(0n);
}

/** The sum of the lines on `account` in `direction`. */
export function sumOf(
  request: PostingRequest,
  direction: 'debit' | 'credit',
  account: string,
): bigint {
  return request.entries
    .filter((e) => e.direction === direction && e.account === account)
    .reduce((total, e) => total + e.amountMinor, 0n);
}

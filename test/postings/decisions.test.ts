import { describe, expect, it } from 'vitest';
import {
  adjustments,
  balanceLegs,
  clearSuspenseLegs,
  clearTransitLegs,
  decisionTransaction,
  equityOpening,
  unidentifiedCredits,
  unidentifiedDebits,
  writeBackTransaction,
  writeOffs,
} from '../../src/postings/index.js';
import { AT, USD, expectBalanced, lines } from './rules.js';

describe('reconciliation adjustment, write-off and link', () => {
  it('posts the legs a decision computed, keyed by item and sequence', () => {
    const request = decisionTransaction(
      'reconcile',
      'write_off',
      { itemId: 'it_1', class: 'amount_mismatch', psp: 'sim', batchId: 'po_1' },
      2,
      {
        description: 'short by 5',
        effectiveAt: AT,
        legs: clearTransitLegs({ kind: 'psp_payout', psp: 'sim', currency: USD }, 5n, writeOffs),
      },
    );
    expect(request).toMatchObject({
      idempotencyKey: 'reconcile.write-off:it_1:2',
      kind: 'reconcile.write-off',
      description: 'amount_mismatch it_1: short by 5',
      effectiveAt: AT,
      metadata: { psp: 'sim', item: 'it_1', class: 'amount_mismatch', batchId: 'po_1' },
    });
    expect(lines(request)).toEqual([
      'Cr assets:bank:in-transit:sim 5',
      'Dr expenses:reconciliation:write-offs 5',
    ]);
    expectBalanced(request);
  });

  it('has no batchId when the item has none; the bank leg has kinds of its own', () => {
    const request = decisionTransaction(
      'bank',
      'accept',
      { itemId: 'bk_1', class: 'unknown_credit', psp: 'bank' },
      1,
      {
        description: 'd',
        effectiveAt: AT,
        legs: clearSuspenseLegs(unidentifiedCredits, USD, 700n, adjustments),
      },
    );
    expect(request.idempotencyKey).toBe('bank.accept:bk_1:1');
    expect(request.metadata).toEqual({ psp: 'bank', item: 'bk_1', class: 'unknown_credit' });
    expect(lines(request)).toEqual([
      'Dr liabilities:bank:unidentified-credits 700',
      'Cr expenses:reconciliation:adjustments 700',
    ]);
  });

  it('clears a debit suspense, a seller payout in transit and a balance the other way round', () => {
    const wrap = (legs: Parameters<typeof decisionTransaction>[4]['legs']) =>
      decisionTransaction('bank', 'link', { itemId: 'i', class: 'c', psp: 'bank' }, 1, {
        description: 'd',
        effectiveAt: AT,
        legs,
      });
    expect(lines(wrap(clearSuspenseLegs(unidentifiedDebits, USD, 9n, writeOffs)))).toEqual([
      'Cr assets:bank:unidentified-debits 9',
      'Dr expenses:reconciliation:write-offs 9',
    ]);
    expect(
      lines(
        wrap(
          clearTransitLegs({ kind: 'seller_payout', psp: 'sim', currency: USD }, 9n, adjustments),
        ),
      ),
    ).toEqual(['Dr liabilities:payouts:in-transit 9', 'Cr expenses:reconciliation:adjustments 9']);
    expect(lines(wrap(balanceLegs(USD, -40n, equityOpening)))).toEqual([
      'Cr assets:bank:operating 40',
      'Dr equity:opening 40',
    ]);
  });

  it('a write-back mirrors the decision it undoes, entry for entry', () => {
    const decision = decisionTransaction(
      'reconcile',
      'accept',
      { itemId: 'it_1', class: 'missing_external', psp: 'sim' },
      1,
      {
        description: 'd',
        effectiveAt: AT,
        legs: clearSuspenseLegs(unidentifiedDebits, USD, 9n, adjustments),
      },
    );
    const request = writeBackTransaction(
      { itemId: 'it_1', psp: 'sim' },
      { ref: 'capture:ord_1', source: 'day2.csv' },
      decision.entries,
      AT,
    );
    expect(request).toEqual({
      idempotencyKey: 'reconcile.write-back:it_1',
      kind: 'reconcile.write-back',
      description: 'Write-back of it_1: capture:ord_1 was settled late (day2.csv)',
      effectiveAt: AT,
      metadata: { psp: 'sim', item: 'it_1', record: 'capture:ord_1' },
      entries: request.entries,
    });
    expect(lines(request)).toEqual([
      'Dr assets:bank:unidentified-debits 9',
      'Cr expenses:reconciliation:adjustments 9',
    ]);
    expectBalanced(request);
  });
});

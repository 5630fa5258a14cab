import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payoutSentTransaction, releaseTransaction } from '../../src/postings/index.js';
import { AT, USD, expectBalanced, lines } from './rules.js';

const amounts = fc.bigInt({ min: 1n, max: 10n ** 15n });

describe('release (pay_out delivered)', () => {
  it('Dr seller pending / Cr seller payable (share)', () => {
    const request = releaseTransaction(
      { orderId: 'ord_1', sellerId: 'seller_7', currency: USD, shareMinor: 2250n, eventId: 'po_1' },
      AT,
    );
    // What src/payouts/release.ts posts today, field for field.
    expect(request).toEqual({
      idempotencyKey: 'payout.release:ord_1',
      kind: 'payout.release',
      description: 'Released ord_1 to seller_7: delivered',
      effectiveAt: AT,
      metadata: { orderId: 'ord_1', sellerId: 'seller_7', eventId: 'po_1' },
      entries: [
        {
          account: 'liabilities:sellers:seller_7:pending',
          currency: USD,
          direction: 'debit',
          amountMinor: 2250n,
        },
        {
          account: 'liabilities:sellers:seller_7:payable',
          currency: USD,
          direction: 'credit',
          amountMinor: 2250n,
        },
      ],
    });
    fc.assert(
      fc.property(amounts, (shareMinor) =>
        expectBalanced(
          releaseTransaction(
            { orderId: 'o', sellerId: 's', currency: USD, shareMinor, eventId: 'e' },
            AT,
          ),
        ),
      ),
    );
  });
});

describe('payout sent', () => {
  it('Dr seller payable / Cr liabilities:payouts:in-transit (amount)', () => {
    const payout = { payoutId: 'pyt_1', sellerId: 'seller_7', currency: USD, amountMinor: 9000n };
    const request = payoutSentTransaction(payout, 'tr_1', AT);
    expect(request).toMatchObject({
      idempotencyKey: 'payout.sent:pyt_1',
      kind: 'payout.sent',
      description: 'Payout pyt_1 to seller_7',
      effectiveAt: AT,
      metadata: { payoutId: 'pyt_1', sellerId: 'seller_7', pspReference: 'tr_1' },
    });
    expect(lines(request)).toEqual([
      'Dr liabilities:sellers:seller_7:payable 9000',
      'Cr liabilities:payouts:in-transit 9000',
    ]);
    fc.assert(
      fc.property(amounts, (amountMinor) =>
        expectBalanced(payoutSentTransaction({ ...payout, amountMinor }, 'tr', AT)),
      ),
    );
  });
});

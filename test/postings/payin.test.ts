import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureTransaction, pspFeeTransaction } from '../../src/postings/index.js';
import { AT, USD, expectBalanced, lines, sumOf } from './rules.js';

const order = (amountMinor: bigint, platformFeeMinor: bigint) => ({
  orderId: 'ord_1',
  sellerId: 'seller_7',
  currency: USD,
  amountMinor,
  platformFeeMinor,
});

describe('pay-in captured', () => {
  it('Dr psp receivable (amount) / Cr seller pending (share) / Cr revenue:platform-fees (fee)', () => {
    const request = captureTransaction(order(2500n, 250n), 'sim', 'ch_1', AT);
    expect(request).toEqual({
      idempotencyKey: 'payin.capture:ord_1',
      kind: 'payin.capture',
      description: 'Captured ord_1 for seller_7',
      effectiveAt: AT,
      metadata: { orderId: 'ord_1', sellerId: 'seller_7', psp: 'sim', pspReference: 'ch_1' },
      entries: request.entries,
    });
    expect(lines(request)).toEqual([
      'Dr assets:psp:sim:receivable 2500',
      'Cr liabilities:sellers:seller_7:pending 2250',
      'Cr revenue:platform-fees 250',
    ]);
  });

  it('has no line for a zero fee or a zero share', () => {
    expect(lines(captureTransaction(order(1000n, 0n), 'sim', 'ch_1', AT))).toEqual([
      'Dr assets:psp:sim:receivable 1000',
      'Cr liabilities:sellers:seller_7:pending 1000',
    ]);
    expect(lines(captureTransaction(order(1000n, 1000n), 'sim', 'ch_1', AT))).toEqual([
      'Dr assets:psp:sim:receivable 1000',
      'Cr revenue:platform-fees 1000',
    ]);
  });

  it('for any amount and fee: share + fee = amount, no zero line, Dr = Cr', () => {
    fc.assert(
      fc.property(
        fc
          .bigInt({ min: 1n, max: 10n ** 15n })
          .chain((amount) => fc.tuple(fc.constant(amount), fc.bigInt({ min: 0n, max: amount }))),
        ([amountMinor, feeMinor]) => {
          const request = captureTransaction(order(amountMinor, feeMinor), 'sim', 'ch', AT);
          expectBalanced(request);
          const share = sumOf(request, 'credit', 'liabilities:sellers:seller_7:pending');
          const fee = sumOf(request, 'credit', 'revenue:platform-fees');
          expect(fee).toBe(feeMinor);
          expect(share + fee).toBe(sumOf(request, 'debit', 'assets:psp:sim:receivable'));
          expect(share + fee).toBe(amountMinor);
        },
      ),
    );
  });
});

describe("the PSP's fee in its answer", () => {
  it('Dr expenses:psp-fees / Cr psp receivable (fee)', () => {
    const request = pspFeeTransaction(order(2500n, 250n), 'sim', 103n, 'ch_1', AT);
    expect(request).toMatchObject({
      idempotencyKey: 'payin.psp-fee:ord_1',
      kind: 'payin.psp-fee',
      description: 'PSP fee on ord_1',
      metadata: { orderId: 'ord_1', psp: 'sim', pspReference: 'ch_1' },
    });
    expect(lines(request)).toEqual([
      'Dr expenses:psp-fees 103',
      'Cr assets:psp:sim:receivable 103',
    ]);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), (feeMinor) =>
        expectBalanced(pspFeeTransaction(order(2500n, 0n), 'sim', feeMinor, 'ch', AT)),
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargebackTransaction, refundTransaction } from '../../src/postings/index.js';
import { type RefundedOrder, splitRefund } from '../../src/refunds/apply.js';
import { AT, USD, expectBalanced, lines, sumOf } from './rules.js';

const order = (amountMinor: bigint, platformFeeMinor: bigint, released = false): RefundedOrder => ({
  orderId: 'ord_1',
  sellerId: 'seller_7',
  currency: USD,
  amountMinor,
  platformFeeMinor,
  refundedMinor: 0n,
  refundedShareMinor: 0n,
  released,
});

/** An order (amount ≥ 1, fee ≤ amount) and a part of it (1 ≤ part ≤ amount). */
const orderAndPart = fc
  .bigInt({ min: 1n, max: 10n ** 15n })
  .chain((amount) =>
    fc.tuple(
      fc.constant(amount),
      fc.bigInt({ min: 0n, max: amount }),
      fc.bigInt({ min: 1n, max: amount }),
      fc.boolean(),
    ),
  );

describe('refund', () => {
  it('Dr seller pending|payable (share) + Dr revenue:platform-fees (fee) / Cr psp receivable', () => {
    const split = splitRefund(order(10_000n, 1_000n, true), 2_000n);
    const request = refundTransaction(
      'rf_1',
      order(10_000n, 1_000n, true),
      2_000n,
      split,
      'sim',
      're_1',
      AT,
    );
    expect(request).toMatchObject({
      idempotencyKey: 'refund.sent:rf_1',
      kind: 'refund.sent',
      description: 'Refund rf_1 of ord_1',
      effectiveAt: AT,
      metadata: {
        refundId: 'rf_1',
        orderId: 'ord_1',
        sellerId: 'seller_7',
        pspReference: 're_1',
        from: 'payable',
      },
    });
    expect(lines(request)).toEqual([
      'Dr liabilities:sellers:seller_7:payable 1800',
      'Dr revenue:platform-fees 200',
      'Cr assets:psp:sim:receivable 2000',
    ]);
  });

  it('for any order and refund: share + fee = refund, no zero line, Dr = Cr', () => {
    fc.assert(
      fc.property(orderAndPart, ([amountMinor, feeMinor, refundMinor, released]) => {
        const o = order(amountMinor, feeMinor, released);
        const split = splitRefund(o, refundMinor);
        const request = refundTransaction('rf', o, refundMinor, split, 'sim', 're', AT);
        expectBalanced(request);
        const bucket = released ? 'payable' : 'pending';
        const share = sumOf(request, 'debit', `liabilities:sellers:seller_7:${bucket}`);
        expect(share).toBe(split.shareMinor);
        expect(share + sumOf(request, 'debit', 'revenue:platform-fees')).toBe(refundMinor);
        expect(sumOf(request, 'credit', 'assets:psp:sim:receivable')).toBe(refundMinor);
      }),
    );
  });
});

describe('chargeback', () => {
  const dispute = (amountMinor: bigint, disputeFeeMinor: bigint) => ({
    disputeId: 'dp_1',
    chargeReference: 'ch_1',
    amountMinor,
    disputeFeeMinor,
    createdAt: AT,
  });

  it('Dr seller (share) + Dr platform fees (fee) + Dr chargeback losses + Dr chargeback fees / Cr psp receivable', () => {
    const o = order(10_000n, 1_000n);
    const split = splitRefund(o, 6_000n);
    const request = chargebackTransaction(dispute(10_000n, 1_500n), o, 6_000n, split, 'sim');
    expect(request).toMatchObject({
      idempotencyKey: 'chargeback:dp_1',
      kind: 'chargeback.received',
      description: 'Chargeback dp_1 on ord_1',
      effectiveAt: AT,
      metadata: {
        disputeId: 'dp_1',
        orderId: 'ord_1',
        sellerId: 'seller_7',
        pspReference: 'ch_1',
        from: 'pending',
      },
    });
    expect(lines(request)).toEqual([
      'Dr liabilities:sellers:seller_7:pending 5400',
      'Dr revenue:platform-fees 600',
      'Dr expenses:chargeback-losses 4000',
      'Dr expenses:chargeback-fees 1500',
      'Cr assets:psp:sim:receivable 11500',
    ]);
  });

  it('for any dispute and what the order still held: clawed + loss = amount, no zero line, Dr = Cr', () => {
    fc.assert(
      fc.property(
        orderAndPart,
        fc.bigInt({ min: 0n, max: 10n ** 6n }),
        ([amountMinor, feeMinor, clawedMinor, released], disputeFeeMinor) => {
          const o = order(amountMinor, feeMinor, released);
          const split = splitRefund(o, clawedMinor);
          const request = chargebackTransaction(
            dispute(amountMinor, disputeFeeMinor),
            o,
            clawedMinor,
            split,
            'sim',
          );
          expectBalanced(request);
          const clawed =
            sumOf(request, 'debit', `liabilities:sellers:seller_7:${split.bucket}`) +
            sumOf(request, 'debit', 'revenue:platform-fees');
          expect(clawed).toBe(clawedMinor);
          expect(clawed + sumOf(request, 'debit', 'expenses:chargeback-losses')).toBe(amountMinor);
          expect(sumOf(request, 'debit', 'expenses:chargeback-fees')).toBe(disputeFeeMinor);
        },
      ),
    );
  });
});

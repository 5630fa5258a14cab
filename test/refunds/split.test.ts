import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../src/money/index.js';
import { type RefundedOrder, splitRefund } from '../../src/refunds/apply.js';

const order = (amountMinor: bigint, platformFeeMinor: bigint): RefundedOrder => ({
  orderId: 'ord_1',
  sellerId: 's',
  currency: toCurrency('USD'),
  amountMinor,
  platformFeeMinor,
  refundedMinor: 0n,
  refundedShareMinor: 0n,
  released: false,
});

describe('splitRefund', () => {
  it('splits in proportion to share and fee', () => {
    expect(splitRefund(order(10_000n, 1_000n), 2_000n)).toEqual({
      shareMinor: 1_800n,
      feeMinor: 200n,
      bucket: 'pending',
    });
  });

  it('takes from payable once the order is released', () => {
    expect(splitRefund({ ...order(10_000n, 1_000n), released: true }, 1_000n).bucket).toBe(
      'payable',
    );
  });

  it('never charges the same rounded minor unit to the seller twice (three refunds of 0.01 on 0.03, share 0.02)', () => {
    let state = order(3n, 1n);
    const parts = [];
    for (let i = 0; i < 3; i++) {
      const split = splitRefund(state, 1n);
      parts.push(split);
      state = {
        ...state,
        refundedMinor: state.refundedMinor + 1n,
        refundedShareMinor: state.refundedShareMinor + split.shareMinor,
      };
    }
    expect(parts.reduce((sum, p) => sum + p.shareMinor, 0n)).toBe(2n);
    expect(parts.reduce((sum, p) => sum + p.feeMinor, 0n)).toBe(1n);
  });

  it('for any sequence of partial refunds: parts are non-negative, add up, and a full refund returns exactly share and fee', () => {
    fc.assert(
      fc.property(
        fc
          .bigInt({ min: 1n, max: 10n ** 12n })
          .chain((amount) =>
            fc.tuple(
              fc.constant(amount),
              fc.bigInt({ min: 0n, max: amount }),
              fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
            ),
          ),
        ([amount, fee, wishes]) => {
          let state = order(amount, fee);
          for (const wish of wishes) {
            const remaining = amount - state.refundedMinor;
            if (remaining === 0n) break;
            const refund = wish > remaining ? remaining : wish;
            const split = splitRefund(state, refund);
            expect(split.shareMinor >= 0n && split.feeMinor >= 0n).toBe(true);
            expect(split.shareMinor + split.feeMinor).toBe(refund);
            state = {
              ...state,
              refundedMinor: state.refundedMinor + refund,
              refundedShareMinor: state.refundedShareMinor + split.shareMinor,
            };
            expect(state.refundedShareMinor <= amount - fee).toBe(true);
            expect(state.refundedMinor - state.refundedShareMinor <= fee).toBe(true);
          }
          const rest = amount - state.refundedMinor;
          if (rest > 0n) {
            const last = splitRefund(state, rest);
            state = {
              ...state,
              refundedMinor: amount,
              refundedShareMinor: state.refundedShareMinor + last.shareMinor,
            };
          }
          expect(state.refundedShareMinor).toBe(amount - fee);
        },
      ),
      { numRuns: 500 },
    );
  });
});

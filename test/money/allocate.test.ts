import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_MINOR,
  MIN_MINOR,
  type RoundingMode,
  allocate,
  applyBasisPoints,
  divideRounded,
} from '../../src/money/index.js';

const MODES: readonly RoundingMode[] = ['half-even', 'half-up', 'down', 'up', 'floor', 'ceiling'];

// Reference: exact-enough rational division with decimal.js. With |numerator| < 2^128 and
// denominator <= 2^64 the quotient has at most 39 integer digits, a non-integer quotient is at
// least 1/denominator (> 1e-20) away from every integer and from every exact half, so 200
// significant digits can never move the result across a rounding boundary.
const Ref = Decimal.clone({ precision: 200 });
const DECIMAL_MODE: Record<RoundingMode, Decimal.Rounding> = {
  'half-even': Decimal.ROUND_HALF_EVEN,
  'half-up': Decimal.ROUND_HALF_UP, // decimal.js: ties away from zero
  down: Decimal.ROUND_DOWN, // towards zero
  up: Decimal.ROUND_UP, // away from zero
  floor: Decimal.ROUND_FLOOR,
  ceiling: Decimal.ROUND_CEIL,
};

function referenceDivide(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  const quotient = new Ref(numerator.toString()).dividedBy(new Ref(denominator.toString()));
  return BigInt(quotient.toDecimalPlaces(0, DECIMAL_MODE[mode]).toFixed(0));
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

describe('divideRounded: the classic rounding table (value = numerator / 10)', () => {
  // Rows: value; then results for half-even, half-up, down, up, floor, ceiling.
  const table: ReadonlyArray<readonly [bigint, readonly bigint[]]> = [
    [55n, [6n, 6n, 5n, 6n, 5n, 6n]],
    [25n, [2n, 3n, 2n, 3n, 2n, 3n]],
    [16n, [2n, 2n, 1n, 2n, 1n, 2n]],
    [15n, [2n, 2n, 1n, 2n, 1n, 2n]],
    [11n, [1n, 1n, 1n, 2n, 1n, 2n]],
    [10n, [1n, 1n, 1n, 1n, 1n, 1n]],
    [5n, [0n, 1n, 0n, 1n, 0n, 1n]],
    [1n, [0n, 0n, 0n, 1n, 0n, 1n]],
    [0n, [0n, 0n, 0n, 0n, 0n, 0n]],
    [-1n, [0n, 0n, 0n, -1n, -1n, 0n]],
    [-5n, [0n, -1n, 0n, -1n, -1n, 0n]],
    [-10n, [-1n, -1n, -1n, -1n, -1n, -1n]],
    [-11n, [-1n, -1n, -1n, -2n, -2n, -1n]],
    [-15n, [-2n, -2n, -1n, -2n, -2n, -1n]],
    [-16n, [-2n, -2n, -1n, -2n, -2n, -1n]],
    [-25n, [-2n, -3n, -2n, -3n, -3n, -2n]],
    [-55n, [-6n, -6n, -5n, -6n, -6n, -5n]],
  ];
  for (const [numerator, expected] of table) {
    MODES.forEach((mode, column) => {
      it(`${numerator}/10 rounds to ${expected[column]} under '${mode}'`, () => {
        expect(divideRounded(numerator, 10n, mode)).toBe(expected[column]);
      });
    });
  }
});

describe('divideRounded: edge cases', () => {
  it('returns exact quotients unchanged in every mode', () => {
    for (const mode of MODES) {
      expect(divideRounded(12n, 4n, mode)).toBe(3n);
      expect(divideRounded(-12n, 4n, mode)).toBe(-3n);
      expect(divideRounded(MIN_MINOR, 1n, mode)).toBe(MIN_MINOR);
    }
  });

  it('handles thirds: 2/3 and -2/3', () => {
    expect(divideRounded(2n, 3n, 'half-even')).toBe(1n);
    expect(divideRounded(2n, 3n, 'down')).toBe(0n);
    expect(divideRounded(-2n, 3n, 'half-up')).toBe(-1n);
    expect(divideRounded(-2n, 3n, 'ceiling')).toBe(0n);
    expect(divideRounded(-1n, 3n, 'floor')).toBe(-1n);
  });

  it('works far beyond 64 bits without losing precision', () => {
    const big = 10n ** 40n + 5n; // ...0005 / 10 = ...000.5
    expect(divideRounded(big, 10n, 'half-even')).toBe(10n ** 39n);
    expect(divideRounded(big, 10n, 'half-up')).toBe(10n ** 39n + 1n);
    expect(divideRounded(-big, 10n, 'floor')).toBe(-(10n ** 39n) - 1n);
  });

  it.each([0n, -1n, -10n])('refuses denominator %s with a RangeError', (denominator) => {
    for (const mode of MODES)
      expect(() => divideRounded(10n, denominator, mode)).toThrow(RangeError);
  });
});

describe('divideRounded: properties', () => {
  const numeratorArb = fc.oneof(
    fc.bigInt({ min: -1000n, max: 1000n }),
    fc.bigInt({ min: -(2n ** 127n) + 1n, max: 2n ** 127n - 1n }),
  );
  const denominatorArb = fc.oneof(
    fc.bigInt({ min: 1n, max: 20n }),
    fc.bigInt({ min: 1n, max: 2n ** 64n }),
  );
  // numerator = q·d ± d/2 exactly: every case is a tie, which is where modes differ most.
  const tieArb = fc
    .tuple(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.bigInt({ min: 1n, max: 2n ** 40n }))
    .map(([quotient, half]) => ({
      numerator: quotient * 2n * half + half,
      denominator: 2n * half,
    }));
  const modeArb = fc.constantFrom(...MODES);

  it('agrees with a decimal.js reference in every mode', () => {
    fc.assert(
      fc.property(numeratorArb, denominatorArb, modeArb, (numerator, denominator, mode) => {
        expect(divideRounded(numerator, denominator, mode)).toBe(
          referenceDivide(numerator, denominator, mode),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference on exact ties', () => {
    fc.assert(
      fc.property(tieArb, modeArb, ({ numerator, denominator }, mode) => {
        expect(divideRounded(numerator, denominator, mode)).toBe(
          referenceDivide(numerator, denominator, mode),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("brackets the exact quotient: 'floor' <= n/d <= 'ceiling', at most 1 apart, every mode in between", () => {
    fc.assert(
      fc.property(numeratorArb, denominatorArb, (numerator, denominator) => {
        const floor = divideRounded(numerator, denominator, 'floor');
        const ceiling = divideRounded(numerator, denominator, 'ceiling');
        // floor <= n/d <= ceiling, compared exactly by multiplying through by d > 0.
        expect(floor * denominator <= numerator).toBe(true);
        expect(numerator <= ceiling * denominator).toBe(true);
        expect(ceiling - floor).toBe(numerator % denominator === 0n ? 0n : 1n);
        for (const mode of MODES) {
          const result = divideRounded(numerator, denominator, mode);
          expect(result === floor || result === ceiling).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('half modes land within half a unit of the exact quotient; down/up move towards/away from zero', () => {
    fc.assert(
      fc.property(numeratorArb, denominatorArb, (numerator, denominator) => {
        for (const mode of ['half-even', 'half-up'] as const) {
          const result = divideRounded(numerator, denominator, mode);
          expect(2n * abs(result * denominator - numerator) <= denominator).toBe(true);
        }
        expect(
          abs(divideRounded(numerator, denominator, 'down')) * denominator <= abs(numerator),
        ).toBe(true);
        expect(
          abs(divideRounded(numerator, denominator, 'up')) * denominator >= abs(numerator),
        ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is symmetric under negation for the sign-neutral modes', () => {
    fc.assert(
      fc.property(numeratorArb, denominatorArb, (numerator, denominator) => {
        for (const mode of ['half-even', 'half-up', 'down', 'up'] as const) {
          expect(divideRounded(-numerator, denominator, mode)).toBe(
            -divideRounded(numerator, denominator, mode),
          );
        }
        expect(divideRounded(-numerator, denominator, 'floor')).toBe(
          -divideRounded(numerator, denominator, 'ceiling'),
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('applyBasisPoints', () => {
  it('takes a 2.9 % fee (290 bp) of 100.00 USD as exactly 2.90', () => {
    for (const mode of MODES) expect(applyBasisPoints(10_000n, 290n, mode)).toBe(290n);
  });

  it('rounds 290 bp of 12.34 (35.786 cents) as the mode says', () => {
    expect(applyBasisPoints(1234n, 290n, 'half-even')).toBe(36n);
    expect(applyBasisPoints(1234n, 290n, 'half-up')).toBe(36n);
    expect(applyBasisPoints(1234n, 290n, 'down')).toBe(35n);
    expect(applyBasisPoints(1234n, 290n, 'floor')).toBe(35n);
    expect(applyBasisPoints(1234n, 290n, 'up')).toBe(36n);
    expect(applyBasisPoints(1234n, 290n, 'ceiling')).toBe(36n);
  });

  it('rounds a tie (250 bp of 1.00 = 2.5 cents) per mode, also for negative amounts', () => {
    expect(applyBasisPoints(100n, 250n, 'half-even')).toBe(2n);
    expect(applyBasisPoints(100n, 250n, 'half-up')).toBe(3n);
    expect(applyBasisPoints(300n, 250n, 'half-even')).toBe(8n); // 7.5 → 8
    expect(applyBasisPoints(-100n, 250n, 'half-even')).toBe(-2n);
    expect(applyBasisPoints(-100n, 250n, 'half-up')).toBe(-3n);
    expect(applyBasisPoints(-100n, 250n, 'floor')).toBe(-3n);
    expect(applyBasisPoints(-100n, 250n, 'ceiling')).toBe(-2n);
  });

  it('gives 0 for 0 bp and for an amount of 0', () => {
    for (const mode of MODES) {
      expect(applyBasisPoints(123_456n, 0n, mode)).toBe(0n);
      expect(applyBasisPoints(0n, 290n, mode)).toBe(0n);
    }
  });

  it('gives 1 minor unit of 1 bp only when rounding up', () => {
    expect(applyBasisPoints(1n, 1n, 'ceiling')).toBe(1n);
    expect(applyBasisPoints(1n, 1n, 'up')).toBe(1n);
    expect(applyBasisPoints(1n, 1n, 'half-up')).toBe(0n);
    expect(applyBasisPoints(1n, 1n, 'down')).toBe(0n);
  });

  it('does not overflow on int64 extremes (the product is computed in bigint)', () => {
    expect(applyBasisPoints(MAX_MINOR, 5000n, 'down')).toBe(MAX_MINOR / 2n);
    expect(applyBasisPoints(MIN_MINOR, 5000n, 'down')).toBe(MIN_MINOR / 2n);
  });

  it('applyBasisPoints(x, 10000n, mode) === x for any int64 and mode', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: MIN_MINOR, max: MAX_MINOR }),
        fc.constantFrom(...MODES),
        (amount, mode) => {
          expect(applyBasisPoints(amount, 10_000n, mode)).toBe(amount);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('equals divideRounded(amount × bp, 10000) in every mode', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: MIN_MINOR, max: MAX_MINOR }),
        fc.bigInt({ min: -20_000n, max: 20_000n }),
        fc.constantFrom(...MODES),
        (amount, basisPoints, mode) => {
          expect(applyBasisPoints(amount, basisPoints, mode)).toBe(
            referenceDivide(amount * basisPoints, 10_000n, mode),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('allocate: concrete splits', () => {
  it('splits 1.00 three ways as 34/33/33, the extra cent to the first part', () => {
    expect(allocate(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
  });

  it('splits a negative total like its absolute value, negated', () => {
    expect(allocate(-100n, [1n, 1n, 1n])).toEqual([-34n, -33n, -33n]);
  });

  it('gives leftover units to the largest remainders (10 by 1:2:4 → 1/3/6)', () => {
    // exact shares 1.43, 2.86, 5.71; floors 1, 2, 5 leave 2 units for the two largest fractions
    expect(allocate(10n, [1n, 2n, 4n])).toEqual([1n, 3n, 6n]);
  });

  it('breaks ties between equal remainders in favour of the earlier part', () => {
    expect(allocate(1n, [1n, 1n])).toEqual([1n, 0n]);
    expect(allocate(100n, [1n, 1n, 1n, 1n, 1n, 1n])).toEqual([17n, 17n, 17n, 17n, 16n, 16n]);
    expect(allocate(2n, [1n, 1n, 1n])).toEqual([1n, 1n, 0n]);
  });

  it('splits exactly when the shares are whole', () => {
    expect(allocate(1000n, [3n, 7n])).toEqual([300n, 700n]);
    expect(allocate(7n, [1n, 2n, 4n])).toEqual([1n, 2n, 4n]);
  });

  it('gives nothing to a zero ratio', () => {
    expect(allocate(5n, [0n, 1n])).toEqual([0n, 5n]);
    expect(allocate(101n, [1n, 0n, 1n])).toEqual([51n, 0n, 50n]);
  });

  it('returns the whole total for a single ratio, and zeros for a zero total', () => {
    expect(allocate(12_345n, [7n])).toEqual([12_345n]);
    expect(allocate(0n, [1n, 2n, 3n])).toEqual([0n, 0n, 0n]);
  });

  it('splits a partial refund of 10.00 across orders of 25.00, 15.00 and 10.00', () => {
    expect(allocate(1000n, [2500n, 1500n, 1000n])).toEqual([500n, 300n, 200n]);
    expect(allocate(1001n, [2500n, 1500n, 1000n])).toEqual([501n, 300n, 200n]);
  });

  it('handles int64 extremes without overflow', () => {
    expect(allocate(MAX_MINOR, [1n, 1n])).toEqual([MAX_MINOR / 2n + 1n, MAX_MINOR / 2n]);
    expect(allocate(MIN_MINOR, [1n, 1n])).toEqual([MIN_MINOR / 2n, MIN_MINOR / 2n]);
  });

  it('does not modify the ratios it is given', () => {
    const ratios = [3n, 1n, 2n];
    allocate(100n, ratios);
    expect(ratios).toEqual([3n, 1n, 2n]);
  });

  it('refuses no ratios, a negative ratio, and ratios that are all zero', () => {
    expect(() => allocate(100n, [])).toThrow(RangeError);
    expect(() => allocate(100n, [1n, -1n, 1n])).toThrow(/must not be negative/);
    expect(() => allocate(100n, [0n, 0n])).toThrow(/must not all be zero/);
  });
});

describe('allocate: properties', () => {
  const totalArb = fc.oneof(
    fc.bigInt({ min: -1000n, max: 1000n }),
    fc.bigInt({ min: MIN_MINOR, max: MAX_MINOR }),
  );
  const ratiosArb = fc
    .array(fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 2n ** 64n })), {
      minLength: 1,
      maxLength: 20,
    })
    .filter((ratios) => ratios.some((ratio) => ratio > 0n));

  it('never loses or invents a minor unit: the parts add up to the total', () => {
    fc.assert(
      fc.property(totalArb, ratiosArb, (total, ratios) => {
        const parts = allocate(total, ratios);
        expect(parts).toHaveLength(ratios.length);
        expect(parts.reduce((sum, part) => sum + part, 0n)).toBe(total);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps every part less than 1 minor unit from its exact proportional share', () => {
    fc.assert(
      fc.property(totalArb, ratiosArb, (total, ratios) => {
        const ratioSum = ratios.reduce((sum, ratio) => sum + ratio, 0n);
        allocate(total, ratios).forEach((part, index) => {
          // |part − total·ratio/ratioSum| < 1  ⇔  |part·ratioSum − total·ratio| < ratioSum
          expect(abs(part * ratioSum - total * (ratios[index] as bigint)) < ratioSum).toBe(true);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('gives every part the sign of the total and zero to zero ratios', () => {
    fc.assert(
      fc.property(totalArb, ratiosArb, (total, ratios) => {
        allocate(total, ratios).forEach((part, index) => {
          if (ratios[index] === 0n) expect(part).toBe(0n);
          if (total >= 0n) expect(part >= 0n).toBe(true);
          else expect(part <= 0n).toBe(true);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('splits −total as the negation of splitting total', () => {
    fc.assert(
      fc.property(totalArb, ratiosArb, (total, ratios) => {
        expect(allocate(-total, ratios)).toEqual(allocate(total, ratios).map((part) => -part));
      }),
      { numRuns: 1000 },
    );
  });

  it('is unchanged when every ratio is scaled by the same positive factor', () => {
    fc.assert(
      fc.property(
        totalArb,
        ratiosArb,
        fc.bigInt({ min: 1n, max: 1000n }),
        (total, ratios, factor) => {
          expect(
            allocate(
              total,
              ratios.map((ratio) => ratio * factor),
            ),
          ).toEqual(allocate(total, ratios));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

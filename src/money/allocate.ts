/**
 * Integer arithmetic on minor units with an explicit rounding mode at every call, and allocation
 * that never loses or invents a minor unit.
 */
export type RoundingMode = 'half-even' | 'half-up' | 'down' | 'up' | 'floor' | 'ceiling';

/** numerator / denominator rounded by `mode`; denominator must be positive. */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const sign = numerator < 0n ? -1n : 1n;
  const awayFromZero = quotient + sign;
  const twiceRemainder = (remainder < 0n ? -remainder : remainder) * 2n;
  switch (mode) {
    case 'down':
      return quotient;
    case 'up':
      return awayFromZero;
    case 'floor':
      return sign < 0n ? awayFromZero : quotient;
    case 'ceiling':
      return sign > 0n ? awayFromZero : quotient;
    case 'half-up':
      return twiceRemainder >= denominator ? awayFromZero : quotient;
    case 'half-even':
      if (twiceRemainder > denominator) return awayFromZero;
      if (twiceRemainder < denominator) return quotient;
      return quotient % 2n === 0n ? quotient : awayFromZero;
  }
}

/** amountMinor × basisPoints / 10,000, e.g. a 2.9 % fee is 290 basis points. */
export function applyBasisPoints(
  amountMinor: bigint,
  basisPoints: bigint,
  mode: RoundingMode,
): bigint {
  return divideRounded(amountMinor * basisPoints, 10_000n, mode);
}

/**
 * Splits `totalMinor` in proportion to `ratios` so that the parts add up to the total exactly
 * (largest remainder method; ties go to the earlier part). Negative totals split like their
 * absolute value, negated.
 */
export function allocate(totalMinor: bigint, ratios: readonly bigint[]): bigint[] {
  if (ratios.length === 0) throw new RangeError('allocate needs at least one ratio');
  if (ratios.some((ratio) => ratio < 0n)) throw new RangeError('ratios must not be negative');
  const ratioSum = ratios.reduce((sum, ratio) => sum + ratio, 0n);
  if (ratioSum === 0n) throw new RangeError('ratios must not all be zero');
  if (totalMinor < 0n) return allocate(-totalMinor, ratios).map((part) => -part);

  const parts = ratios.map((ratio) => (totalMinor * ratio) / ratioSum);
  let leftover = totalMinor - parts.reduce((sum, part) => sum + part, 0n);
  const byRemainder = ratios
    .map((ratio, index) => ({ index, remainder: (totalMinor * ratio) % ratioSum }))
    .sort((a, b) =>
      a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
    );
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] as bigint) + 1n;
    leftover -= 1n;
  }
  return parts;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { Currency } from '../../src/money/index.js';
import { DEFAULT_FEE_RULE, feeFor, parseFeeRule } from '../../src/psp/fee-rule.js';
import { NO_FAULTS, parseFaults } from '../../src/psp/sim/faults.js';

const USD = 'USD' as Currency;
const JPY = 'JPY' as Currency;
const KWD = 'KWD' as Currency;

describe('parseFeeRule and feeFor', () => {
  it('reads "2.9%+0.30" as 290 basis points plus 0.30 major units', () => {
    expect(parseFeeRule('2.9%+0.30')).toEqual({
      basisPoints: 290n,
      fixedMajor: '0.30',
      text: '2.9%+0.30',
    });
    expect(parseFeeRule(' 2.9% + 0.30 ')).toEqual({
      basisPoints: 290n,
      fixedMajor: '0.30',
      text: '2.9% + 0.30',
    });
    expect(DEFAULT_FEE_RULE.basisPoints).toBe(290n);
  });

  it('charges 1.02 on 25.00 USD: 0.725 rounds half-even to 0.72, plus 0.30', () => {
    expect(feeFor(parseFeeRule('2.9%+0.30'), 2500n, USD)).toBe(102n);
    // 0.735 rounds half-even up to 0.74 (the other side of the tie).
    expect(feeFor(parseFeeRule('2.9%+0.30'), 2534n, USD)).toBe(30n + 73n);
    expect(feeFor(parseFeeRule('2.9%'), 2550n, USD)).toBe(74n); // 73.95 → 74
  });

  it('on JPY the fixed 0.30 is 0 yen and the percentage rounds half-even', () => {
    const rule = parseFeeRule('2.9%+0.30');
    expect(feeFor(rule, 1500n, JPY)).toBe(44n); // 43.5 → 44 (even)
    expect(feeFor(rule, 2500n, JPY)).toBe(72n); // 72.5 → 72 (even)
    expect(feeFor(parseFeeRule('0%+0.50'), 1000n, JPY)).toBe(0n); // 0.5 yen → 0 (even)
    expect(feeFor(parseFeeRule('0%+1.50'), 1000n, JPY)).toBe(2n); // 1.5 yen → 2 (even)
  });

  it('converts the fixed part into three-decimal currencies exactly', () => {
    expect(feeFor(parseFeeRule('1%+0.3'), 10_000n, KWD)).toBe(100n + 300n);
  });

  it('reads "1.5%" as a percentage without a fixed part', () => {
    const rule = parseFeeRule('1.5%');
    expect(rule).toEqual({ basisPoints: 150n, fixedMajor: '0', text: '1.5%' });
    expect(feeFor(rule, 10_000n, USD)).toBe(150n);
    expect(feeFor(rule, 1500n, JPY)).toBe(22n); // 22.5 → 22 (even)
    expect(feeFor(rule, 1n, USD)).toBe(0n);
  });

  it.each([
    '',
    '2.9',
    '%',
    '2.9%+',
    '+0.30',
    '-1%',
    '100%',
    '2.999%',
    '2.9%+0.30+1',
    '2,9%',
    'abc',
    '2.9 %',
    '2.9%+-0.30',
    '2.9%+0.12345',
  ])('rejects %j with a UsageError that shows an example', (text) => {
    expect(() => parseFeeRule(text)).toThrow(UsageError);
    expect(() => parseFeeRule(text)).toThrow(/expected e\.g\. "2\.9%\+0\.30"/);
  });

  it('never takes a fee larger than the amount it is taken from', () => {
    expect(feeFor(parseFeeRule('2.9%+0.30'), 10n, USD)).toBe(10n);
    expect(feeFor(parseFeeRule('99.99%+100'), 1n, USD)).toBe(1n);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom(USD, JPY, KWD),
        (basisPoints, fixedCents, amountMinor, currency) => {
          const text = `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}%+${Math.floor(fixedCents / 100)}.${String(fixedCents % 100).padStart(2, '0')}`;
          const fee = feeFor(parseFeeRule(text), amountMinor, currency);
          expect(fee >= 0n).toBe(true);
          expect(fee <= amountMinor).toBe(true);
        },
      ),
    );
  });
});

describe('parseFaults', () => {
  it('reads every fault by its name and leaves the unnamed ones at 0', () => {
    expect(
      parseFaults(
        'timeout=0.05,5xx=0.02,429=0.01,reset=0.04,lost=0.01,decline=0.03,pending=0.02,dispute=0.01,webhook-duplicate=0.2,webhook-delay=0.3',
      ),
    ).toEqual({
      timeout: 0.05,
      serverError: 0.02,
      rateLimited: 0.01,
      reset: 0.04,
      lost: 0.01,
      decline: 0.03,
      pending: 0.02,
      dispute: 0.01,
      webhookDuplicate: 0.2,
      webhookDelay: 0.3,
    });
    expect(parseFaults('429=0.5')).toEqual({ ...NO_FAULTS, rateLimited: 0.5 });
    expect(parseFaults(' lost = 1 , decline=0 ')).toEqual({ ...NO_FAULTS, lost: 1 });
  });

  it('reads no faults from nothing, an empty string or "none"', () => {
    expect(parseFaults(undefined)).toEqual(NO_FAULTS);
    expect(parseFaults('')).toEqual(NO_FAULTS);
    expect(parseFaults('none')).toEqual(NO_FAULTS);
  });

  it('accepts the bounds 0 and 1', () => {
    expect(parseFaults('timeout=1')).toMatchObject({ timeout: 1 });
    expect(parseFaults('timeout=1.0,decline=0.0')).toMatchObject({ timeout: 1, decline: 0 });
  });

  it('rejects an unknown fault name, listing the known ones', () => {
    expect(() => parseFaults('timeouts=0.1')).toThrow(UsageError);
    expect(() => parseFaults('serverError=0.1')).toThrow(/unknown fault "serverError" \(known: /);
    try {
      parseFaults('serverError=0.1');
    } catch (error) {
      const known = /\(known: (.*)\)/.exec((error as Error).message)?.[1]?.split(', ');
      expect(known?.sort()).toEqual([
        '429',
        '5xx',
        'decline',
        'dispute',
        'lost',
        'pending',
        'reset',
        'timeout',
        'webhook-delay',
        'webhook-duplicate',
      ]);
    }
  });

  it.each([
    'timeout=1.5',
    'timeout=-0.1',
    'timeout=2',
    'timeout=.5',
    'timeout=',
    'timeout',
    'timeout=0.1x',
    'timeout=1e-2',
    'timeout=NaN',
  ])('rejects %j: a rate must be a probability in [0, 1]', (spec) => {
    expect(() => parseFaults(spec)).toThrow(UsageError);
    expect(() => parseFaults(spec)).toThrow(/must be a probability between 0 and 1/);
  });

  it('rejects before-processing faults summing over 1', () => {
    expect(() => parseFaults('timeout=0.5,5xx=0.3,429=0.3')).toThrow(UsageError);
    expect(() => parseFaults('timeout=0.6,429=0.5')).toThrow(
      /timeout \+ 5xx \+ 429 \+ reset must not exceed 1/,
    );
    expect(() => parseFaults('timeout=0.5,reset=0.6')).toThrow(UsageError);
    expect(parseFaults('timeout=0.5,5xx=0.25,429=0.25')).toMatchObject({ timeout: 0.5 });
  });

  it('rejects decline + pending over 1, while lost stands on its own', () => {
    expect(() => parseFaults('decline=0.7,pending=0.4')).toThrow(
      /decline \+ pending must not exceed 1/,
    );
    expect(parseFaults('timeout=1,lost=1,decline=1')).toMatchObject({
      timeout: 1,
      lost: 1,
      decline: 1,
    });
  });
});

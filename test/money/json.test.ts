import { describe, expect, it } from 'vitest';
import { toCurrency, moneyJson, moneyJsonSchema } from '../../src/money/index.js';

const [USD, EUR, JPY] = ['USD', 'EUR', 'JPY'].map((code) => toCurrency(code)) as [
  ReturnType<typeof toCurrency>,
  ReturnType<typeof toCurrency>,
  ReturnType<typeof toCurrency>,
];

describe('moneyJson', () => {
  it('spells the amount in the currency exponent and keeps the exact minor units as a string', () => {
    expect(moneyJson(1234n, USD)).toEqual({
      amount: '12.34',
      currency: 'USD',
      amountMinor: '1234',
    });
    expect(moneyJson(-5n, EUR)).toEqual({ amount: '-0.05', currency: 'EUR', amountMinor: '-5' });
    expect(moneyJson(1500n, JPY)).toEqual({ amount: '1500', currency: 'JPY', amountMinor: '1500' });
  });

  it('keeps digits past 2^53 that a JSON number would lose', () => {
    const value = moneyJson(9_007_199_254_740_993n, USD);
    expect(value.amountMinor).toBe('9007199254740993');
    expect(moneyJsonSchema.parse(value)).toEqual(value);
  });

  it('refuses a float, a U+2212 minus or an extra key', () => {
    expect(() =>
      moneyJsonSchema.parse({ amount: 12.34, currency: 'USD', amountMinor: '1234' }),
    ).toThrow();
    expect(() =>
      moneyJsonSchema.parse({ amount: '\u22121.00', currency: 'USD', amountMinor: '-100' }),
    ).toThrow();
    expect(() =>
      moneyJsonSchema.parse({ amount: '1.00', currency: 'USD', amountMinor: '100', extra: 1 }),
    ).toThrow();
  });
});

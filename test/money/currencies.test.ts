import { describe, expect, it } from 'vitest';
import {
  type Currency,
  allCurrencyCodes,
  exponentOf,
  isCurrencyCode,
  toCurrency,
} from '../../src/money/index.js';
import { inputErrorOf } from '../helpers/errors.js';

// ISO 4217 list one, written out independently of src/money/currencies.ts: minor-unit exponent
// 0, 3 and 4 codes, every other listed code has 2. Codes whose minor unit is "N.A." are excluded.
const EXPECTED_EXPONENT_0 = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
];
const EXPECTED_EXPONENT_3 = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const EXPECTED_EXPONENT_4 = ['CLF', 'UYW'];
const EXPECTED_EXPONENT_2 = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BMD',
  'BND',
  'BOB',
  'BOV',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHE',
  'CHF',
  'CHW',
  'CNY',
  'COP',
  'COU',
  'CRC',
  'CUC',
  'CUP',
  'CVE',
  'CZK',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IRR',
  'JMD',
  'KES',
  'KGS',
  'KHR',
  'KPW',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MXV',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SLL',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'USD',
  'USN',
  'UYU',
  'UZS',
  'VED',
  'VES',
  'WST',
  'XCD',
  'XCG',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
  'ZWL',
];

describe('exponent table', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['TND', 3],
    ['CLF', 4],
    ['UYW', 4],
  ] as const)('%s has %i decimals', (code, exponent) => {
    expect(exponentOf(toCurrency(code))).toBe(exponent);
  });

  it('gives every code the exponent of ISO 4217 list one (checked against an independent copy)', () => {
    const expected = new Map<string, number>([
      ...EXPECTED_EXPONENT_0.map((code) => [code, 0] as const),
      ...EXPECTED_EXPONENT_2.map((code) => [code, 2] as const),
      ...EXPECTED_EXPONENT_3.map((code) => [code, 3] as const),
      ...EXPECTED_EXPONENT_4.map((code) => [code, 4] as const),
    ]);
    const actual = new Map(allCurrencyCodes().map((code) => [code, exponentOf(toCurrency(code))]));
    expect(actual).toEqual(expected);
  });

  it('lists each code once, sorted, as three upper-case ASCII letters', () => {
    const codes = allCurrencyCodes();
    expect(codes.length).toBeGreaterThan(150);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);
  });

  it('returns a fresh array, so a caller cannot change the table', () => {
    const codes = allCurrencyCodes();
    codes.length = 0;
    expect(allCurrencyCodes()).toContain('USD');
  });

  it('leaves out codes whose minor unit is "N.A." (metals, SDR, testing, no-currency)', () => {
    for (const code of ['XAU', 'XAG', 'XPT', 'XPD', 'XDR', 'XTS', 'XXX', 'XSU', 'XUA', 'XBA']) {
      expect(isCurrencyCode(code)).toBe(false);
      expect(allCurrencyCodes()).not.toContain(code);
    }
  });

  it('exponentOf refuses a string that was never validated with a TypeError', () => {
    expect(() => exponentOf('ABC' as Currency)).toThrow(TypeError);
  });
});

describe('isCurrencyCode', () => {
  it('is true for known codes and false for lower case, padded or unknown ones', () => {
    expect(isCurrencyCode('USD')).toBe(true);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(isCurrencyCode(' USD')).toBe(false);
    expect(isCurrencyCode('USDX')).toBe(false);
    expect(isCurrencyCode('')).toBe(false);
  });
});

describe('toCurrency', () => {
  it('returns the code itself for every code in the table', () => {
    for (const code of allCurrencyCodes()) expect(toCurrency(code)).toBe(code);
  });

  it.each(['ABC', 'XXX', 'XAU', 'US', 'USDD', 'U$D', 'EURO'])(
    'rejects unknown code %j with an InputError',
    (code) => {
      const error = inputErrorOf(
        () => toCurrency(code, 'events[4].currency'),
        'events[4].currency',
      );
      expect(error.message).toContain(`"${code}" is not an ISO 4217 currency code`);
      expect(error.message).not.toContain('did you mean');
    },
  );

  it('rejects lowercase "usd" and hints at "USD"', () => {
    const error = inputErrorOf(() => toCurrency('usd', 'currency'), 'currency');
    expect(error.message).toBe(
      'currency: "usd" is not an ISO 4217 currency code (did you mean "USD"?)',
    );
  });

  it('hints at the upper-case code for mixed case too ("Eur" → "EUR")', () => {
    expect(inputErrorOf(() => toCurrency('Eur'), 'currency').message).toContain(
      'did you mean "EUR"?',
    );
  });

  it('gives no hint when upper-casing does not produce a known code', () => {
    for (const code of ['abc', ' USD', 'usd ', 'xau']) {
      expect(inputErrorOf(() => toCurrency(code), 'currency').message).not.toContain(
        'did you mean',
      );
    }
  });

  it.each([
    ['an empty string', ''],
    ['a number', 840],
    ['null', null],
    ['undefined', undefined],
    ['an object', { code: 'USD' }],
  ])('rejects %s, asking for an ISO 4217 code', (_label, value) => {
    const error = inputErrorOf(() => toCurrency(value, 'payout.currency'), 'payout.currency');
    expect(error.message).toContain('expected an ISO 4217 code such as "USD"');
  });

  it('replaces control characters before echoing the code back', () => {
    const error = inputErrorOf(() => toCurrency('U\nS\u0007D'), 'currency');
    expect(error.message).toContain('"U?S?D"');
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
  });
});

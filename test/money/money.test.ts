import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  type Currency,
  MAX_MINOR,
  MIN_MINOR,
  addMoney,
  allCurrencyCodes,
  assertInRange,
  exponentOf,
  formatAmount,
  formatMoney,
  money,
  parseAmount,
  parsePositiveAmount,
  printable,
  subtractMoney,
  toCurrency,
} from '../../src/money/index.js';
import { inputErrorOf } from '../helpers/errors.js';

const USD = toCurrency('USD');
const EUR = toCurrency('EUR');
const JPY = toCurrency('JPY');
const KWD = toCurrency('KWD');
const CLF = toCurrency('CLF');

const currencyArb = fc.constantFrom(...allCurrencyCodes()).map((code) => toCurrency(code));
const int64Arb = fc.bigInt({ min: MIN_MINOR, max: MAX_MINOR });

describe('MIN_MINOR / MAX_MINOR', () => {
  it('are the bounds of a signed 64-bit integer (SQLite INTEGER)', () => {
    expect(MAX_MINOR).toBe(9_223_372_036_854_775_807n);
    expect(MIN_MINOR).toBe(-9_223_372_036_854_775_808n);
  });
});

describe('parseAmount: accepted input', () => {
  it.each([
    ['25.00', USD, 2500n],
    ['25', USD, 2500n],
    ['25.5', USD, 2550n],
    ['0.01', USD, 1n],
    ['0', USD, 0n],
    ['0.00', USD, 0n],
    ['-0.01', USD, -1n],
    ['-25.00', USD, -2500n],
    ['007.10', USD, 710n],
    ['1500', JPY, 1500n],
    ['-1500', JPY, -1500n],
    ['1.234', KWD, 1234n],
    ['0.001', KWD, 1n],
    ['1.2345', CLF, 12345n],
    ['1', CLF, 10000n],
    ['92233720368547758.07', USD, MAX_MINOR],
    ['-92233720368547758.08', USD, MIN_MINOR],
    ['9223372036854775807', JPY, MAX_MINOR],
    ['-9223372036854775808', JPY, MIN_MINOR],
    ['922337203685477.5807', CLF, MAX_MINOR],
  ] as const)('parses %j %s as %s minor units', (text, currency, expected) => {
    expect(parseAmount(text, currency)).toBe(expected);
  });

  it('parses "-0" and "-0.00" as zero', () => {
    expect(parseAmount('-0', USD)).toBe(0n);
    expect(parseAmount('-0.00', USD)).toBe(0n);
  });
});

describe('parseAmount: rejected input', () => {
  it.each([
    ['a JSON number', 25],
    ['a JSON number with decimals', 25.5],
    ['zero as a number', 0],
    ['NaN', Number.NaN],
    ['a bigint', 2500n],
  ])('rejects %s, telling the user to send a decimal string', (_label, value) => {
    const error = inputErrorOf(
      () => parseAmount(value, USD, 'events[0].amount'),
      'events[0].amount',
    );
    expect(error.message).toContain('not JSON numbers');
    expect(error.message).toContain('"25.00"');
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['an object', { amount: '25.00' }],
    ['an array', ['25.00']],
  ])('rejects %s as not a decimal string', (_label, value) => {
    const error = inputErrorOf(() => parseAmount(value, USD, 'fee'), 'fee');
    expect(error.message).toContain('expected a decimal string');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['padded', ' 5.00'],
    ['padded at the end', '5.00 '],
    ['trailing newline', '5\n'],
    ['explicit plus', '+5'],
    ['trailing dot', '5.'],
    ['leading dot', '.5'],
    ['negative leading dot', '-.5'],
    ['bare minus', '-'],
    ['double minus', '--5'],
    ['exponent', '1e3'],
    ['upper-case exponent', '1E3'],
    ['exponent with decimals', '2.5e2'],
    ['thousands separators', '1,000.00'],
    ['decimal comma', '1,50'],
    ['underscore separator', '1_000'],
    ['space separator', '1 000'],
    ['apostrophe separator', "1'000.00"],
    ['two dots', '1.0.0'],
    ['hex', '0x10'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['currency symbol', '$5.00'],
    ['currency code', '5.00 USD'],
    ['Arabic-Indic digit', '٥'],
    ['Arabic-Indic amount', '١٢.٥٠'],
    ['full-width digit', '５'],
    ['full-width amount', '１２.５０'],
    ['Devanagari digits', '१२'],
    ['unicode minus', '\u22125.00'],
    ['over 40 characters', '0'.repeat(41)],
  ])('rejects %s (%j) as not a decimal amount', (_label, text) => {
    const error = inputErrorOf(() => parseAmount(text, USD, 'refund.amount'), 'refund.amount');
    expect(error.message).toContain('is not a decimal amount');
  });

  it.each([
    ['1.234', USD],
    ['0.001', USD],
    ['-0.005', EUR],
    ['1.5', JPY],
    ['-1.5', JPY],
    ['1.2345', KWD],
    ['1.23456', CLF],
  ] as const)(
    'rejects %j %s for having more decimals than the currency allows, instead of rounding',
    (text, currency) => {
      const error = inputErrorOf(() => parseAmount(text, currency, 'amount'), 'amount');
      expect(error.message).toContain(
        `more decimals than ${currency} allows (${exponentOf(currency)})`,
      );
      expect(error.message).toContain('never rounds');
    },
  );

  it.each([
    ['92233720368547758.08', USD],
    ['-92233720368547758.09', USD],
    ['9223372036854775808', JPY],
    ['-9223372036854775809', JPY],
    ['9223372036854775.808', KWD],
    ['922337203685477.5808', CLF],
    ['99999999999999999999999999999999999999', USD],
  ] as const)('rejects %j %s for not fitting in 64 bits', (text, currency) => {
    const error = inputErrorOf(() => parseAmount(text, currency, 'charge.amount'), 'charge.amount');
    expect(error.message).toContain('beyond the largest amount');
  });

  it('names the field with "amount" when no `where` is given', () => {
    inputErrorOf(() => parseAmount('abc', USD), 'amount');
  });

  it('replaces control characters and shortens long text before echoing it', () => {
    const withControl = inputErrorOf(() => parseAmount('12\u0000\u001b[31m', USD), 'amount');
    expect(withControl.message).toContain('"12??[31m"');
    expect(withControl.message).not.toMatch(/[\u0000-\u001f]/);

    const long = inputErrorOf(() => parseAmount('x'.repeat(100), USD), 'amount');
    expect(long.message).toContain(`"${'x'.repeat(40)}…"`);
  });
});

describe('parsePositiveAmount', () => {
  it('accepts strictly positive amounts', () => {
    expect(parsePositiveAmount('0.01', USD)).toBe(1n);
    expect(parsePositiveAmount('25.00', USD)).toBe(2500n);
    expect(parsePositiveAmount('1', JPY)).toBe(1n);
    expect(parsePositiveAmount('92233720368547758.07', USD)).toBe(MAX_MINOR);
  });

  it.each(['0', '0.00', '-0', '-0.00'])('rejects zero written as %j', (text) => {
    const error = inputErrorOf(
      () => parsePositiveAmount(text, USD, 'charge.amount'),
      'charge.amount',
    );
    expect(error.message).toBe(`charge.amount: must be greater than zero (got "${text}")`);
  });

  it.each(['-0.01', '-25.00', '-92233720368547758.08'])('rejects negative %j', (text) => {
    const error = inputErrorOf(
      () => parsePositiveAmount(text, USD, 'charge.amount'),
      'charge.amount',
    );
    expect(error.message).toContain('must be greater than zero');
  });

  it('applies every parseAmount rejection first', () => {
    expect(inputErrorOf(() => parsePositiveAmount(5, USD, 'fee'), 'fee').message).toContain(
      'not JSON numbers',
    );
    expect(inputErrorOf(() => parsePositiveAmount('+5', USD, 'fee'), 'fee').message).toContain(
      'not a decimal amount',
    );
    expect(inputErrorOf(() => parsePositiveAmount('1.5', JPY, 'fee'), 'fee').message).toContain(
      'more decimals',
    );
    expect(
      inputErrorOf(() => parsePositiveAmount('92233720368547758.08', USD, 'fee'), 'fee').message,
    ).toContain('beyond the largest amount');
  });
});

describe('formatAmount and formatMoney', () => {
  it.each([
    [2500n, USD, '25.00'],
    [1n, USD, '0.01'],
    [0n, USD, '0.00'],
    [-1n, USD, '-0.01'],
    [-2550n, USD, '-25.50'],
    [1500n, JPY, '1500'],
    [0n, JPY, '0'],
    [-7n, JPY, '-7'],
    [1234n, KWD, '1.234'],
    [-1n, KWD, '-0.001'],
    [10000n, CLF, '1.0000'],
    [MAX_MINOR, USD, '92233720368547758.07'],
    [MIN_MINOR, USD, '-92233720368547758.08'],
    [MAX_MINOR, JPY, '9223372036854775807'],
    [MIN_MINOR, CLF, '-922337203685477.5808'],
  ] as const)('formats %s %s as %j', (minor, currency, expected) => {
    expect(formatAmount(minor, currency)).toBe(expected);
  });

  it('formatMoney appends the currency code', () => {
    expect(formatMoney(money(2500n, USD))).toBe('25.00 USD');
    expect(formatMoney(money(1500n, JPY))).toBe('1500 JPY');
    expect(formatMoney(money(-1234n, KWD))).toBe('-1.234 KWD');
  });

  it('round-trips: parseAmount(formatAmount(x)) === x for any int64 and any currency', () => {
    fc.assert(
      fc.property(int64Arb, currencyArb, (minor, currency) => {
        expect(parseAmount(formatAmount(minor, currency), currency)).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes what decimal.js writes for any int64 amount in any currency', () => {
    const Exact = Decimal.clone({ precision: 60, toExpNeg: -100, toExpPos: 100 });
    fc.assert(
      fc.property(int64Arb, currencyArb, (amountMinor, currency) => {
        const expected = new Exact(amountMinor.toString())
          .dividedBy(new Exact(10).pow(exponentOf(currency)))
          .toFixed(exponentOf(currency));
        expect(formatAmount(amountMinor, currency)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("always writes exactly the currency's number of decimals, in plain notation", () => {
    fc.assert(
      fc.property(int64Arb, currencyArb, (minor, currency) => {
        const text = formatAmount(minor, currency);
        const exponent = exponentOf(currency);
        const pattern =
          exponent === 0
            ? /^-?(0|[1-9][0-9]*)$/
            : new RegExp(`^-?(0|[1-9][0-9]*)\\.[0-9]{${exponent}}$`);
        expect(text).toMatch(pattern);
        expect(text.startsWith('-')).toBe(minor < 0n);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseAmount against a string-arithmetic reference', () => {
  const digitsArb = (minLength: number, maxLength: number) =>
    fc
      .array(fc.constantFrom(...'0123456789'), { minLength, maxLength })
      .map((digits) => digits.join(''));
  // Builds a valid decimal text with at most `exponent` decimals and its value by pure string/bigint work.
  const validText = currencyArb.chain((currency) => {
    const exponent = exponentOf(currency);
    return fc
      .record({
        negative: fc.boolean(),
        whole: digitsArb(1, 15),
        decimals: digitsArb(0, exponent),
      })
      .map(({ negative, whole, decimals }) => {
        const text = `${negative ? '-' : ''}${whole}${decimals === '' ? '' : `.${decimals}`}`;
        const magnitude = BigInt(whole + decimals.padEnd(exponent, '0'));
        return { currency, text, expected: negative ? -magnitude : magnitude };
      });
  });

  it('parses every well-formed amount to the value the digits spell', () => {
    fc.assert(
      fc.property(validText, ({ currency, text, expected }) => {
        expect(parseAmount(text, currency)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with decimal.js arithmetic on every text: the same minor units, or both refuse', () => {
    const Exact = Decimal.clone({ precision: 60 });
    const reference = (text: string, currency: Currency): bigint | 'refused' => {
      if (text.length > 40 || !/^-?[0-9]+(?:\.[0-9]+)?$/.test(text)) return 'refused';
      const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
      if (decimals > exponentOf(currency)) return 'refused';
      const minor = BigInt(
        new Exact(text).times(new Exact(10).pow(exponentOf(currency))).toFixed(0),
      );
      return minor > MAX_MINOR || minor < MIN_MINOR ? 'refused' : minor;
    };
    const text = fc.oneof(
      fc.stringMatching(/^-?[0-9]{1,22}(\.[0-9]{0,5})?$/),
      fc.string({ unit: fc.constantFrom(...'0123456789.-'), maxLength: 24 }),
    );
    fc.assert(
      fc.property(text, currencyArb, (candidate, currency) => {
        const expected = reference(candidate, currency);
        if (expected === 'refused')
          expect(() => parseAmount(candidate, currency)).toThrow(InputError);
        else expect(parseAmount(candidate, currency)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects any text with a character other than ASCII digits, "-" and "." with an InputError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), (text) => {
        fc.pre(/[^0-9.-]/.test(text));
        expect(() => parseAmount(text, USD, 'x')).toThrow(InputError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('money, addMoney, subtractMoney and range checks', () => {
  it('money() builds a value inside the int64 range', () => {
    expect(money(MAX_MINOR, USD)).toEqual({ amountMinor: MAX_MINOR, currency: USD });
    expect(money(MIN_MINOR, USD)).toEqual({ amountMinor: MIN_MINOR, currency: USD });
  });

  it('money() refuses values outside the int64 range with a RangeError', () => {
    expect(() => money(MAX_MINOR + 1n, USD)).toThrow(RangeError);
    expect(() => money(MIN_MINOR - 1n, USD)).toThrow(RangeError);
  });

  it('assertInRange accepts the bounds and refuses one beyond them', () => {
    expect(() => assertInRange(MAX_MINOR, USD)).not.toThrow();
    expect(() => assertInRange(MIN_MINOR, USD)).not.toThrow();
    expect(() => assertInRange(MAX_MINOR + 1n, USD)).toThrow(/overflows 64 bits/);
    expect(() => assertInRange(MIN_MINOR - 1n, USD)).toThrow(/overflows 64 bits/);
  });

  it('adds and subtracts amounts of one currency exactly', () => {
    expect(addMoney(money(2500n, USD), money(199n, USD))).toEqual(money(2699n, USD));
    expect(subtractMoney(money(2500n, USD), money(2600n, USD))).toEqual(money(-100n, USD));
    expect(addMoney(money(MAX_MINOR, USD), money(MIN_MINOR, USD))).toEqual(money(-1n, USD));
  });

  it('refuses to add or subtract different currencies', () => {
    expect(() => addMoney(money(1n, USD), money(1n, EUR))).toThrow(/cannot add USD and EUR/);
    expect(() => subtractMoney(money(1n, USD), money(1n, JPY))).toThrow(
      /cannot subtract USD and JPY/,
    );
    expect(() => addMoney(money(1n, USD), money(1n, EUR))).toThrow(TypeError);
  });

  it('refuses a sum or difference that leaves the int64 range', () => {
    expect(() => addMoney(money(MAX_MINOR, USD), money(1n, USD))).toThrow(RangeError);
    expect(() => addMoney(money(MIN_MINOR, USD), money(-1n, USD))).toThrow(RangeError);
    expect(() => subtractMoney(money(MIN_MINOR, USD), money(1n, USD))).toThrow(RangeError);
    expect(() => subtractMoney(money(0n, USD), money(MIN_MINOR, USD))).toThrow(RangeError);
  });

  it('addMoney agrees with bigint addition whenever the result fits, and throws otherwise', () => {
    fc.assert(
      fc.property(int64Arb, int64Arb, (a, b) => {
        const sum = a + b;
        if (sum > MAX_MINOR || sum < MIN_MINOR) {
          expect(() => addMoney(money(a, USD), money(b, USD))).toThrow(RangeError);
        } else {
          expect(addMoney(money(a, USD), money(b, USD)).amountMinor).toBe(sum);
          expect(subtractMoney(money(sum, USD), money(b, USD)).amountMinor).toBe(a);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('printable', () => {
  it('replaces C0/C1 control characters with "?" and cuts long text with "…"', () => {
    expect(printable('a\tb\u0085c\u007f')).toBe('a?b?c?');
    expect(printable('abcdef', 3)).toBe('abc…');
    expect(printable('abc', 3)).toBe('abc');
  });
});

describe('parseAmount: decimals are counted as written', () => {
  it.each([
    ['25.000', 'USD', 2],
    ['1.0', 'JPY', 0],
    ['0.1000', 'KWD', 3],
  ])(
    'refuses "%s" %s: more decimals than the currency has, even trailing zeros',
    (text, code, exponent) => {
      expect(() => parseAmount(text, toCurrency(code))).toThrow(
        `more decimals than ${code} allows (${exponent})`,
      );
    },
  );
});

describe('parseAmount and formatAmount are exact inverses', () => {
  it('formats every int64 amount to a text that parses back to it', () => {
    fc.assert(
      fc.property(int64Arb, currencyArb, (minor, currency) => {
        const text = formatAmount(minor, currency);
        expect(text).toMatch(
          exponentOf(currency) === 0
            ? /^-?[0-9]+$/
            : new RegExp(`^-?[0-9]+\\.[0-9]{${exponentOf(currency)}}$`),
        );
        expect(parseAmount(text, currency)).toBe(minor);
      }),
      { numRuns: 3000 },
    );
  });

  it('parses every amount it accepts to its digits with the dot moved by the exponent', () => {
    const textArb = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,16}$/),
        fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined }),
        currencyArb,
      )
      .filter(([, , decimals, currency]) => (decimals?.length ?? 0) <= exponentOf(currency));
    fc.assert(
      fc.property(textArb, ([negative, whole, decimals, currency]) => {
        const text = `${negative ? '-' : ''}${whole}${decimals === undefined ? '' : `.${decimals}`}`;
        const padded = `${whole}${(decimals ?? '').padEnd(exponentOf(currency), '0')}`;
        expect(parseAmount(text, currency)).toBe(BigInt(`${negative ? '-' : ''}${padded}`));
      }),
      { numRuns: 3000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allCurrencyCodes, exponentOf, toCurrency } from '../../../src/money/index.js';
import {
  fromStripeAmount,
  stripeExponentOf,
  toStripeAmount,
} from '../../../src/psp/stripe/amounts.js';

const amount = (minor: bigint, code: string) => toStripeAmount(minor, toCurrency(code));

describe('Stripe minor units', () => {
  it('sends two-decimal and zero-decimal currencies in their ISO 4217 minor units', () => {
    expect(amount(2500n, 'USD')).toEqual({ ok: true, amount: 2500 });
    expect(amount(1800n, 'JPY')).toEqual({ ok: true, amount: 1800 });
    expect(amount(5000n, 'UGX')).toEqual({ ok: true, amount: 5000 });
    expect(amount(12345n, 'HUF')).toEqual({ ok: true, amount: 12345 });
  });

  it("sends ISK, whole krónur in ISO 4217, with Stripe's two decimals (100 is 1 króna)", () => {
    expect(amount(5n, 'ISK')).toEqual({ ok: true, amount: 500 });
    expect(fromStripeAmount(500, toCurrency('ISK'))).toBe(5n);
    expect(fromStripeAmount(550, toCurrency('ISK'))).toBeUndefined(); // half a króna has no ISO value
  });

  it("sends MGA, two decimals in ISO 4217, as Stripe's whole ariary, and refuses fractions rather than round them", () => {
    expect(amount(1200n, 'MGA')).toEqual({ ok: true, amount: 12 });
    expect(amount(1250n, 'MGA')).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^12\.50 MGA cannot be charged exactly: Stripe takes MGA in whole units only/,
      ),
    });
    expect(fromStripeAmount(12, toCurrency('MGA'))).toBe(1200n);
  });

  it('sends three-decimal currencies only when their last digit is 0', () => {
    expect(amount(5120n, 'KWD')).toEqual({ ok: true, amount: 5120 });
    expect(amount(5124n, 'KWD')).toEqual({
      ok: false,
      reason: expect.stringMatching(/^5\.124 KWD cannot be charged exactly: .*last decimal is 0/),
    });
    for (const code of ['BHD', 'JOD', 'OMR', 'TND']) expect(amount(1001n, code).ok).toBe(false);
  });

  it('refuses currencies with no Stripe unit payops can vouch for', () => {
    for (const code of ['IQD', 'LYD', 'CLF', 'UYI', 'UYW']) {
      expect(stripeExponentOf(toCurrency(code))).toBeUndefined();
      expect(amount(1000n, code)).toEqual({
        ok: false,
        reason: expect.stringMatching(new RegExp(`^payops does not charge ${code} through Stripe`)),
      });
    }
  });

  it('refuses an amount the SDK could not carry exactly as a JS number', () => {
    expect(amount(BigInt(Number.MAX_SAFE_INTEGER), 'USD')).toEqual({
      ok: true,
      amount: Number.MAX_SAFE_INTEGER,
    });
    expect(amount(BigInt(Number.MAX_SAFE_INTEGER) + 1n, 'USD').ok).toBe(false);
    expect(amount(0n, 'USD').ok).toBe(false);
  });

  it('round-trips every amount it accepts, in every currency, to the same ISO minor units', () => {
    const codes = allCurrencyCodes();
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        (code, minor) => {
          const currency = toCurrency(code);
          const sent = toStripeAmount(minor, currency);
          if (!sent.ok) return;
          expect(Number.isSafeInteger(sent.amount)).toBe(true);
          expect(fromStripeAmount(sent.amount, currency)).toBe(minor);
          // Never a rounding: the Stripe amount means exactly the same money.
          const stripeExponent = stripeExponentOf(currency) as number;
          expect(BigInt(sent.amount) * 10n ** BigInt(exponentOf(currency))).toBe(
            minor * 10n ** BigInt(stripeExponent),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

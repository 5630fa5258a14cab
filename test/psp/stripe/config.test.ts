import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { stripeSettingsFrom } from '../../../src/psp/stripe/config.js';

const usageErrorOf = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a usage error');
};

describe('Stripe settings', () => {
  it('takes the key from STRIPE_API_KEY and talks to Stripe itself unless --psp-url says otherwise', () => {
    expect(stripeSettingsFrom({ STRIPE_API_KEY: 'sk_test_abc123' }, undefined)).toEqual({
      apiKey: 'sk_test_abc123',
      endpoint: undefined,
    });
    expect(
      stripeSettingsFrom({ STRIPE_API_KEY: 'rk_live_abc123' }, 'https://stripe.example.com'),
    ).toEqual({
      apiKey: 'rk_live_abc123',
      endpoint: { protocol: 'https', host: 'stripe.example.com', port: 443 },
    });
  });

  it("reads a mock's address, IPv6 included", () => {
    expect(
      stripeSettingsFrom({ STRIPE_API_KEY: 'sk_test_x' }, 'http://127.0.0.1:12111').endpoint,
    ).toEqual({ protocol: 'http', host: '127.0.0.1', port: 12111 });
    expect(
      stripeSettingsFrom({ STRIPE_API_KEY: 'sk_test_x' }, 'http://[::1]:8000/').endpoint,
    ).toEqual({ protocol: 'http', host: '::1', port: 8000 });
  });

  it('says what to set when the key is missing, and never takes it from anywhere else', () => {
    expect(usageErrorOf(() => stripeSettingsFrom({}, undefined)).oneLine()).toMatch(
      /STRIPE_API_KEY is not set \(export STRIPE_API_KEY=sk_test_…/,
    );
    expect(
      usageErrorOf(() => stripeSettingsFrom({ STRIPE_API_KEY: '' }, undefined)).oneLine(),
    ).toMatch(/STRIPE_API_KEY is not set/);
  });

  it('refuses a publishable key or anything that is not a secret key, without repeating it', () => {
    expect(
      usageErrorOf(() =>
        stripeSettingsFrom({ STRIPE_API_KEY: 'pk_test_canary' }, undefined),
      ).oneLine(),
    ).toMatch(/publishable key/);
    for (const key of ['sk_test_canary\n', ' sk_test_canary', 'canary', 'sk_prod_canary']) {
      const message = usageErrorOf(() =>
        stripeSettingsFrom({ STRIPE_API_KEY: key }, undefined),
      ).oneLine();
      expect(message).toMatch(/does not look like a Stripe secret key/);
      expect(message).not.toContain('canary');
    }
  });

  it('refuses to send a live key over plain http', () => {
    expect(
      usageErrorOf(() =>
        stripeSettingsFrom({ STRIPE_API_KEY: 'sk_live_canary' }, 'http://127.0.0.1:8000'),
      ).oneLine(),
    ).toMatch(/refusing to send a live Stripe key over plain http/);
  });

  it('refuses a base URL it would have to bend: a path, a query, credentials, another scheme', () => {
    for (const url of [
      'http://127.0.0.1:8000/v1',
      'http://127.0.0.1:8000/?a=1',
      'http://user:pw@127.0.0.1:8000',
      'ftp://127.0.0.1',
      'not a url',
    ]) {
      expect(() => stripeSettingsFrom({ STRIPE_API_KEY: 'sk_test_x' }, url)).toThrow(UsageError);
    }
  });
});

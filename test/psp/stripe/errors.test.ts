import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { classifyStripeError, retryAfterMsOf } from '../../../src/psp/stripe/errors.js';

// The SDK's own error classes, built as the SDK builds them from Stripe's answers.
const { errors } = Stripe;

describe("classifyStripeError (the SDK's error classes → the port's results)", () => {
  it("books a card error as a decline with the issuer's decline code and the failed charge", () => {
    const error = new errors.StripeCardError({
      type: 'card_error',
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      charge: 'ch_1',
      message: 'Your card has insufficient funds.',
    });
    expect(classifyStripeError(error, 'create charges')).toEqual({
      kind: 'declined',
      code: 'insufficient_funds',
      chargeId: 'ch_1',
      message: 'Your card has insufficient funds.',
    });
  });

  it('falls back to the error code when the issuer gave no decline code (the SDK leaves it empty)', () => {
    const error = new errors.StripeCardError({
      type: 'card_error',
      statusCode: 402,
      code: 'expired_card',
      message: 'Your card has expired.',
    });
    expect(classifyStripeError(error, 'create charges')).toMatchObject({
      kind: 'declined',
      code: 'expired_card',
      chargeId: null,
    });
  });

  it('never books an idempotency error as a decline', () => {
    const error = new errors.StripeIdempotencyError({
      type: 'idempotency_error',
      statusCode: 400,
      message:
        'Keys for idempotent requests can only be used with the same parameters they were first used with.',
    });
    expect(classifyStripeError(error, 'create charges')).toEqual({
      kind: 'idempotency_conflict',
      message: expect.stringContaining('same parameters'),
    });
  });

  it('treats a rate limit as retryable and honours Retry-After', () => {
    const error = new errors.StripeRateLimitError({
      type: 'rate_limit_error',
      statusCode: 429,
      message: 'Too many requests',
      headers: { 'retry-after': '3' },
    });
    expect(classifyStripeError(error, 'create charges')).toEqual({
      kind: 'retryable',
      failure: {
        status: 'retryable',
        kind: 'rate_limited',
        sent: true,
        retryAfterMs: 3000,
        detail: expect.stringContaining('429'),
      },
    });
  });

  it('treats 5xx API errors as retryable server errors whose outcome is unknown', () => {
    for (const statusCode of [500, 503]) {
      const error = new errors.StripeAPIError({
        type: 'api_error',
        statusCode,
        message: 'An unknown error occurred',
      });
      expect(classifyStripeError(error, 'create charges')).toMatchObject({
        kind: 'retryable',
        failure: {
          kind: 'server_error',
          sent: true,
          detail: expect.stringContaining(String(statusCode)),
        },
      });
    }
  });

  // Found in review: a 409 typed as an idempotency error was taken for a key reused with other
  // parameters and dead-lettered, while the first request might be charging at that moment.
  it('retries a 409 (a request with the same key still in flight), whatever type Stripe gives it', () => {
    const inFlight = [
      new errors.StripeAPIError({
        type: 'api_error',
        statusCode: 409,
        message: 'There is currently another in-progress request using this Stripe token.',
      }),
      new errors.StripeIdempotencyError({
        type: 'idempotency_error',
        statusCode: 409,
        message: 'There is currently another in-progress request using this idempotent key.',
      }),
      new errors.StripeInvalidRequestError({
        type: 'invalid_request_error',
        statusCode: 409,
        message: 'There is currently another in-progress request using this idempotent key.',
      }),
    ];
    for (const error of inFlight) {
      expect(classifyStripeError(error, 'create charges')).toMatchObject({
        kind: 'retryable',
        failure: { kind: 'conflict', sent: true, detail: expect.stringContaining('409') },
      });
    }
  });

  it('says a refused connection was not sent, but a reset, a timeout or a retried request might have been', () => {
    const refused = new errors.StripeConnectionError({
      message: 'An error occurred with our connection to Stripe.',
      detail: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const refusedOnRetry = new errors.StripeConnectionError({
      message: 'An error occurred with our connection to Stripe. Request was retried 1 times.',
      detail: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const reset = new errors.StripeConnectionError({
      message: 'An error occurred with our connection to Stripe.',
      detail: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    });
    const timedOut = new errors.StripeConnectionError({
      message: 'Request aborted due to timeout being reached (30000ms)',
      detail: Object.assign(new TypeError('ETIMEDOUT'), { code: 'ETIMEDOUT' }),
    });
    expect(classifyStripeError(refused, 'x')).toMatchObject({
      failure: { kind: 'connection', sent: false },
    });
    expect(classifyStripeError(refusedOnRetry, 'x')).toMatchObject({
      failure: { kind: 'connection', sent: true },
    });
    expect(classifyStripeError(reset, 'x')).toMatchObject({
      failure: { kind: 'connection', sent: true, detail: expect.stringContaining('ECONNRESET') },
    });
    expect(classifyStripeError(timedOut, 'x')).toMatchObject({
      failure: { kind: 'timeout', sent: true },
    });
  });

  it('keeps a request Stripe refused (400/404) final, with its code', () => {
    const error = new errors.StripeInvalidRequestError({
      type: 'invalid_request_error',
      statusCode: 400,
      code: 'amount_too_small',
      message: 'Amount must be at least 50 cents',
    });
    expect(classifyStripeError(error, 'create charges')).toEqual({
      kind: 'invalid_request',
      code: 'amount_too_small',
      message: 'Amount must be at least 50 cents',
    });
  });

  it("stops the command on a rejected key, without repeating Stripe's message (which quotes the key)", () => {
    const error = new errors.StripeAuthenticationError({
      type: 'invalid_request_error',
      statusCode: 401,
      message: 'Invalid API Key provided: sk_live_********************1234',
    });
    let thrown: unknown;
    try {
      classifyStripeError(error, 'create charges');
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).exitCode).toBe(2);
    expect((thrown as UsageError).oneLine()).toMatch(/STRIPE_API_KEY/);
    expect((thrown as UsageError).oneLine()).not.toMatch(/sk_live|1234/);
  });

  it('stops the command when the key lacks a permission', () => {
    const error = new errors.StripePermissionError({
      type: 'invalid_request_error',
      statusCode: 403,
      message: 'The provided key does not have the required permissions',
    });
    expect(() => classifyStripeError(error, 'create refunds')).toThrow(
      /may not create refunds \(403/,
    );
  });

  it('throws on what is not a Stripe API error: that is a bug, not an outcome', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(() => classifyStripeError(bug, 'x')).toThrow(bug);
    expect(() =>
      classifyStripeError(new errors.StripeSignatureVerificationError('', ''), 'x'),
    ).toThrow();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(retryAfterMsOf('2', now)).toBe(2000);
    expect(retryAfterMsOf('0.5', now)).toBe(500);
    expect(retryAfterMsOf('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMsOf('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMsOf(undefined, now)).toBeUndefined();
    expect(retryAfterMsOf('soon', now)).toBeUndefined();
  });
});

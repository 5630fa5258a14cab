import { UsageError } from '../../errors.js';
import type { RetryableFailure } from '../port.js';

/**
 * What an error thrown by the Stripe SDK means for payops. The SDK names each error class in
 * `type` (stripe-node documents switching on it), so this reads `type` and needs no runtime
 * import of the SDK.
 */
export type StripeFailure =
  /** The payment method was refused (HTTP 402): final, with the issuer's decline code. */
  | { kind: 'declined'; code: string; message: string; chargeId: string | null }
  /** Stripe refused the request itself (400/404: a bad token, an amount too small): final, nothing happened. */
  | { kind: 'invalid_request'; code: string; message: string }
  /** The key was used before with other parameters: nothing was executed; never a decline. */
  | { kind: 'idempotency_conflict'; message: string }
  | { kind: 'retryable'; failure: RetryableFailure };

/** The fields of the SDK's StripeError that payops reads. */
interface StripeErrorFields {
  type: string;
  rawType?: string;
  statusCode?: number;
  code?: string;
  decline_code?: string;
  charge?: string;
  message: string;
  headers?: Record<string, string | undefined>;
  detail?: unknown;
}

// A connection that was refused or never resolved carried no request; anything later might have.
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function isStripeError(error: unknown): error is Error & StripeErrorFields {
  const type = error instanceof Error ? (error as { type?: unknown }).type : undefined;
  return typeof type === 'string' && type.startsWith('Stripe');
}

/**
 * Classifies what the SDK threw while doing `operation` (e.g. "create charges"). A rejected key
 * or a key without permission stops the command with a usage error that never repeats the key
 * (Stripe's own message does, partly). Anything that is not a Stripe API error is a bug and is
 * thrown on.
 */
export function classifyStripeError(error: unknown, operation: string): StripeFailure {
  if (!isStripeError(error)) throw error;
  // A 409 is a request with the same key still in flight (or a lock timeout), whatever its type says: the first may be charging now.
  if (error.statusCode === 409)
    return retryable('conflict', true, `Stripe 409: ${brief(error.message)}`);
  if (error.type === 'StripeIdempotencyError' || error.rawType === 'idempotency_error')
    return { kind: 'idempotency_conflict', message: brief(error.message) };
  switch (error.type) {
    case 'StripeCardError':
      // The SDK sets decline_code to '' when the issuer gave none (an expired card): fall back to the code.
      return {
        kind: 'declined',
        code: error.decline_code || error.code || 'card_declined',
        message: brief(error.message),
        chargeId: error.charge || null,
      };
    case 'StripeInvalidRequestError':
      return {
        kind: 'invalid_request',
        code: error.code || 'invalid_request',
        message: brief(error.message),
      };
    case 'StripeRateLimitError':
      return retryable(
        'rate_limited',
        true,
        `Stripe rate limit (${error.statusCode ?? 429}): ${brief(error.message)}`,
        retryAfterMsOf(error.headers?.['retry-after']),
      );
    case 'StripeAPIError':
      // 5xx and unreadable answers.
      return retryable(
        'server_error',
        true,
        `Stripe API error${error.statusCode ? ` (${error.statusCode})` : ''}: ${brief(error.message)}`,
      );
    case 'StripeConnectionError':
      return connectionFailure(error);
    case 'StripeAuthenticationError':
      throw new UsageError(
        `Stripe rejected the API key in STRIPE_API_KEY (401 authentication error) while trying to ${operation}`,
        {
          hint: 'set STRIPE_API_KEY to a valid secret key of the account (orders already claimed are retried with the same keys once their lease expires)',
        },
      );
    case 'StripePermissionError':
      throw new UsageError(
        `the key in STRIPE_API_KEY may not ${operation} (403 permission error)`,
        {
          hint: 'use the secret key, or a restricted key with write access to Charges and Refunds and read access to Disputes',
        },
      );
    default:
      throw error;
  }
}

function connectionFailure(error: StripeErrorFields): StripeFailure {
  const code =
    typeof error.detail === 'object' && error.detail !== null
      ? (error.detail as { code?: unknown }).code
      : undefined;
  // The SDK's own timeout reports ETIMEDOUT; it also retries a reset connection once, and says so.
  const timedOut = code === 'ETIMEDOUT' || /timeout/i.test(error.message);
  const retriedBySdk = /retried/i.test(error.message);
  const sent = !(typeof code === 'string' && NEVER_SENT.has(code) && !retriedBySdk);
  const detail = `${timedOut ? 'no answer from Stripe in time' : 'connection to Stripe failed'}${typeof code === 'string' ? ` (${code})` : ''}: ${brief(error.message)}`;
  return retryable(timedOut ? 'timeout' : 'connection', sent, detail);
}

function retryable(
  kind: RetryableFailure['kind'],
  sent: boolean,
  detail: string,
  retryAfterMs?: number,
): StripeFailure {
  return {
    kind: 'retryable',
    failure: {
      status: 'retryable',
      kind,
      sent,
      detail,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  };
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMsOf(
  header: string | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(header)) return Math.round(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Stripe's messages can run long (a list of every currency); one line of it is enough. */
function brief(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

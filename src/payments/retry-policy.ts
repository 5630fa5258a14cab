import { UsageError } from '../errors.js';

/** Exponential backoff with jitter: base × 2^(n−1), capped, then between half and all of it. */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts before an order is dead-lettered (counted from the last operator requeue). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, capMs: 60_000, maxAttempts: 5 };

export function retryDelayMs(
  policy: RetryPolicy,
  attemptsUsed: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attemptsUsed - 1));
  const jittered = exponential / 2 + (exponential / 2) * random();
  // A PSP that said when to come back is believed, even past our cap.
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

export function makeRetryPolicy(options: {
  retryBaseMs?: number;
  retryCapMs?: number;
  maxAttempts?: number;
}): RetryPolicy {
  const policy = {
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs,
    capMs: options.retryCapMs ?? DEFAULT_RETRY_POLICY.capMs,
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
  };
  if (policy.capMs < policy.baseMs)
    throw new UsageError('--retry-cap-ms must be at least --retry-base-ms');
  return policy;
}

import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';

/**
 * Fault rates of the simulated PSP, each a probability in [0, 1], one grammar for the in-process
 * sim and `payops psp serve`:
 * - per request, before it is processed: `timeout` (in process: nothing happened, the caller hears
 *   nothing; over HTTP: the request is held past the client's timeout, then processed), `5xx`,
 *   `429` (with Retry-After), `reset` (the connection is reset before the request is processed);
 * - per request, after it was processed: `lost` (the charge exists, the response never arrives;
 *   over HTTP the connection is reset after the commit);
 * - per new charge: `decline`, `pending` (settles later, see lookups and webhooks);
 * - per captured charge: `dispute` (the buyer disputes it: a chargeback, seen by `chargebacks sync`);
 * - per webhook delivery (`psp serve` only): `webhook-duplicate` (delivered twice),
 *   `webhook-delay` (held back, so later events overtake it).
 */
export interface FaultRates {
  timeout: number;
  serverError: number;
  rateLimited: number;
  reset: number;
  lost: number;
  decline: number;
  pending: number;
  /** Per captured charge: the buyer disputes it later (a chargeback). */
  dispute: number;
  webhookDuplicate: number;
  webhookDelay: number;
}

export const NO_FAULTS: FaultRates = {
  timeout: 0,
  serverError: 0,
  rateLimited: 0,
  reset: 0,
  lost: 0,
  decline: 0,
  pending: 0,
  dispute: 0,
  webhookDuplicate: 0,
  webhookDelay: 0,
};

const NAMES: Record<string, keyof FaultRates> = {
  timeout: 'timeout',
  '5xx': 'serverError',
  '429': 'rateLimited',
  reset: 'reset',
  lost: 'lost',
  decline: 'decline',
  pending: 'pending',
  dispute: 'dispute',
  'webhook-duplicate': 'webhookDuplicate',
  'webhook-delay': 'webhookDelay',
};

/** Parses `timeout=0.05,5xx=0.02,429=0.01,reset=0.01,lost=0.01,decline=0.03,pending=0.02` (any subset). */
export function parseFaults(spec: string | undefined): FaultRates {
  const rates = { ...NO_FAULTS };
  if (spec === undefined || spec.trim() === '' || spec === 'none') return rates;
  for (const part of spec.split(',')) {
    const [name = '', value = ''] = part.split('=').map((text) => text.trim());
    const field = NAMES[name];
    if (!field)
      throw new UsageError(
        `--faults: unknown fault "${name}" (known: ${Object.keys(NAMES).join(', ')})`,
      );
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(value))
      throw new UsageError(
        `--faults: ${name} must be a probability between 0 and 1, e.g. ${name}=0.05`,
      );
    rates[field] = Number(value);
  }
  const beforeProcessing = rates.timeout + rates.serverError + rates.rateLimited + rates.reset;
  if (beforeProcessing > 1)
    throw new UsageError('--faults: timeout + 5xx + 429 + reset must not exceed 1');
  if (rates.decline + rates.pending > 1)
    throw new UsageError('--faults: decline + pending must not exceed 1');
  return rates;
}

/**
 * A uniform number in [0, 1) decided by the seed and the names given: the same seed, key and
 * request number always draw the same faults, in any process, so runs are repeatable.
 */
export function draw(seed: string, ...names: (string | number)[]): number {
  const digest = createHash('sha256')
    .update(`${seed}|${names.join('|')}`)
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export type FaultBeforeProcessing = 'timeout' | 'server_error' | 'rate_limited' | 'reset';

/** The fault, if any, that strikes the `attempt`-th request with this key before it is processed. */
export function faultBeforeProcessing(
  seed: string,
  faults: FaultRates,
  key: string,
  attempt: number,
): FaultBeforeProcessing | undefined {
  if (faults.timeout + faults.serverError + faults.rateLimited + faults.reset === 0)
    return undefined;
  const roll = draw(seed, key, attempt, 'network');
  let bound = faults.timeout;
  if (roll < bound) return 'timeout';
  if (roll < (bound += faults.serverError)) return 'server_error';
  if (roll < (bound += faults.rateLimited)) return 'rate_limited';
  if (roll < (bound += faults.reset)) return 'reset';
  return undefined;
}

/** Whether the response to the `attempt`-th request with this key is lost after it was processed. */
export function responseLost(
  seed: string,
  faults: FaultRates,
  key: string,
  attempt: number,
): boolean {
  return faults.lost > 0 && draw(seed, key, attempt, 'lost') < faults.lost;
}

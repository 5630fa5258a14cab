import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';

/**
 * Fault rates of the simulated PSP, each a probability in [0, 1]:
 * - per request, before it is processed: `timeout` (nothing happened, the caller hears nothing),
 *   `5xx`, `429` (with Retry-After);
 * - per request, after it was processed: `lost` (the charge exists, the response never arrives);
 * - per new charge: `decline`, `pending` (settles later, see lookups and webhooks);
 * - per captured charge: `dispute` (the buyer disputes it: a chargeback, seen by `chargebacks sync`).
 */
export interface FaultRates {
  timeout: number;
  serverError: number;
  rateLimited: number;
  lost: number;
  decline: number;
  pending: number;
  /** Per captured charge: the buyer disputes it later (a chargeback). */
  dispute: number;
}

export const NO_FAULTS: FaultRates = { timeout: 0, serverError: 0, rateLimited: 0, lost: 0, decline: 0, pending: 0, dispute: 0 };

const NAMES: Record<string, keyof FaultRates> = {
  timeout: 'timeout',
  '5xx': 'serverError',
  '429': 'rateLimited',
  lost: 'lost',
  decline: 'decline',
  pending: 'pending',
  dispute: 'dispute',
};

/** Parses `timeout=0.05,5xx=0.02,429=0.01,lost=0.01,decline=0.03,pending=0.02` (any subset). */
export function parseFaults(spec: string | undefined): FaultRates {
  const rates = { ...NO_FAULTS };
  if (spec === undefined || spec.trim() === '' || spec === 'none') return rates;
  for (const part of spec.split(',')) {
    const [name = '', value = ''] = part.split('=').map((text) => text.trim());
    const field = NAMES[name];
    if (!field) throw new UsageError(`--faults: unknown fault "${name}" (known: ${Object.keys(NAMES).join(', ')})`);
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(value)) throw new UsageError(`--faults: ${name} must be a probability between 0 and 1, e.g. ${name}=0.05`);
    rates[field] = Number(value);
  }
  const beforeProcessing = rates.timeout + rates.serverError + rates.rateLimited;
  if (beforeProcessing > 1) throw new UsageError('--faults: timeout + 5xx + 429 must not exceed 1');
  if (rates.decline + rates.pending > 1) throw new UsageError('--faults: decline + pending must not exceed 1');
  return rates;
}

/**
 * A uniform number in [0, 1) decided by the seed and the names given: the same seed, key and
 * request number always draw the same faults, in any process, so runs are repeatable.
 */
export function draw(seed: string, ...names: (string | number)[]): number {
  const digest = createHash('sha256').update(`${seed}|${names.join('|')}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

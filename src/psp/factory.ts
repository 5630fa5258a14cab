import path from 'node:path';
import { UsageError } from '../errors.js';
import { realPathOf } from '../real-path.js';
import { type Clock, systemClock } from '../time.js';
import { DEFAULT_FEE_RULE, parseFeeRule } from './fee-rule.js';
import { DEFAULT_HTTP_CONCURRENCY, DEFAULT_HTTP_TIMEOUT_MS, HttpPsp } from './http/client.js';
import type { PaymentServiceProvider } from './port.js';
import { SimPsp } from './sim/adapter.js';
import { parseFaults } from './sim/faults.js';
import { StripePsp } from './stripe/adapter.js';
import { stripeSettingsFrom } from './stripe/config.js';

export const PSP_NAMES = ['sim', 'http', 'stripe'] as const;
export type PspName = (typeof PSP_NAMES)[number];

export interface PspConfig {
  psp: string;
  /** The payops database; the sim keeps its state beside it unless told otherwise. */
  dbPath: string;
  pspState?: string;
  seed?: string;
  faults?: string;
  feeRule?: string;
  /** `--psp-url`: where a PSP reached over the network answers (Stripe: optional, for a mock). */
  pspUrl?: string;
  /** http and stripe: how long one request may take, and how many are in flight at once. */
  pspTimeoutMs?: number;
  concurrency?: number;
  clock?: Clock;
  /** Where secrets come from (STRIPE_API_KEY); the process environment unless a test says otherwise. */
  env?: NodeJS.ProcessEnv;
}

/** `books.db` → `books.psp-sim.db`: the simulated PSP's own books, beside ours (by the books' real path: one PSP state for every spelling). */
export function defaultSimStateFile(dbPath: string): string {
  const parsed = path.parse(realPathOf(dbPath));
  return path.join(parsed.dir, `${parsed.ext ? parsed.name : parsed.base}.psp-sim.db`);
}

export function createPsp(config: PspConfig): PaymentServiceProvider {
  switch (config.psp) {
    case 'sim':
      if (config.pspUrl !== undefined)
        throw new UsageError(
          '--psp-url is for a PSP reached over the network (--psp http or stripe), not the simulated one',
        );
      return new SimPsp({
        stateFile: config.pspState ?? defaultSimStateFile(config.dbPath),
        seed: config.seed ?? '0',
        faults: parseFaults(config.faults),
        feeRule: config.feeRule === undefined ? DEFAULT_FEE_RULE : parseFeeRule(config.feeRule),
        clock: config.clock ?? systemClock,
      });
    case 'http':
      refuseSimulatorFlags(config);
      if (config.pspUrl === undefined)
        throw new UsageError('--psp http needs --psp-url', {
          hint: 'the URL `payops psp serve` printed, e.g. --psp-url http://127.0.0.1:40123',
        });
      return new HttpPsp({
        baseUrl: config.pspUrl,
        timeoutMs: config.pspTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
        concurrency: config.concurrency ?? DEFAULT_HTTP_CONCURRENCY,
      });
    case 'stripe':
      refuseSimulatorFlags(config);
      return new StripePsp({
        ...stripeSettingsFrom(config.env ?? process.env, config.pspUrl),
        timeoutMs: config.pspTimeoutMs,
        concurrency: config.concurrency,
      });
    default:
      throw new UsageError(
        `--psp: unknown PSP "${config.psp}" (available: ${PSP_NAMES.join(', ')})`,
      );
  }
}

/** Faults, fees and state belong to the simulated PSP: ignoring them silently would mislead. */
function refuseSimulatorFlags(config: PspConfig): void {
  const given = [
    ['--faults', config.faults],
    ['--fee-rule', config.feeRule],
    ['--psp-state', config.pspState],
  ]
    .filter(([, value]) => value !== undefined)
    .map(([flag]) => flag);
  if (given.length > 0)
    throw new UsageError(
      `${given.join(', ')}: only for the simulated PSP, not for --psp ${config.psp}`,
      { hint: `drop ${given.length === 1 ? 'it' : 'them'}` },
    );
}

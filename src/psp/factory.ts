import path from 'node:path';
import { UsageError } from '../errors.js';
import { type Clock, systemClock } from '../time.js';
import { DEFAULT_FEE_RULE, parseFeeRule } from './fee-rule.js';
import { DEFAULT_HTTP_CONCURRENCY, DEFAULT_HTTP_TIMEOUT_MS, HttpPsp } from './http/client.js';
import type { PaymentServiceProvider } from './port.js';
import { SimPsp } from './sim/adapter.js';
import { parseFaults } from './sim/faults.js';

export const PSP_NAMES = ['sim', 'http'] as const;
export type PspName = (typeof PSP_NAMES)[number];

export interface PspConfig {
  psp: string;
  /** The payops database; the sim keeps its state beside it unless told otherwise. */
  dbPath: string;
  pspState?: string;
  seed?: string;
  faults?: string;
  feeRule?: string;
  clock?: Clock;
  /** http: the base URL of `payops psp serve`. */
  pspUrl?: string;
  pspTimeoutMs?: number;
  concurrency?: number;
}

/** `books.db` → `books.psp-sim.db`: the simulated PSP's own books, beside ours. */
export function defaultSimStateFile(dbPath: string): string {
  const parsed = path.parse(dbPath);
  return path.join(parsed.dir, `${parsed.ext ? parsed.name : parsed.base}.psp-sim.db`);
}

export function createPsp(config: PspConfig): PaymentServiceProvider {
  switch (config.psp) {
    case 'sim':
      return new SimPsp({
        stateFile: config.pspState ?? defaultSimStateFile(config.dbPath),
        seed: config.seed ?? '0',
        faults: parseFaults(config.faults),
        feeRule: config.feeRule === undefined ? DEFAULT_FEE_RULE : parseFeeRule(config.feeRule),
        clock: config.clock ?? systemClock,
      });
    case 'http':
      if (config.pspUrl === undefined) throw new UsageError('--psp http needs --psp-url', { hint: 'the URL `payops psp serve` printed, e.g. --psp-url http://127.0.0.1:40123' });
      return new HttpPsp({ baseUrl: config.pspUrl, timeoutMs: config.pspTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS, concurrency: config.concurrency ?? DEFAULT_HTTP_CONCURRENCY });
    default:
      throw new UsageError(`--psp: unknown PSP "${config.psp}" (available: ${PSP_NAMES.join(', ')})`);
  }
}

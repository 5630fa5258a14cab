import path from 'node:path';
import { UsageError } from '../errors.js';
import { type Clock, systemClock } from '../time.js';
import { DEFAULT_FEE_RULE, parseFeeRule } from './fee-rule.js';
import type { PaymentServiceProvider } from './port.js';
import { SimPsp } from './sim/adapter.js';
import { parseFaults } from './sim/faults.js';

export const PSP_NAMES = ['sim'] as const;
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
    default:
      throw new UsageError(`--psp: unknown PSP "${config.psp}" (available: ${PSP_NAMES.join(', ')})`);
  }
}

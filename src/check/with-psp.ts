import type { Database } from '../db/index.js';
import { DEFAULT_FEE_RULE } from '../psp/fee-rule.js';
import { SimEngine } from '../psp/sim/engine.js';
import { NO_FAULTS } from '../psp/sim/faults.js';
import type { CheckReport, PspRecord } from './check.js';

/**
 * Runs the checks with the simulated PSP's own record when its state file exists. The engine stays
 * open while the checks stream its charges, and is closed after.
 */
export function runChecksWithPsp(db: Database, simStateFile: string | undefined, runChecks: (db: Database, psp?: PspRecord) => CheckReport): CheckReport {
  if (simStateFile === undefined) return runChecks(db);
  const engine = new SimEngine({ stateFile: simStateFile, seed: '0', faults: NO_FAULTS, feeRule: DEFAULT_FEE_RULE, clock: Date.now });
  try {
    return runChecks(db, { psp: 'sim', chargesByOrder: engine.chargesByMerchantReference(), payouts: engine.payouts() });
  } finally {
    engine.close();
  }
}

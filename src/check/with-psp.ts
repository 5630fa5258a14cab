import type { Database } from '../db/index.js';
import { DEFAULT_FEE_RULE } from '../psp/fee-rule.js';
import { SimEngine } from '../psp/sim/engine.js';
import { NO_FAULTS } from '../psp/sim/faults.js';
import type { CheckReport, PspRecord } from './check.js';

/**
 * Runs the checks with the PSP's own record when its state file is given: the in-process sim's, or
 * the one `payops psp serve` keeps for the `http` PSP (the same engine and format). The engine
 * stays open while the checks stream its charges, and is closed after.
 */
export function runChecksWithPsp(db: Database, pspState: { psp: string; stateFile: string } | undefined, runChecks: (db: Database, psp?: PspRecord) => CheckReport): CheckReport {
  if (pspState === undefined) return runChecks(db);
  const engine = new SimEngine({ stateFile: pspState.stateFile, seed: '0', faults: NO_FAULTS, feeRule: DEFAULT_FEE_RULE, clock: Date.now });
  try {
    return runChecks(db, { psp: pspState.psp, chargesByOrder: engine.chargesByMerchantReference(), payouts: engine.payouts() });
  } finally {
    engine.close();
  }
}

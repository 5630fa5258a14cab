import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport, PspRecord } from '../../src/check/check.js';
import type { CheckSource } from '../../src/check/check-source.js';
import { SqliteCheckSource } from '../../src/check/sqlite-check-source.js';
import { runChecksWithPsp } from '../../src/check/with-psp.js';
import type { Currency } from '../../src/money/index.js';
const USD = 'USD' as Currency;
import { DEFAULT_FEE_RULE } from '../../src/psp/fee-rule.js';
import { SimEngine } from '../../src/psp/sim/engine.js';
import { NO_FAULTS } from '../../src/psp/sim/faults.js';
import { tempDatabase } from '../helpers/db.js';

const charge = (orderId: string) => ({
  idempotencyKey: `payops-${orderId}-charge`,
  merchantReference: orderId,
  amountMinor: 1000n,
  currency: USD,
  paymentToken: 'tok_visa',
});

/**
 * check --psp-state: the PSP's record must be of one moment, even though the checks await between
 * its reads. Another process (here: a second SimEngine on the same state file) charges and pays
 * out while the checks run; nothing it commits after the record was taken may show.
 */
describe("check --psp-state: the PSP record is of one moment across the checks' awaits", () => {
  for (const before of [0, 3]) {
    it(`with ${before} charges before the check`, async () => {
      const { db, file, cleanup } = tempDatabase();
      const stateFile = path.join(path.dirname(file), 'sim.db');
      const opts = {
        stateFile,
        seed: 's',
        faults: NO_FAULTS,
        feeRule: DEFAULT_FEE_RULE,
        clock: Date.now,
      };
      const other = new SimEngine(opts);
      try {
        for (let i = 1; i <= before; i++) other.charge([charge(`ord_${i}`)]);
        let seen = -1;
        let payouts = -1;
        const fake = async (source: CheckSource, record?: PspRecord): Promise<CheckReport> =>
          source.inSnapshot(async (reads) => {
            await reads.count('events');
            // Another process commits at the PSP while check runs (after the record was taken).
            other.charge([charge('ord_late_1'), charge('ord_late_2')]);
            await new Promise((resolve) => setTimeout(resolve, 5));
            seen = [...(record?.chargesByOrder ?? [])].length;
            payouts = record?.payouts.length ?? -1;
            return { ok: true, results: [], notes: [] };
          });
        await runChecksWithPsp(new SqliteCheckSource(db), { psp: 'sim', stateFile }, fake);
        expect(seen).toBe(before);
        expect(payouts).toBe(0);
      } finally {
        other.close();
        cleanup();
      }
    });
  }
});

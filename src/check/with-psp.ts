import { type Database, inReadSnapshot } from '../db/index.js';
import { DEFAULT_FEE_RULE } from '../psp/fee-rule.js';
import { SimEngine } from '../psp/sim/engine.js';
import { NO_FAULTS } from '../psp/sim/faults.js';
import type { StripeRecord } from '../psp/stripe/adapter.js';
import type { CheckReport, PspRecord } from './check.js';
import { CheckStore } from './store.js';

/**
 * Runs the checks on one snapshot of the books, with the PSP's own record when its state file is
 * given: the in-process sim's, or the one `payops psp serve` keeps for the `http` PSP (the same
 * engine and format). payops may be running meanwhile (a webhook listener, a retry run): each
 * check is made of several queries, and all of them see the books as of one commit.
 *
 * The PSP's record is read after the books' snapshot is taken, also on one snapshot: it can only
 * be newer. What payops booked, the PSP did before, so the PSP's record holds it; what the PSP
 * did since is a note (captured, booked on the next retry, sync or webhook), not a failure, and
 * so is an order new in the books that was claimed and charged since (the PSP's charge is dated
 * after the books were read; one dated before is a problem).
 */
export function runChecksWithPsp(
  db: Database,
  pspState: { psp: string; stateFile: string } | undefined,
  runChecks: (db: Database, psp?: PspRecord) => CheckReport,
): CheckReport {
  if (pspState === undefined) return inReadSnapshot(db, () => runChecks(db));
  // Opened first: opening the state file may wait for the server's writes, and nothing should
  // happen between the two snapshots that can be avoided.
  const engine = new SimEngine({
    stateFile: pspState.stateFile,
    seed: '0',
    faults: NO_FAULTS,
    feeRule: DEFAULT_FEE_RULE,
    clock: Date.now,
  });
  try {
    return inReadSnapshot(db, () => {
      const booksReadAt = new Date().toISOString();
      // The first read fixes the books' snapshot, then the PSP's is taken: it can only be newer.
      new CheckStore(db).fixSnapshot();
      return engine.readSnapshot(() =>
        runChecks(db, {
          psp: pspState.psp,
          chargesByOrder: engine.chargesByMerchantReference(),
          payouts: engine.payouts(),
          booksReadAt,
        }),
      );
    });
  } finally {
    engine.close();
  }
}

/**
 * The checks against Stripe's own record (`check --psp stripe`): payops' charges and refunds are
 * listed first, by the metadata payops puts on each, then the books are read on one snapshot.
 * Stripe's record is read before the books here, so run it while no pay-in or retry is sending:
 * an order charged in between would show as captured at Stripe but not yet in the books.
 */
export async function runChecksWithStripe(
  db: Database,
  stripe: { readRecord(): Promise<StripeRecord> },
  runChecks: (db: Database, psp?: PspRecord) => CheckReport,
): Promise<CheckReport> {
  const record = await stripe.readRecord();
  return inReadSnapshot(db, () =>
    runChecks(db, {
      psp: 'stripe',
      chargesByOrder: record.charges,
      payouts: [],
      refunds: record.refunds,
    }),
  );
}

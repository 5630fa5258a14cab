import { DEFAULT_FEE_RULE } from '../psp/fee-rule.js';
import { type SimChargeRecord, SimEngine } from '../psp/sim/engine.js';
import { NO_FAULTS } from '../psp/sim/faults.js';
import type { StripeRecord } from '../psp/stripe/adapter.js';
import type { CheckReport, PspRecord } from './check.js';
import type { CheckReads, CheckSource } from './check-source.js';

type RunChecks = (source: CheckSource, psp?: PspRecord) => Promise<CheckReport>;

/** The snapshot already taken: `runChecks` reads in it rather than opening another. */
function taken(reads: CheckReads): CheckSource {
  return { inSnapshot: (work) => work(reads) };
}

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
export async function runChecksWithPsp(
  source: CheckSource,
  pspState: { psp: string; stateFile: string } | undefined,
  runChecks: RunChecks,
): Promise<CheckReport> {
  if (pspState === undefined) return runChecks(source);
  // Opened first: opening the state file may wait for the server's writes, and nothing should
  // happen between the two snapshots that can be avoided.
  const engine = new SimEngine({
    stateFile: pspState.stateFile,
    seed: '0',
    faults: NO_FAULTS,
    feeRule: DEFAULT_FEE_RULE,
    clock: Date.now,
  });
  const open: { charges?: Generator<SimChargeRecord> } = {};
  try {
    return await source.inSnapshot(async (reads) => {
      const booksReadAt = new Date().toISOString();
      // The first read fixes the books' snapshot, then the PSP's is taken: it can only be newer.
      await reads.fixSnapshot();
      const { record, charges } = simRecord(engine, pspState.psp, booksReadAt);
      open.charges = charges;
      return runChecks(taken(reads), record);
    });
  } finally {
    // The checks read every charge; after a throw, the cursor is closed so the state file can be.
    open.charges?.return(undefined);
    engine.close();
  }
}

/**
 * The sim's record of one moment, taken now. Its charges stream through one cursor, and SQLite
 * keeps the read snapshot a statement started for as long as the statement is open, across the
 * awaits of the checks; the payouts are read while it is open, so they are of the same moment.
 * (With no charge at all the cursor closes at once and the payouts are read just after: newer
 * still, which the checks allow.) The engine's `readSnapshot` cannot hold the record: its
 * transaction is a synchronous function, and the checks await the books' reads.
 */
function simRecord(
  engine: SimEngine,
  psp: string,
  booksReadAt: string,
): { record: PspRecord; charges: Generator<SimChargeRecord> } {
  const charges = engine.chargesByMerchantReference();
  const first = charges.next();
  const payouts = engine.payouts();
  return {
    record: { psp, chargesByOrder: startedWith(first, charges), payouts, booksReadAt },
    charges,
  };
}

/** The rest of an iteration whose first step was taken already. */
function* startedWith<T>(first: IteratorResult<T>, rest: Iterator<T>): Generator<T> {
  for (let step = first; !step.done; step = rest.next()) yield step.value;
}

/**
 * The checks against Stripe's own record (`check --psp stripe`): payops' charges and refunds are
 * listed first, by the metadata payops puts on each, then the books are read on one snapshot.
 * Stripe's record is read before the books here, so run it while no pay-in or retry is sending:
 * an order charged in between would show as captured at Stripe but not yet in the books.
 */
export async function runChecksWithStripe(
  source: CheckSource,
  stripe: { readRecord(): Promise<StripeRecord> },
  runChecks: RunChecks,
): Promise<CheckReport> {
  const record = await stripe.readRecord();
  return runChecks(source, {
    psp: 'stripe',
    chargesByOrder: record.charges,
    payouts: [],
    refunds: record.refunds,
  });
}

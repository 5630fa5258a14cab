import { type CliContext, withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { UsageError } from '../../errors.js';
import { payoutLegs } from '../../bank/legs.js';
import { SqliteBankReads } from '../../bank/sqlite-bank-reads.js';
import { payoutLegsCsv, payoutLegsJson, renderPayoutLegs } from '../../reports/payout-legs.js';

/** `reconcile payouts`: the payout legs against the bank, the only reconcile command that reads them. */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, { reconcilePayoutsSchema }] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/payout-legs.js'),
  ]);
  return { contractJson, reconcilePayoutsSchema };
});

export type ReconcilePayoutsFlags = { psp?: string; open?: boolean; json?: boolean; csv?: boolean };

export async function reconcilePayouts(
  context: CliContext,
  flags: ReconcilePayoutsFlags,
): Promise<void> {
  if (flags.json && flags.csv) {
    throw new UsageError('--json and --csv: choose one');
  }
  const report = await withDatabase(context, (db) =>
    payoutLegs(new SqliteBankReads(db), {
      ...(flags.psp !== undefined ? { psp: flags.psp } : {}),
      openOnly: flags.open === true,
    }),
  );
  if (flags.json) {
    const { contractJson, reconcilePayoutsSchema } = await json();
    context.out(contractJson(reconcilePayoutsSchema, payoutLegsJson(report)));
  } else if (flags.csv) process.stdout.write(payoutLegsCsv(report));
  else context.out(renderPayoutLegs(report, context.color));
}

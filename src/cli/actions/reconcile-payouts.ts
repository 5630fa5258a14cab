import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { UsageError } from '../../errors.js';
import { payoutLegs } from '../../bank/legs.js';
import { payoutLegsCsv, payoutLegsJson, renderPayoutLegs } from '../../reports/payout-legs.js';
import { contractJson } from '../../output/contract.js';
import { reconcilePayoutsSchema } from '../../output/payout-legs.js';

export type ReconcilePayoutsFlags = { psp?: string; open?: boolean; json?: boolean; csv?: boolean };

export async function reconcilePayouts(
  context: CliContext,
  flags: ReconcilePayoutsFlags,
): Promise<void> {
  if (flags.json && flags.csv) {
    throw new UsageError('--json and --csv: choose one');
  }
  const report = await withDatabase(context, (db) =>
    payoutLegs(db, {
      ...(flags.psp !== undefined ? { psp: flags.psp } : {}),
      openOnly: flags.open === true,
    }),
  );
  if (flags.json) {
    context.out(contractJson(reconcilePayoutsSchema, payoutLegsJson(report)));
  } else if (flags.csv) process.stdout.write(payoutLegsCsv(report));
  else context.out(renderPayoutLegs(report, context.color));
}

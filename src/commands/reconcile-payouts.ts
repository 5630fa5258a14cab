import type { Command } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';

/** `payops reconcile payouts`: the three legs (books, PSP, bank) of every payout side by side. */
export function registerReconcilePayouts(reconcile: Command): void {
  reconcile
    .command('payouts')
    .description(
      'every PSP payout batch and seller payout with its three legs: what the books moved to transit, what the PSP paid, what the bank shows',
    )
    .option('--psp <name>', "only this PSP's batches and the seller payouts it sent")
    .option('--open', 'only payouts of which money is still in transit')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV (one row per payout, no total rows)')
    .addHelpText(
      'after',
      `${examples('payops reconcile payouts', 'payops reconcile payouts --open', 'payops reconcile payouts --psp sim --csv > payouts.csv')}
Status: in transit, received, short (the bank moved less), not received past due (its
payout_not_received item is open), written off. Dated by the payout (date basis: settled).
`,
    )
    .action(
      async (
        flags: { psp?: string; open?: boolean; json?: boolean; csv?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        if (flags.json && flags.csv) {
          const { UsageError } = await import('../errors.js');
          throw new UsageError('--json and --csv: choose one');
        }
        const { payoutLegs } = await import('../bank/legs.js');
        const { payoutLegsCsv, payoutLegsJson, renderPayoutLegs } = await import(
          '../reports/payout-legs.js'
        );
        const report = await withDatabase(context, (db) =>
          payoutLegs(db, {
            ...(flags.psp !== undefined ? { psp: flags.psp } : {}),
            openOnly: flags.open === true,
          }),
        );
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { reconcilePayoutsSchema } = await import('../output/payout-legs.js');
          context.out(contractJson(reconcilePayoutsSchema, payoutLegsJson(report)));
        } else if (flags.csv) process.stdout.write(payoutLegsCsv(report));
        else context.out(renderPayoutLegs(report, context.color));
      },
    );
}

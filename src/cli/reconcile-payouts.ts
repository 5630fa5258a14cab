import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { lazy } from './lazy.js';
import type { ReconcilePayoutsFlags } from './actions/reconcile-payouts.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/reconcile-payouts.js'));

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
    .action(async (flags: ReconcilePayoutsFlags, command: Command) =>
      (await actions()).reconcilePayouts(contextOf(command), flags),
    );
}

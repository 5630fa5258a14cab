import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { addPspOptions } from './psp-options.js';
import { lazy } from './lazy.js';
import type { ChargebacksSyncFlags, ChargebacksListFlags } from './actions/chargebacks.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/chargebacks.js'));

export function registerChargebacks(program: Command): void {
  const chargebacks = program
    .command('chargebacks')
    .description('disputes the PSP lost: the money went back to the buyer');
  chargebacksSync(chargebacks);

  chargebacksList(chargebacks);
}

function chargebacksSync(chargebacks: Command): void {
  addPspOptions(
    chargebacks
      .command('sync')
      .description(
        "fetch the PSP's disputes and book each new one once: amount, dispute fee, and the seller's share clawed back",
      )
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      `${examples('payops chargebacks sync', 'payops chargebacks sync --faults dispute=0.01 --seed 7')}
A dispute is booked once its order is captured in payops. Exit code 6 if a dispute waits for its
order's capture (run sync again later), 5 if payops has the disputed order as failed.
`,
    )
    .action(async (flags: ChargebacksSyncFlags, command: Command) =>
      (await actions()).chargebacksSync(contextOf(command), flags),
    );
}

function chargebacksList(chargebacks: Command): void {
  chargebacks
    .command('list')
    .description('every chargeback booked, with what was clawed back from the seller')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops chargebacks list', 'payops chargebacks list --csv > chargebacks.csv'),
    )
    .action(async (flags: ChargebacksListFlags, command: Command) =>
      (await actions()).chargebacksList(contextOf(command), flags),
    );
}

import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { addExecutionOptions } from './psp-options.js';
import type { PayoutStatus } from '../payouts/store.js';
import { lazy } from './lazy.js';
import type { PayoutListFlags, PayoutShowFlags, ShowFlags } from './actions/payout.js';
import type { PayoutRunFlags } from './actions/payout-run.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/payout.js'));
/** `run` loads the payout engine and a PSP; reading payouts and wallets does not. */
const runActions = lazy(() => import('./actions/payout-run.js'));

const PAYOUT_STATUSES: readonly PayoutStatus[] = [
  'created',
  'executing',
  'succeeded',
  'failed',
  'retry_scheduled',
  'dead_lettered',
];

export function registerPayout(program: Command): void {
  const payout = program
    .command('payout')
    .description('pay sellers what is payable: one transfer per seller and currency');
  payoutRun(payout);

  payoutList(payout);

  payoutShow(payout);

  walletShow(program);
}

function payoutRun(payout: Command): void {
  addExecutionOptions(
    payout
      .command('run')
      .description(
        'pay every seller their whole payable balance, one payout per seller and currency',
      )
      .option('--seller <id>', 'only this seller')
      .option('--currency <code>', 'only this currency')
      .option(
        '--min-amount <amount>',
        'leave balances below this amount (major units) for a later run',
      )
      .option('--dry-run', 'show what would be paid and change nothing')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      examples('payops payout run --dry-run', 'payops payout run --currency EUR --min-amount 10'),
    )
    .action(async (flags: PayoutRunFlags, command: Command) =>
      (await runActions()).payoutRun(contextOf(command), flags),
    );
}

function payoutList(payout: Command): void {
  payout
    .command('list')
    .description('payouts with their status; account numbers masked')
    .option('--seller <id>', 'only this seller')
    .addOption(
      new Option('--status <status>', 'only payouts in this status').choices(PAYOUT_STATUSES),
    )
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples(
        'payops payout list --seller seller_7',
        'payops payout list --status succeeded --csv > payouts.csv',
      ),
    )
    .action(async (flags: PayoutListFlags, command: Command) =>
      (await actions()).payoutList(contextOf(command), flags),
    );
}

function payoutShow(payout: Command): void {
  payout
    .command('show')
    .description('one payout: amount, destination (masked), attempts, keys and its posting')
    .argument('<payoutId>', 'e.g. po_00000001')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops payout show po_00000001'))
    .action(async (payoutId: string, flags: PayoutShowFlags, command: Command) =>
      (await actions()).payoutShow(contextOf(command), payoutId, flags),
    );
}

function walletShow(program: Command): void {
  program
    .command('wallet')
    .description('seller wallets')
    .command('show')
    .description("one seller's pending, payable and paid-out balances, per currency")
    .argument('<sellerId>', 'the seller')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops wallet show seller_7'))
    .action(async (sellerId: string, flags: ShowFlags, command: Command) =>
      (await actions()).show(contextOf(command), sellerId, flags),
    );
}

import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { lazy } from './lazy.js';
import type { AttentionListFlags, AttentionResolveFlags } from './actions/attention.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/attention.js'));

/**
 * `attention list|resolve`: PSP answers payops could not record (the items wait in
 * needs_attention), and booking them once the cause is fixed. Shaped like `dlq list|requeue`,
 * but resolve never calls the PSP: it books the answer the PSP already gave.
 */
export function registerAttention(program: Command): void {
  const attention = program
    .command('attention')
    .description(
      'PSP answers payops could not record: charges, refunds and payouts in needs_attention',
    );
  attentionList(attention);

  attentionResolve(attention);
}

function attentionList(attention: Command): void {
  attention
    .command('list')
    .description('list the kept PSP answers not booked yet, with why they could not be recorded')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops attention list', 'payops attention list --csv > attention.csv'),
    )
    .action(async (flags: AttentionListFlags, command: Command) =>
      (await actions()).attentionList(contextOf(command), flags),
    );
}

function attentionResolve(attention: Command): void {
  attention
    .command('resolve')
    .description(
      'book kept PSP answers now that their cause is fixed (exactly once; the PSP is not called)',
    )
    .argument('[ids...]', 'order ids, refund ids and payout ids to book')
    .option('--all', 'every kept answer not booked yet')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples('payops attention resolve ord_0042 po_00000007', 'payops attention resolve --all'),
    )
    .action(async (ids: string[], flags: AttentionResolveFlags, command: Command) =>
      (await actions()).attentionResolve(contextOf(command), ids, flags),
    );
}

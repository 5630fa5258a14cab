import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { addPspOptions } from './psp-options.js';
import { lazy } from './lazy.js';
import type { CheckFlags } from './actions/check.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/check.js'));

export function registerCheck(program: Command): void {
  addPspOptions(
    program
      .command('check')
      .description(
        "verify every invariant: ledger, wallets, orders, postings, and the PSP's own record (exit 5 on any failure)",
      )
      .option('--json', 'print the report as JSON'),
  )
    .addHelpText(
      'after',
      examples(
        'payops check',
        'payops check --psp-state books.psp-sim.db --json',
        'payops check --psp http --psp-state psp.db   # the state file of `payops psp serve`',
      ),
    )
    .action(async (flags: CheckFlags, command: Command) =>
      (await actions()).check(contextOf(command), flags),
    );
}

import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { lazy } from './lazy.js';
import type { DemoFlags } from './actions/demo.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/demo.js'));

/**
 * A guided run of the real commands on a fresh database, each printed before it runs so the reader
 * can repeat it. It grows with payops: pay-in through the simulated PSP, pay-out, refunds,
 * reconciliation of the PSP's settlement file, and the ledger.
 */
export function registerDemo(program: Command, run: (argv: string[]) => Promise<number>): void {
  program
    .command('demo')
    .description('run payops end to end on a fresh database and show what each command does')
    .option('--keep', 'keep the demo database and print its path')
    .addHelpText('after', examples('payops demo', 'payops demo --db /tmp/demo.db --keep'))
    .action(async (options: DemoFlags, command: Command) =>
      (await actions()).demo(
        contextOf(command),
        options,
        command.optsWithGlobals<{ db?: string }>().db,
        run,
      ),
    );
}

import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { lazy } from './lazy.js';
import type { InitFlags } from './actions/init.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/init.js'));

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a payops database (0600), or migrate an existing one to this version')
    .option(
      '--caught-up',
      'the book was behind its mark (restored from a backup) and every file since the backup has been rerun: end look-up mode and write a fresh mark',
    )
    .addHelpText(
      'after',
      examples(
        'payops init --db books.db',
        'PAYOPS_DB=books.db payops init',
        'payops init --caught-up --db books.db   # after a restore, once every file since the backup has been rerun',
      ),
    )
    .action(async (options: InitFlags, command: Command) =>
      (await actions()).init(contextOf(command), options),
    );
}

import type { Command } from 'commander';
import { examples } from './context.js';
import { pspOption, pspUrlOption } from './psp-options.js';
import { lazy } from './lazy.js';
import type { ConfigShowFlags } from './actions/config.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/config.js'));

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description(
      'payops.json: the defaults repeated on every call (database, PSP, PSP URL, rules file, output format, busy timeout)',
    );
  configShow(config);
}

function configShow(config: Command): void {
  config
    .command('show')
    .description(
      'the effective settings and where each came from (flag, environment, file or default)',
    )
    .addOption(pspOption())
    .addOption(pspUrlOption())
    .option('--rules <file>', 'auto-resolution rules file (as `reconcile run --rules`)')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `${examples('payops config show', 'PAYOPS_CONFIG=/etc/payops/payops.json payops config show --json')}
The file is $PAYOPS_CONFIG, else payops.json in the working folder. Flags beat the environment
(PAYOPS_DB, PAYOPS_PSP, PAYOPS_PSP_URL, PAYOPS_OUTPUT=text|json|csv), which beats the file. Secrets never go in it.
`,
    )
    .action(async (flags: ConfigShowFlags, command: Command) =>
      (await actions()).configShow(flags, command),
    );
}

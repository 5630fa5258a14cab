import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { addExecutionOptions } from './psp-options.js';
import { lazy } from './lazy.js';
import type { PayinFlags } from './actions/payin.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/payin.js'));

export function registerPayin(program: Command): void {
  const payin = program
    .command('payin')
    .description('pay-in: charge checkouts from event files through a PSP');
  payinRun(payin);
}

function payinRun(payin: Command): void {
  addExecutionOptions(
    payin
      .command('run')
      .description(
        'read checkout events (NDJSON, JSON array or CSV), then charge every new order exactly once',
      )
      .argument('<files...>', 'event files')
      .addOption(
        new Option(
          '--format <format>',
          'input format (default: from the extension, then the content)',
        ).choices(['ndjson', 'json', 'csv']),
      )
      .option(
        '--all-or-nothing',
        'reject the whole input if any record is rejected, and write nothing',
      )
      .option('--rejects <file>', 'where rejected records go (default: <input>.rejects.ndjson)')
      .option('--json', 'print the summary as one JSON object'),
  )
    .addHelpText(
      'after',
      `${examples('payops payin run fixtures/events/day.ndjson', 'payops payin run day.csv --faults timeout=0.05,5xx=0.02 --seed 7 --json')}
Orders left new or due for retry by an earlier run are executed too. Exit code 3 if any record
was rejected, 6 if orders remain in the retry queue or dead letters (see \`payops retry run\`),
or another live process (or host) still holds some under its lease ("held").
`,
    )
    .action(async (files: string[], flags: PayinFlags, command: Command) =>
      (await actions()).payinRun(contextOf(command), files, flags),
    );
}

import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { positiveInteger } from './options.js';
import { lazy } from './lazy.js';
import type { RunsListFlags, RunsShowFlags } from './actions/runs.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/runs.js'));

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description(
      'what ran on this book: pay-in, payout, retry, reconciliation and settlement runs',
    );
  runsList(runs);

  runsShow(runs);
}

function runsList(runs: Command): void {
  runs
    .command('list')
    .description('runs, newest first: who, when, exit code, and the money each posted')
    .option(
      '--since <date>',
      'only runs started at or after this date or time (UTC), e.g. 2026-11-23',
    )
    .option('--limit <n>', 'at most this many runs', positiveInteger)
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV: one row per run, ledger kind and currency')
    .addHelpText(
      'after',
      examples('payops runs list --since 2026-11-23', 'payops runs list --limit 5 --json'),
    )
    .action(async (flags: RunsListFlags, command: Command) =>
      (await actions()).runsList(contextOf(command), flags),
    );
}

function runsShow(runs: Command): void {
  runs
    .command('show')
    .description(
      'one run: command line, input file digests, ledger range and the money it moved per kind and currency',
    )
    .argument('<id>', 'the run id from `payops runs list`', positiveInteger)
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops runs show 12', 'payops runs show 12 --json'))
    .action(async (id: number, flags: RunsShowFlags, command: Command) =>
      (await actions()).runsShow(contextOf(command), id, flags),
    );
}

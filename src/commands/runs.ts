import type { Command } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { flagValue, positiveInteger } from '../cli/options.js';

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description(
      'what ran on this book: pay-in, payout, retry, reconciliation and settlement runs',
    );
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
    .action(
      async (
        flags: { since?: string; limit?: number; json?: boolean; csv?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { UsageError } = await import('../errors.js');
        if (flags.json && flags.csv)
          throw new UsageError('--json and --csv cannot be used together', {
            hint: 'choose one output format',
          });
        const { normalizeInstant } = await import('../time.js');
        const sinceIso =
          flags.since === undefined
            ? undefined
            : flagValue(() => normalizeInstant(flags.since, '--since'));
        const { DATE_BASIS, listRuns, renderRunList, runJson, runsCsv } = await import(
          '../runs/index.js'
        );
        const views = await withDatabase(context, (db) =>
          listRuns(db, { sinceIso, limit: flags.limit }),
        );
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { runsListSchema } = await import('../output/runs.js');
          context.out(
            contractJson(runsListSchema, {
              dateBasis: DATE_BASIS,
              since: sinceIso ?? null,
              runs: views.map(runJson),
            }),
          );
        } else if (flags.csv) process.stdout.write(runsCsv(views));
        else context.out(renderRunList(views, sinceIso !== undefined));
      },
    );

  runs
    .command('show')
    .description(
      'one run: command line, input file digests, ledger range and the money it moved per kind and currency',
    )
    .argument('<id>', 'the run id from `payops runs list`', positiveInteger)
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops runs show 12', 'payops runs show 12 --json'))
    .action(async (id: number, flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { NotFoundError } = await import('../errors.js');
      const { DATE_BASIS, findRun, renderRun, runJson } = await import('../runs/index.js');
      const view = await withDatabase(context, (db) => findRun(db, id));
      if (view === undefined)
        throw new NotFoundError(`no run ${id} in ${context.dbPath}`, {
          hint: 'see `payops runs list` for the ids',
        });
      const { contractJson } = await import('../output/contract.js');
      const { runsShowSchema } = await import('../output/runs.js');
      context.out(
        flags.json
          ? contractJson(runsShowSchema, { dateBasis: DATE_BASIS, ...runJson(view) })
          : renderRun(view),
      );
    });
}

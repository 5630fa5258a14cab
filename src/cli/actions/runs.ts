import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { flagValue } from '../options.js';
import { UsageError, NotFoundError } from '../../errors.js';
import { normalizeInstant } from '../../time.js';
import {
  DATE_BASIS,
  listRuns,
  renderRunList,
  runJson,
  runsCsv,
  findRun,
  renderRun,
} from '../../runs/index.js';
import { SqliteRunsStore } from '../../runs/sqlite-runs-store.js';
import { contractJson } from '../../output/contract.js';
import { runsListSchema, runsShowSchema } from '../../output/runs.js';

export type RunsListFlags = { since?: string; limit?: number; json?: boolean; csv?: boolean };
export type RunsShowFlags = { json?: boolean };

export async function runsList(context: CliContext, flags: RunsListFlags): Promise<void> {
  if (flags.json && flags.csv)
    throw new UsageError('--json and --csv cannot be used together', {
      hint: 'choose one output format',
    });
  const sinceIso =
    flags.since === undefined
      ? undefined
      : flagValue(() => normalizeInstant(flags.since, '--since'));
  const views = await withDatabase(context, (db) =>
    listRuns(new SqliteRunsStore(db), { sinceIso, limit: flags.limit }),
  );
  if (flags.json) {
    context.out(
      contractJson(runsListSchema, {
        dateBasis: DATE_BASIS,
        since: sinceIso ?? null,
        runs: views.map(runJson),
      }),
    );
  } else if (flags.csv) process.stdout.write(runsCsv(views));
  else context.out(renderRunList(views, sinceIso !== undefined));
}

export async function runsShow(
  context: CliContext,
  id: number,
  flags: RunsShowFlags,
): Promise<void> {
  const view = await withDatabase(context, (db) => findRun(new SqliteRunsStore(db), id));
  if (view === undefined)
    throw new NotFoundError(`no run ${id} in ${context.dbPath}`, {
      hint: 'see `payops runs list` for the ids',
    });
  context.out(
    flags.json
      ? contractJson(runsShowSchema, { dateBasis: DATE_BASIS, ...runJson(view) })
      : renderRun(view),
  );
}

import { InputError } from '../errors.js';
import type {
  RunOptions,
  SettlementImportStore,
  SettlementInput,
} from './settlement-import-store.js';
import type { RunRecord } from './store.js';
import type { RunSummary } from './summary.js';

export type RunOutcome =
  | { status: 'already_imported'; run: RunRecord; summary: RunSummary }
  | { status: 'reconciled'; dryRun: boolean; run: RunRecord; summary: RunSummary };

/**
 * `reconcile run`: one settlement file, one unit of work (src/reconcile/run-session.ts does the
 * matching). Its rows are stored normalized and matched in chunks (memory stays flat), records
 * payops expected and nobody reported are classified, matched rows are settled by batch, the rules
 * run, and the run's summary is kept. A crash anywhere leaves nothing; the same file again (same
 * bytes) changes nothing; `dryRun` does all of it and rolls it back, so it shows exactly what
 * would happen. A file of which not one row could be read imports nothing at all.
 */
export async function reconcileFile(
  store: SettlementImportStore,
  input: SettlementInput,
  options: RunOptions,
): Promise<RunOutcome> {
  const earlier = await store.runBySha(input.sha256);
  if (earlier) return alreadyImported(earlier);
  const imported = await store.importFile(input, options, {
    rowsRead: (count) => refuseUnread(input, count),
  });
  if (imported.status === 'already_imported') return alreadyImported(imported.run);
  return {
    status: 'reconciled',
    dryRun: options.dryRun,
    run: imported.run,
    summary: imported.summary,
  };
}

function alreadyImported(run: RunRecord): RunOutcome {
  return {
    status: 'already_imported',
    run,
    summary: JSON.parse(run.summary ?? '{}') as RunSummary,
  };
}

/** Nothing to reconcile, and nothing recorded: the same bytes again are refused the same way. */
function refuseUnread(input: SettlementInput, rowsRead: number): void {
  if (rowsRead > 0 || input.rejectedCount() === 0) return;
  throw new InputError(
    `${input.name}: not one of its rows could be read (${input.rejectedCount()} rejected); nothing was imported`,
    {
      hint: 'correct the rows named above and run the file again',
    },
  );
}

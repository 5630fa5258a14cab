import { InputError } from '../errors.js';
import type { RunRecord } from '../reconcile/store.js';
import { BANK_SOURCE } from './accounts.js';
import type {
  BankRunOptions,
  StatementImportStore,
  StatementInput,
} from './statement-import-store.js';
import type { BankRunSummary } from './summary.js';

export type BankRunOutcome =
  | { status: 'already_imported'; run: RunRecord; summary: BankRunSummary }
  | { status: 'reconciled'; dryRun: boolean; run: RunRecord; summary: BankRunSummary };

/**
 * `reconcile bank`: one statement file, one unit of work (docs/RECONCILIATION.md, "The bank leg";
 * src/bank/bank-session.ts applies it). Each statement of the file is stored, planned against the
 * payouts payops expects, posted to assets:bank:operating, and its balances compared with the
 * books; then every open bank item that the file settled closes by itself. A crash anywhere
 * leaves nothing; the same bytes again change nothing; `dryRun` does all of it and rolls it back.
 */
export async function reconcileStatement(
  store: StatementImportStore,
  input: StatementInput,
  options: BankRunOptions,
): Promise<BankRunOutcome> {
  const earlier = await store.runBySha(input.sha256);
  if (earlier) return alreadyImported(earlier, input);
  const imported = await store.importFile(input, options);
  if (imported.status === 'already_imported') return alreadyImported(imported.run, input);
  return {
    status: 'reconciled',
    dryRun: options.dryRun,
    run: imported.run,
    summary: imported.summary,
  };
}

function alreadyImported(run: RunRecord, input: StatementInput): BankRunOutcome {
  if (run.psp !== BANK_SOURCE)
    throw new InputError(
      `${input.name}: the same bytes were imported as a ${run.psp} settlement file (run ${run.id}), not as a bank statement`,
    );
  return {
    status: 'already_imported',
    run,
    summary: JSON.parse(run.summary ?? '{}') as BankRunSummary,
  };
}

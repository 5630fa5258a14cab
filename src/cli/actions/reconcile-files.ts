import { type CliContext, toJson, withDatabase } from '../context.js';
import { progressBar } from '../progress.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { BankFormat } from '../../bank/types.js';
import type { SETTLEMENT_FORMATS } from '../../reconcile/types.js';
import { statementInput } from '../../bank/import-file.js';
import { DEFAULT_BANK_RULES, readBankRulesFile, windowDaysOption } from '../../bank/rules.js';
import { reconcileStatement } from '../../bank/run.js';
import { SqliteStatementImportStore } from '../../bank/sqlite-statement-import-store.js';
import { systemClock } from '../../time.js';
import { bankRunJson, renderBankRun } from '../../reports/bank.js';
import { BANK_SOURCE } from '../../bank/accounts.js';
import { contractJson } from '../../output/contract.js';
import { reconcileBankSchema } from '../../output/bank.js';
import { renderRunSummary, summaryJson } from '../../reports/reconcile.js';
import { looksLikeStatement } from '../../bank/formats/index.js';
import { openSettlement } from '../../reconcile/formats/index.js';
import { DEFAULT_RULES, readRulesFile } from '../../reconcile/rules.js';
import { fileDigest } from '../../reconcile/file-digest.js';
import { type RunOutcome, reconcileFile } from '../../reconcile/run.js';
import { SqliteSettlementImportStore } from '../../reconcile/sqlite-settlement-import-store.js';
import { reconcileRunSchema } from '../../output/reconcile.js';
import { itemsToReview } from '../../reconcile/sqlite-reconcile-reads.js';
import { lazy } from '../lazy.js';

import { operator } from '../operator.js';
import { reviewInteractively } from './reconcile.js';

/** inquirer costs more to load than the rest of a run: only an interactive session loads it. */
const prompts = lazy(() => import('@inquirer/prompts'));

export interface RunFlags {
  format?: string;
  mapping?: string;
  psp: string;
  rules?: string;
  graceDays?: number;
  strict?: boolean;
  dryRun?: boolean;
  nonInteractive?: boolean;
  json?: boolean;
}

const MAX_REJECTIONS_SHOWN = 20;
const PSP_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
export interface BankFlags {
  format?: string;
  mapping?: string;
  rules?: string;
  windowDays?: number;
  dryRun?: boolean;
  nonInteractive?: boolean;
  json?: boolean;
}

/** `reconcile bank` (and `reconcile run` of a statement): each file its own run, in order; returns the exit code. */
async function reconcileBankFiles(
  context: CliContext,
  files: readonly string[],
  flags: BankFlags,
): Promise<number> {
  const rules = flags.rules ? readBankRulesFile(flags.rules) : DEFAULT_BANK_RULES;
  const override = flags.windowDays === undefined ? undefined : windowDaysOption(flags.windowDays);
  const runs: ReturnType<typeof bankRunJson>[] = [];
  for (const file of files) {
    const input = await statementInput(file, {
      ...(flags.format ? { format: flags.format as BankFormat } : {}),
      ...(flags.mapping ? { mappingFile: flags.mapping } : {}),
    });
    const outcome = await withDatabase(context, (db) =>
      reconcileStatement(new SqliteStatementImportStore(db), input, {
        rules,
        ...(override === undefined ? {} : { windowDaysOverride: override }),
        dryRun: flags.dryRun === true,
        by: operator(),
        clock: systemClock,
      }),
    );
    if (flags.json) runs.push(bankRunJson(outcome));
    else context.out(renderBankRun(outcome, context.color));
  }
  const open = await withDatabase(
    context,
    (db) => itemsToReview(db).filter((item) => item.psp === BANK_SOURCE).length,
  );
  if (flags.json) {
    context.out(
      contractJson(reconcileBankSchema, {
        dateBasis: 'booked',
        dryRun: flags.dryRun === true,
        runs,
        openCount: open,
      }),
    );
  }
  const interactive =
    !flags.json &&
    !flags.nonInteractive &&
    !flags.dryRun &&
    process.stdin.isTTY === true &&
    process.stdout.isTTY === true;
  if (interactive && open > 0 && (await offerReview(`${open} open bank item`, open)))
    return reviewInteractively(context, {});
  return open > 0 ? ExitCode.reconciliationOpen : ExitCode.ok;
}

/** `reconcile run`: a settlement file (or a bank statement, handed to the bank leg); sets the exit code. */
export async function reconcileRun(
  context: CliContext,
  file: string,
  flags: RunFlags,
  pspNamed: boolean,
): Promise<void> {
  if (await looksLikeStatement(file)) {
    // A bank statement is the bank leg's (`reconcile bank`); --psp names a settlement file's PSP.
    if (pspNamed)
      context.err(
        `--psp ${flags.psp}: ignored: ${file} is a bank statement, reconciled against every PSP's payouts`,
      );
    process.exitCode = await reconcileBankFiles(context, [file], flags);
    return;
  }
  if (!PSP_NAME.test(flags.psp)) {
    throw new UsageError(
      `--psp: "${flags.psp}" is not a PSP name (lower-case letters, digits, "_" or "-")`,
    );
  }
  const { outcome, rejected } = await importSettlement(context, file, flags);
  const already = outcome.status === 'already_imported';
  printRunOutcome(context, outcome, flags.json === true);
  const open = already
    ? await withDatabase(context, (db) => itemsToReview(db).length)
    : outcome.summary.openCount;
  const interactive =
    !flags.json &&
    !flags.nonInteractive &&
    !flags.dryRun &&
    process.stdin.isTTY === true &&
    process.stdout.isTTY === true;
  if (interactive && open > 0 && !already && (await offerReview(`${open} open item`, open))) {
    process.exitCode = await reviewInteractively(context, {});
    return;
  }
  process.exitCode =
    rejected > 0 ? ExitCode.inputRejected : open > 0 ? ExitCode.reconciliationOpen : ExitCode.ok;
}

/** "Review the 3 open items now?" on the terminal; a closed prompt (Ctrl-C) is a no. */
async function offerReview(what: string, count: number): Promise<boolean> {
  const { confirm } = await prompts();
  return confirm({
    message: `Review the ${what}${count === 1 ? '' : 's'} now?`,
    default: true,
  }).catch(() => false);
}

/** Reads the settlement file into the books (or, with --dry-run, not); rejected rows on stderr. */
async function importSettlement(
  context: CliContext,
  file: string,
  flags: RunFlags,
): Promise<{ outcome: RunOutcome; rejected: number }> {
  const loaded = flags.rules ? readRulesFile(flags.rules) : DEFAULT_RULES;
  const rules = flags.graceDays === undefined ? loaded : { ...loaded, graceDays: flags.graceDays };
  let rejected = 0;
  const reader = await openSettlement(file, {
    ...(flags.format ? { format: flags.format as (typeof SETTLEMENT_FORMATS)[number] } : {}),
    ...(flags.mapping ? { mappingFile: flags.mapping } : {}),
    strict: flags.strict === true,
    ...(flags.strict
      ? {}
      : {
          onError: (error: { line: number; field: string; reason: string }) => {
            rejected++;
            if (rejected <= MAX_REJECTIONS_SHOWN)
              context.err(`${file}:${error.line} ${error.field}: ${error.reason}`);
          },
        }),
  });
  const digest = await fileDigest(file);
  const progress = progressBar(context.stderrIsTTY && !flags.json, 'import', 'rows', 0);
  const input = {
    name: file,
    sha256: digest.sha256,
    bytes: digest.bytes,
    format: reader.format,
    rows: reader.rows(),
    rejectedCount: () => rejected,
  };
  const outcome = await withDatabase(context, (db) =>
    reconcileFile(new SqliteSettlementImportStore(db), input, {
      psp: flags.psp,
      rules,
      dryRun: flags.dryRun === true,
      by: operator(),
      clock: systemClock,
      onRows: (count) => progress.advance(count),
    }),
  );
  if (outcome.status === 'already_imported' && outcome.run.rowsRejected > 0n) {
    // The same bytes again: nothing is imported, and their rejected rows are named again, so the
    // exit code still says that part of the file is not in the books.
    for await (const row of reader.rows()) void row;
  }
  progress.done();
  if (rejected > MAX_REJECTIONS_SHOWN)
    context.err(`… and ${rejected - MAX_REJECTIONS_SHOWN} more rows rejected`);
  return { outcome, rejected };
}

function printRunOutcome(context: CliContext, outcome: RunOutcome, json: boolean): void {
  const dryRun = outcome.status === 'reconciled' && outcome.dryRun;
  if (json) {
    const summary = { status: outcome.status, dryRun, ...summaryJson(outcome.summary) };
    context.out(contractJson(reconcileRunSchema, JSON.parse(toJson(summary)) as never));
    return;
  }
  context.out(
    renderRunSummary(outcome.summary, context.color, {
      dryRun,
      ...(outcome.status === 'already_imported'
        ? {
            alreadyImported: {
              runId: outcome.run.id.toString(),
              at: outcome.run.finishedAt ?? outcome.run.startedAt,
            },
          }
        : {}),
    }),
  );
}

export async function reconcileBank(
  context: CliContext,
  files: string[],
  flags: BankFlags,
): Promise<void> {
  process.exitCode = await reconcileBankFiles(context, files, flags);
}

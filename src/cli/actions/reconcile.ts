import os from 'node:os';
import { type CliContext, toJson, withDatabase } from '../context.js';
import { progressBar } from '../progress.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { BankFormat } from '../../bank/types.js';
import type { SETTLEMENT_FORMATS } from '../../reconcile/types.js';
import { statementInput } from '../../bank/import-file.js';
import { DEFAULT_BANK_RULES, readBankRulesFile, windowDaysOption } from '../../bank/rules.js';
import { reconcileStatement } from '../../bank/run.js';
import { systemClock } from '../../time.js';
import { bankRunJson, renderBankRun } from '../../reports/bank.js';
import { BANK_SOURCE } from '../../bank/accounts.js';
import { contractJson } from '../../output/contract.js';
import { reconcileBankSchema } from '../../output/bank.js';
import { runReviewSession } from '../../reconcile/review-session.js';
import { renderTable } from '../../reports/table.js';
import {
  signedAmount,
  renderRunSummary,
  summaryJson,
  itemsCsv,
  itemsJson,
  renderItems,
  actionWord,
  renderReport,
  reportCsv,
  reportJson,
} from '../../reports/reconcile.js';
import { looksLikeStatement } from '../../bank/formats/index.js';
import { openSettlement } from '../../reconcile/formats/index.js';
import { DEFAULT_RULES, readRulesFile } from '../../reconcile/rules.js';
import { fileDigest } from '../../reconcile/file-digest.js';
import { type RunOutcome, reconcileFile } from '../../reconcile/run.js';
import {
  reconcileRunSchema,
  reconcileReviewSchema,
  withMoney,
  bankViewJson,
  reconcileItemsSchema,
  reconcileDecideSchema,
  reconcileReportSchema,
} from '../../output/reconcile.js';
import { itemsToReview, reconcileReport as readReconcileReport } from '../../reconcile/report.js';
import { listItems } from '../../reconcile/listing.js';
import { Decisions } from '../../reconcile/decide.js';
import { payoutLegs } from '../../bank/legs.js';
import { payoutLegsCsv, payoutLegsJson, renderPayoutLegs } from '../../reports/payout-legs.js';
import { reconcilePayoutsSchema } from '../../output/payout-legs.js';
import { lazy } from '../lazy.js';

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

export interface ReviewFlags {
  run?: number;
  class?: string;
  yes?: boolean;
  nonInteractive?: boolean;
  json?: boolean;
}

const MAX_REJECTIONS_SHOWN = 20;
/** Classes whose amount is a difference, shown with its sign. */
const DIFFERENCE: ReadonlySet<string> = new Set([
  'amount_mismatch',
  'fee_mismatch',
  'batch_total_mismatch',
]);
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
      reconcileStatement(db, input, {
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

/** The interactive review on this terminal; returns the exit code (4 while anything is open). */
async function reviewInteractively(
  context: CliContext,
  filter: { runId?: bigint; class?: string },
  yes = false,
): Promise<number> {
  const { select, input } = await prompts();
  const tally = await withDatabase(context, (db) =>
    runReviewSession(
      db,
      {
        out: context.out,
        style: context.color,
        prompts: {
          select: (config) => select(config),
          input: (config) => input(config),
        },
      },
      filter,
      { by: operator(), clock: systemClock, yes },
    ),
  );
  context.out(
    `${tally.interrupted ? 'stopped: ' : ''}${tally.decided} decided, ${tally.skipped} skipped, ${tally.open} open${tally.interrupted ? ' (every decision taken is saved)' : ''}`,
  );
  return tally.open > 0 ? ExitCode.reconciliationOpen : ExitCode.ok;
}

async function renderOpenItems(
  items: readonly import('../../reconcile/store.js').ItemRecord[],
  context: CliContext,
): Promise<string> {
  if (items.length === 0) return context.color.green('nothing open');
  const byClass = new Map<string, number>();
  for (const item of items) byClass.set(item.class, (byClass.get(item.class) ?? 0) + 1);
  return [
    `${items.length} open: ${[...byClass].map(([itemClass, count]) => `${itemClass} ${count}`).join(', ')}`,
    renderTable(
      [
        { header: 'item' },
        { header: 'class' },
        { header: 'amount', align: 'right' },
        { header: 'currency' },
        { header: 'subject' },
        { header: 'why' },
      ],
      items.map((item) => [
        item.itemId,
        item.class,
        signedAmount(item.amountMinor, item.currency, DIFFERENCE.has(item.class)),
        item.currency,
        item.subject,
        item.detail.why,
      ]),
    ),
    context.color.dim('decide in a terminal with `payops reconcile review`'),
  ].join('\n');
}

function itemJson(
  item: import('../../reconcile/store.js').ItemRecord,
  withMoney: typeof import('../../output/reconcile.js').withMoney,
  bankViewJson: typeof import('../../output/reconcile.js').bankViewJson,
) {
  return {
    itemId: item.itemId,
    class: item.class,
    psp: item.psp,
    subject: item.subject,
    amount: withMoney({ amountMinor: item.amountMinor.toString() }, item.currency)?.amount as never,
    batchId: item.batchId,
    internalRef: item.internalRef,
    probableRef: item.probableRef,
    why: item.detail.why,
    ours: withMoney(item.detail.ours, item.currency) as never,
    theirs: withMoney(item.detail.theirs, item.currency) as never,
    batch: withMoney(item.detail.batch, item.currency) as never,
    bank: bankViewJson(item.detail.bank, item.currency),
  };
}

/** Who decides: the OS user (a container without a passwd entry falls back to $USER). */
function operator(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || 'unknown';
  }
}

export type ReconcileItemsFlags = {
  class?: string;
  run?: number;
  all?: boolean;
  json?: boolean;
  csv?: boolean;
};
export type ReconcileDecideFlags = { note?: string; linkTo?: string; json?: boolean };
export type ReconcileReportFlags = { run?: number; json?: boolean; csv?: boolean };

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
    reconcileFile(db, input, {
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

export async function reconcileReview(context: CliContext, flags: ReviewFlags): Promise<void> {
  const filter = {
    ...(flags.run !== undefined ? { runId: BigInt(flags.run) } : {}),
    ...(flags.class !== undefined ? { class: flags.class } : {}),
  };
  const interactive =
    !flags.json &&
    !flags.nonInteractive &&
    process.stdin.isTTY === true &&
    process.stdout.isTTY === true;
  if (interactive) {
    process.exitCode = await reviewInteractively(context, filter, flags.yes === true);
    return;
  }
  const items = await withDatabase(context, (db) => itemsToReview(db, filter));
  if (flags.json) {
    context.out(
      contractJson(
        reconcileReviewSchema,
        items.map((item) => itemJson(item, withMoney, bankViewJson)),
      ),
    );
  } else context.out(await renderOpenItems(items, context));
  process.exitCode = items.length > 0 ? ExitCode.reconciliationOpen : ExitCode.ok;
}

export async function reconcileItems(
  context: CliContext,
  flags: ReconcileItemsFlags,
): Promise<void> {
  if (flags.json && flags.csv) {
    throw new UsageError('--json and --csv: choose one');
  }
  const asOfMs = Date.now();
  const filter = {
    ...(flags.class !== undefined ? { class: flags.class } : {}),
    ...(flags.run !== undefined ? { runId: BigInt(flags.run) } : {}),
    all: flags.all === true,
  };
  const items = await withDatabase(context, (db) => listItems(db, filter, asOfMs));
  const asOf = new Date(asOfMs).toISOString();
  if (flags.json) {
    context.out(contractJson(reconcileItemsSchema, itemsJson(items, asOf) as never));
  } else if (flags.csv) process.stdout.write(itemsCsv(items));
  else
    context.out(
      renderItems(items, context.color, asOf, flags.class !== undefined || flags.run !== undefined),
    );
}

export async function reconcileDecide(
  context: CliContext,
  itemId: string,
  action: string,
  flags: ReconcileDecideFlags,
): Promise<void> {
  const outcome = await withDatabase(context, (db) => {
    const decisions = new Decisions(db, { clock: systemClock, by: operator(), runId: null });
    const chosen =
      action === 'proposed'
        ? decisions.optionsFor(decisions.item(itemId)).proposed
        : action === 'write-off'
          ? 'write_off'
          : (action as 'accept' | 'link' | 'note');
    return decisions.decide(itemId, chosen, {
      ...(flags.note !== undefined ? { note: flags.note } : {}),
      ...(flags.linkTo !== undefined ? { linkTo: flags.linkTo } : {}),
    });
  });
  if (flags.json) {
    context.out(
      contractJson(reconcileDecideSchema, {
        ...outcome,
        action: actionWord(outcome.action) as never,
      }),
    );
  } else context.out(`${outcome.itemId}: ${actionWord(outcome.action)}: ${outcome.message}`);
}

export async function reconcileReport(
  context: CliContext,
  flags: ReconcileReportFlags,
): Promise<void> {
  if (flags.json && flags.csv) {
    throw new UsageError('--json and --csv: choose one');
  }
  const report = await withDatabase(context, (db) =>
    readReconcileReport(db, flags.run === undefined ? undefined : BigInt(flags.run)),
  );
  if (flags.json) {
    context.out(
      contractJson(reconcileReportSchema, JSON.parse(toJson(reportJson(report))) as never),
    );
  } else if (flags.csv) process.stdout.write(reportCsv(report));
  else context.out(renderReport(report, context.color));
}

export async function reconcileBank(
  context: CliContext,
  files: string[],
  flags: BankFlags,
): Promise<void> {
  process.exitCode = await reconcileBankFiles(context, files, flags);
}

export type ReconcilePayoutsFlags = { psp?: string; open?: boolean; json?: boolean; csv?: boolean };

export async function reconcilePayouts(
  context: CliContext,
  flags: ReconcilePayoutsFlags,
): Promise<void> {
  if (flags.json && flags.csv) {
    throw new UsageError('--json and --csv: choose one');
  }
  const report = await withDatabase(context, (db) =>
    payoutLegs(db, {
      ...(flags.psp !== undefined ? { psp: flags.psp } : {}),
      openOnly: flags.open === true,
    }),
  );
  if (flags.json) {
    context.out(contractJson(reconcilePayoutsSchema, payoutLegsJson(report)));
  } else if (flags.csv) process.stdout.write(payoutLegsCsv(report));
  else context.out(renderPayoutLegs(report, context.color));
}

import os from 'node:os';
import { Argument, type Command, Option } from 'commander';
import { type CliContext, contextOf, examples, toJson, withDatabase } from '../cli/context.js';
import { nonNegativeInteger, positiveInteger } from '../cli/options.js';
import { progressBar } from '../cli/progress.js';
import { ExitCode } from '../errors.js';
import { BANK_FORMATS, type BankFormat } from '../bank/types.js';
import { SETTLEMENT_FORMATS } from '../reconcile/types.js';
import { registerReconcilePayouts } from './reconcile-payouts.js';

interface RunFlags {
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

interface ReviewFlags {
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

export function registerReconcile(program: Command): void {
  const reconcile = program
    .command('reconcile')
    .description(
      'reconcile PSP settlement files against the books, and review what does not match',
    );

  reconcile
    .command('run')
    .description(
      "import a settlement file, match it against payops' records, settle matched rows by payout batch, apply the rules",
    )
    .argument('<file>', "the PSP's settlement file")
    .addOption(
      new Option(
        '--format <format>',
        "the file's format (default: detected from the header)",
      ).choices([...SETTLEMENT_FORMATS]),
    )
    .option('--mapping <file>', 'column mapping of a generic CSV (implies --format generic)')
    .option(
      '--psp <name>',
      'the PSP the file comes from (accounts assets:psp:<name>:…, and its orders)',
      'sim',
    )
    .option('--rules <file>', 'auto-resolution rules (JSON; see fixtures/reconcile/rules.json)')
    .option(
      '--grace-days <n>',
      'days a record may wait for its settlement before it is missing_external (overrides the rules file)',
      nonNegativeInteger,
    )
    .option('--strict', 'stop at the first bad row (default: report it with its line and go on)')
    .option('--dry-run', 'show what the run and its rules would do; write nothing')
    .option(
      '--non-interactive',
      'never ask anything (cron): print the summary and exit 4 if anything is left open',
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `${examples('payops reconcile run settlement-2026-11-23.csv', 'payops reconcile run day.csv --rules fixtures/reconcile/rules.json --dry-run', 'payops reconcile run day.csv --non-interactive --json')}
The same file (same bytes) again changes nothing. Exit codes: 0 nothing open, 3 rows rejected,
4 items left open (see \`payops reconcile review\`).
`,
    )
    .action(async (file: string, flags: RunFlags, command: Command) => {
      const context = contextOf(command);
      const { looksLikeStatement } = await import('../bank/formats/index.js');
      if (await looksLikeStatement(file)) {
        // A bank statement is the bank leg's (`reconcile bank`); --psp names a settlement file's PSP.
        if (command.getOptionValueSource('psp') === 'cli')
          context.err(
            `--psp ${flags.psp}: ignored: ${file} is a bank statement, reconciled against every PSP's payouts`,
          );
        process.exitCode = await reconcileBankFiles(context, [file], flags);
        return;
      }
      if (!PSP_NAME.test(flags.psp)) {
        const { UsageError } = await import('../errors.js');
        throw new UsageError(
          `--psp: "${flags.psp}" is not a PSP name (lower-case letters, digits, "_" or "-")`,
        );
      }
      const { openSettlement } = await import('../reconcile/formats/index.js');
      const { DEFAULT_RULES, readRulesFile } = await import('../reconcile/rules.js');
      const { fileDigest } = await import('../reconcile/file-digest.js');
      const { reconcileFile } = await import('../reconcile/run.js');
      const { systemClock } = await import('../time.js');
      const { renderRunSummary } = await import('../reports/reconcile.js');
      const loaded = flags.rules ? readRulesFile(flags.rules) : DEFAULT_RULES;
      const rules =
        flags.graceDays === undefined ? loaded : { ...loaded, graceDays: flags.graceDays };
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
      const outcome = await withDatabase(context, (db) =>
        reconcileFile(
          db,
          {
            name: file,
            sha256: digest.sha256,
            bytes: digest.bytes,
            format: reader.format,
            rows: reader.rows(),
            rejectedCount: () => rejected,
          },
          {
            psp: flags.psp,
            rules,
            dryRun: flags.dryRun === true,
            by: operator(),
            clock: systemClock,
            onRows: (count) => progress.advance(count),
          },
        ),
      );
      if (outcome.status === 'already_imported' && outcome.run.rowsRejected > 0n) {
        // The same bytes again: nothing is imported, and their rejected rows are named again, so the
        // exit code still says that part of the file is not in the books.
        for await (const row of reader.rows()) void row;
      }
      progress.done();
      if (rejected > MAX_REJECTIONS_SHOWN)
        context.err(`… and ${rejected - MAX_REJECTIONS_SHOWN} more rows rejected`);
      const already = outcome.status === 'already_imported';
      if (flags.json) {
        const { summaryJson } = await import('../reports/reconcile.js');
        const { contractJson } = await import('../output/contract.js');
        const { reconcileRunSchema } = await import('../output/reconcile.js');
        context.out(
          contractJson(
            reconcileRunSchema,
            JSON.parse(
              toJson({
                status: outcome.status,
                dryRun: outcome.status === 'reconciled' && outcome.dryRun,
                ...summaryJson(outcome.summary),
              }),
            ) as never,
          ),
        );
      } else {
        context.out(
          renderRunSummary(outcome.summary, context.color, {
            dryRun: outcome.status === 'reconciled' && outcome.dryRun,
            ...(already
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
      const open = already
        ? await withDatabase(
            context,
            async (db) => (await import('../reconcile/report.js')).itemsToReview(db).length,
          )
        : outcome.summary.openCount;
      const interactive =
        !flags.json &&
        !flags.nonInteractive &&
        !flags.dryRun &&
        process.stdin.isTTY === true &&
        process.stdout.isTTY === true;
      if (interactive && open > 0 && !already) {
        const { confirm } = await import('@inquirer/prompts');
        const review = await confirm({
          message: `Review the ${open} open item${open === 1 ? '' : 's'} now?`,
          default: true,
        }).catch(() => false);
        if (review) {
          process.exitCode = await reviewInteractively(context, {});
          return;
        }
      }
      process.exitCode =
        rejected > 0
          ? ExitCode.inputRejected
          : open > 0
            ? ExitCode.reconciliationOpen
            : ExitCode.ok;
    });

  registerReconcileBank(reconcile);

  reconcile
    .command('review')
    .description(
      'walk the open items, biggest money first, and decide: accept, write-off, link, keep open with a note, skip',
    )
    .option('--run <id>', 'only the items a run saw', positiveInteger)
    .option('--class <class>', 'only items of this class (e.g. amount_mismatch)')
    .option('--yes', 'post accept, write-off and link decisions without asking to confirm each')
    .option('--non-interactive', 'ask nothing: print what is open and exit 4 if anything is')
    .option('--json', 'print the open items as JSON (implies --non-interactive)')
    .addHelpText(
      'after',
      `${examples('payops reconcile review', 'payops reconcile review --class amount_mismatch', 'payops reconcile review --non-interactive')}
Keys: arrows and Enter choose (the proposed action is preselected); a decision that posts money
(accept, write-off, link) says what it posts and asks first: only "y" or "note: why" posts,
anything else goes back (--yes: never asks);
Ctrl-C stops, keeping every decision taken so far. Without a terminal nothing is asked.
`,
    )
    .action(async (flags: ReviewFlags, command: Command) => {
      const context = contextOf(command);
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
      const { itemsToReview } = await import('../reconcile/report.js');
      const items = await withDatabase(context, (db) => itemsToReview(db, filter));
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { reconcileReviewSchema, withMoney, bankViewJson } = await import(
          '../output/reconcile.js'
        );
        context.out(
          contractJson(
            reconcileReviewSchema,
            items.map((item) => itemJson(item, withMoney, bankViewJson)),
          ),
        );
      } else context.out(await renderOpenItems(items, context));
      process.exitCode = items.length > 0 ? ExitCode.reconciliationOpen : ExitCode.ok;
    });

  reconcile
    .command('items')
    .description(
      'list reconciliation items (open ones unless --all): id, class, life, currency, amount, age',
    )
    .option('--class <class>', 'only items of this class (e.g. missing_internal)')
    .option('--run <id>', 'only the items a run saw', positiveInteger)
    .option('--all', 'resolved items too')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV (one line per item)')
    .addHelpText(
      'after',
      `${examples('payops reconcile items', 'payops reconcile items --class missing_internal --csv > open.csv', 'payops reconcile items --all --json')}
Age counts whole days from the run that first found the item (its run date) to now.
`,
    )
    .action(
      async (
        flags: { class?: string; run?: number; all?: boolean; json?: boolean; csv?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        if (flags.json && flags.csv) {
          const { UsageError } = await import('../errors.js');
          throw new UsageError('--json and --csv: choose one');
        }
        const { listItems } = await import('../reconcile/listing.js');
        const { itemsCsv, itemsJson, renderItems } = await import('../reports/reconcile.js');
        const asOfMs = Date.now();
        const filter = {
          ...(flags.class !== undefined ? { class: flags.class } : {}),
          ...(flags.run !== undefined ? { runId: BigInt(flags.run) } : {}),
          all: flags.all === true,
        };
        const items = await withDatabase(context, (db) => listItems(db, filter, asOfMs));
        const asOf = new Date(asOfMs).toISOString();
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { reconcileItemsSchema } = await import('../output/reconcile.js');
          context.out(contractJson(reconcileItemsSchema, itemsJson(items, asOf) as never));
        } else if (flags.csv) process.stdout.write(itemsCsv(items));
        else
          context.out(
            renderItems(
              items,
              context.color,
              asOf,
              flags.class !== undefined || flags.run !== undefined,
            ),
          );
      },
    );

  reconcile
    .command('decide')
    .description(
      'decide one open item without the interactive review (scripts): the same decisions, recorded the same way',
    )
    .argument('<item>', 'the item id (rm_…)')
    .addArgument(
      new Argument('<action>', 'what to do; "proposed" takes the review\'s proposal').choices([
        'accept',
        'write-off',
        'link',
        'note',
        'proposed',
      ]),
    )
    .option('--note <text>', 'why (required for note)')
    .option(
      '--link-to <record>',
      'for link: an order, refund or dispute id, a batch or seller payout id (bank items), or an item id (default: the proposed record)',
    )
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      examples(
        'payops reconcile decide rm_5429a4e239ef accept',
        'payops reconcile decide rm_bc510bd307af note --note "asked the PSP, ticket 4411"',
        'payops reconcile decide rm_ba87d76a0e4c proposed',
      ),
    )
    .action(
      async (
        itemId: string,
        action: string,
        flags: { note?: string; linkTo?: string; json?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { Decisions } = await import('../reconcile/decide.js');
        const { systemClock } = await import('../time.js');
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
        const { actionWord } = await import('../reports/reconcile.js');
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { reconcileDecideSchema } = await import('../output/reconcile.js');
          context.out(
            contractJson(reconcileDecideSchema, {
              ...outcome,
              action: actionWord(outcome.action) as never,
            }),
          );
        } else context.out(`${outcome.itemId}: ${actionWord(outcome.action)}: ${outcome.message}`);
      },
    );

  reconcile
    .command('report')
    .description(
      "a run: per class count and money, the payout batches' bridges, what is open, and every decision with who and when",
    )
    .option('--run <id>', 'the run (default: the latest)', positiveInteger)
    .option('--json', 'print as JSON')
    .option(
      '--csv',
      'print as CSV (cells that a spreadsheet would run as a formula are neutralized)',
    )
    .addHelpText(
      'after',
      examples('payops reconcile report', 'payops reconcile report --run 3 --csv > recon-3.csv'),
    )
    .action(async (flags: { run?: number; json?: boolean; csv?: boolean }, command: Command) => {
      const context = contextOf(command);
      if (flags.json && flags.csv) {
        const { UsageError } = await import('../errors.js');
        throw new UsageError('--json and --csv: choose one');
      }
      const { reconcileReport } = await import('../reconcile/report.js');
      const { renderReport, reportCsv, reportJson } = await import('../reports/reconcile.js');
      const report = await withDatabase(context, (db) =>
        reconcileReport(db, flags.run === undefined ? undefined : BigInt(flags.run)),
      );
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { reconcileReportSchema } = await import('../output/reconcile.js');
        context.out(
          contractJson(reconcileReportSchema, JSON.parse(toJson(reportJson(report))) as never),
        );
      } else if (flags.csv) process.stdout.write(reportCsv(report));
      else context.out(renderReport(report, context.color));
    });

  registerReconcilePayouts(reconcile);
}

interface BankFlags {
  format?: string;
  mapping?: string;
  rules?: string;
  windowDays?: number;
  dryRun?: boolean;
  nonInteractive?: boolean;
  json?: boolean;
}

function registerReconcileBank(reconcile: Command): void {
  reconcile
    .command('bank')
    .description(
      'import bank statements (camt.053, MT940, BAI2, mapped CSV) and match them against PSP payouts, seller payouts and the books',
    )
    .argument('<files...>', 'statement files, imported in the order given, each its own run')
    .addOption(
      new Option(
        '--format <format>',
        "the files' format (default: detected from the content)",
      ).choices([...BANK_FORMATS]),
    )
    .option('--mapping <file>', 'column mapping of a bank CSV (implies --format csv)')
    .option(
      '--rules <file>',
      'rules file; its "bank" object sets windowDays per PSP and feeCap per currency',
    )
    .option(
      '--window-days <n>',
      'business days any payout may take to reach the bank (overrides the rules file)',
      nonNegativeInteger,
    )
    .option('--dry-run', 'show what each file would do; write nothing')
    .option(
      '--non-interactive',
      'never ask anything (cron): print the summary and exit 4 if anything is left open',
    )
    .option('--json', 'print the runs as JSON')
    .addHelpText(
      'after',
      `${examples('payops reconcile bank statement-2026-11-24.xml', 'payops reconcile bank day1.sta day2.sta --rules rules.json', 'payops reconcile bank export.csv --mapping bank-mapping.json --dry-run --json')}
The same file (same bytes) again changes nothing. Exit codes: 0 nothing open, 3 a file refused
(nothing of it imported; files before it stay imported, files after it are not read),
4 items left open (see \`payops reconcile review\`).
`,
    )
    .action(async (files: string[], flags: BankFlags, command: Command) => {
      process.exitCode = await reconcileBankFiles(contextOf(command), files, flags);
    });
}

/** `reconcile bank` (and `reconcile run` of a statement): each file its own run, in order; returns the exit code. */
async function reconcileBankFiles(
  context: CliContext,
  files: readonly string[],
  flags: BankFlags,
): Promise<number> {
  const { statementInput } = await import('../bank/import-file.js');
  const { DEFAULT_BANK_RULES, readBankRulesFile, windowDaysOption } = await import(
    '../bank/rules.js'
  );
  const { reconcileStatement } = await import('../bank/run.js');
  const { systemClock } = await import('../time.js');
  const { bankRunJson, renderBankRun } = await import('../reports/bank.js');
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
  const { BANK_SOURCE } = await import('../bank/accounts.js');
  const open = await withDatabase(
    context,
    async (db) =>
      (await import('../reconcile/report.js'))
        .itemsToReview(db)
        .filter((item) => item.psp === BANK_SOURCE).length,
  );
  if (flags.json) {
    const { contractJson } = await import('../output/contract.js');
    const { reconcileBankSchema } = await import('../output/bank.js');
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
  if (interactive && open > 0) {
    const { confirm } = await import('@inquirer/prompts');
    if (
      await confirm({
        message: `Review the ${open} open bank item${open === 1 ? '' : 's'} now?`,
        default: true,
      }).catch(() => false)
    )
      return reviewInteractively(context, {});
  }
  return open > 0 ? ExitCode.reconciliationOpen : ExitCode.ok;
}

/** The interactive review on this terminal; returns the exit code (4 while anything is open). */
async function reviewInteractively(
  context: CliContext,
  filter: { runId?: bigint; class?: string },
  yes = false,
): Promise<number> {
  const { runReviewSession } = await import('../reconcile/review-session.js');
  const { select, input } = await import('@inquirer/prompts');
  const { systemClock } = await import('../time.js');
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
  items: readonly import('../reconcile/store.js').ItemRecord[],
  context: CliContext,
): Promise<string> {
  if (items.length === 0) return context.color.green('nothing open');
  const { renderTable } = await import('../reports/table.js');
  const { signedAmount } = await import('../reports/reconcile.js');
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
  item: import('../reconcile/store.js').ItemRecord,
  withMoney: typeof import('../output/reconcile.js').withMoney,
  bankViewJson: typeof import('../output/reconcile.js').bankViewJson,
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

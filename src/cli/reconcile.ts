import { Argument, type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { nonNegativeInteger, positiveInteger } from './options.js';
import { BANK_FORMATS } from '../bank/types.js';
import { SETTLEMENT_FORMATS } from '../reconcile/types.js';
import { lazy } from './lazy.js';
import type {
  ReviewFlags,
  ReconcileItemsFlags,
  ReconcileReportFlags,
} from './actions/reconcile.js';
import type { ReconcileDecideFlags } from './actions/reconcile-decide.js';
import type { ReconcilePayoutsFlags } from './actions/reconcile-payouts.js';
import type { BankFlags, RunFlags } from './actions/reconcile-files.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/reconcile.js'));
/** `run` and `bank` read files (CSV, XML): their readers load only for them, not for `items` or `report`. */
const fileActions = lazy(() => import('./actions/reconcile-files.js'));
/** `decide` loads the decision engine (it posts), `payouts` the bank legs: neither loads for `items`. */
const decideActions = lazy(() => import('./actions/reconcile-decide.js'));
const payoutActions = lazy(() => import('./actions/reconcile-payouts.js'));

export function registerReconcile(program: Command): void {
  const reconcile = program
    .command('reconcile')
    .description(
      'reconcile PSP settlement files against the books, and review what does not match',
    );

  reconcileRun(reconcile);

  reconcileBank(reconcile);

  reconcileReview(reconcile);

  reconcileItems(reconcile);

  reconcileDecide(reconcile);

  reconcileReport(reconcile);

  reconcilePayouts(reconcile);
}

function reconcileBank(reconcile: Command): void {
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
    .action(async (files: string[], flags: BankFlags, command: Command) =>
      (await fileActions()).reconcileBank(contextOf(command), files, flags),
    );
}

function reconcileRun(reconcile: Command): void {
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
    .action(async (file: string, flags: RunFlags, command: Command) =>
      (await fileActions()).reconcileRun(
        contextOf(command),
        file,
        flags,
        command.getOptionValueSource('psp') === 'cli',
      ),
    );
}

function reconcileReview(reconcile: Command): void {
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
    .action(async (flags: ReviewFlags, command: Command) =>
      (await actions()).reconcileReview(contextOf(command), flags),
    );
}

function reconcileItems(reconcile: Command): void {
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
    .action(async (flags: ReconcileItemsFlags, command: Command) =>
      (await actions()).reconcileItems(contextOf(command), flags),
    );
}

function reconcileDecide(reconcile: Command): void {
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
    .action(async (itemId: string, action: string, flags: ReconcileDecideFlags, command: Command) =>
      (await decideActions()).reconcileDecide(contextOf(command), itemId, action, flags),
    );
}

function reconcileReport(reconcile: Command): void {
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
    .action(async (flags: ReconcileReportFlags, command: Command) =>
      (await actions()).reconcileReport(contextOf(command), flags),
    );
}

/** `payops reconcile payouts`: the three legs (books, PSP, bank) of every payout side by side. */
function reconcilePayouts(reconcile: Command): void {
  reconcile
    .command('payouts')
    .description(
      'every PSP payout batch and seller payout with its three legs: what the books moved to transit, what the PSP paid, what the bank shows',
    )
    .option('--psp <name>', "only this PSP's batches and the seller payouts it sent")
    .option('--open', 'only payouts of which money is still in transit')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV (one row per payout, no total rows)')
    .addHelpText(
      'after',
      `${examples('payops reconcile payouts', 'payops reconcile payouts --open', 'payops reconcile payouts --psp sim --csv > payouts.csv')}
Status: in transit, received, short (the bank moved less), not received past due (its
payout_not_received item is open), written off. Dated by the payout (date basis: settled).
`,
    )
    .action(async (flags: ReconcilePayoutsFlags, command: Command) =>
      (await payoutActions()).reconcilePayouts(contextOf(command), flags),
    );
}

import { type CliContext, toJson, withDatabase } from '../context.js';
import { ExitCode, UsageError } from '../../errors.js';
import { systemClock } from '../../time.js';
import { renderTable } from '../../reports/table.js';
import {
  signedAmount,
  itemsCsv,
  itemsJson,
  renderItems,
  renderReport,
  reportCsv,
  reportJson,
} from '../../reports/reconcile.js';
import { reconcileReport as readReconcileReport } from '../../reconcile/report.js';
import { listItems } from '../../reconcile/listing.js';
import { SqliteReconcileReads, itemsToReview } from '../../reconcile/sqlite-reconcile-reads.js';
import { lazy } from '../lazy.js';
import { operator } from '../operator.js';

/** inquirer costs more to load than the rest of a run: only an interactive session loads it. */
const prompts = lazy(() => import('@inquirer/prompts'));
/** The interactive session, with its proposals: `items`, `report` and a non-interactive review never load it. */
const reviewSession = lazy(() => import('../../reconcile/review-session.js'));
const reviewStore = lazy(() => import('../../reconcile/sqlite-review-store.js'));
/** The bank's leg decides and shows the bank's items in the session: loaded with it. */
const bankSourceLeg = lazy(() => import('../../bank/sqlite-bank-stores.js'));
/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, schemas] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/reconcile.js'),
  ]);
  return { contractJson, ...schemas };
});

export interface ReviewFlags {
  run?: number;
  class?: string;
  yes?: boolean;
  nonInteractive?: boolean;
  json?: boolean;
}

/** Classes whose amount is a difference, shown with its sign. */
const DIFFERENCE: ReadonlySet<string> = new Set([
  'amount_mismatch',
  'fee_mismatch',
  'batch_total_mismatch',
]);

/** The interactive review on this terminal; returns the exit code (4 while anything is open). */
export async function reviewInteractively(
  context: CliContext,
  filter: { runId?: bigint; class?: string },
  yes = false,
): Promise<number> {
  const { runReviewSession } = await reviewSession();
  const { SqliteReviewStore } = await reviewStore();
  const { sqliteBankLeg } = await bankSourceLeg();
  const { select, input } = await prompts();
  const tally = await withDatabase(context, (db) =>
    runReviewSession(
      new SqliteReviewStore(db, { clock: systemClock, by: operator(), runId: null }, [
        sqliteBankLeg(db),
      ]),
      {
        out: context.out,
        style: context.color,
        prompts: {
          select: (config) => select(config),
          input: (config) => input(config),
        },
      },
      filter,
      { yes },
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

export type ReconcileItemsFlags = {
  class?: string;
  run?: number;
  all?: boolean;
  json?: boolean;
  csv?: boolean;
};
export type ReconcileReportFlags = { run?: number; json?: boolean; csv?: boolean };

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
    const { contractJson, reconcileReviewSchema, withMoney, bankViewJson } = await json();
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
  const items = await withDatabase(context, (db) =>
    listItems(new SqliteReconcileReads(db), filter, asOfMs),
  );
  const asOf = new Date(asOfMs).toISOString();
  if (flags.json) {
    const { contractJson, reconcileItemsSchema } = await json();
    context.out(contractJson(reconcileItemsSchema, itemsJson(items, asOf) as never));
  } else if (flags.csv) process.stdout.write(itemsCsv(items));
  else
    context.out(
      renderItems(items, context.color, asOf, flags.class !== undefined || flags.run !== undefined),
    );
}

export async function reconcileReport(
  context: CliContext,
  flags: ReconcileReportFlags,
): Promise<void> {
  if (flags.json && flags.csv) {
    throw new UsageError('--json and --csv: choose one');
  }
  const report = await withDatabase(context, (db) =>
    readReconcileReport(
      new SqliteReconcileReads(db),
      flags.run === undefined ? undefined : BigInt(flags.run),
    ),
  );
  if (flags.json) {
    const { contractJson, reconcileReportSchema } = await json();
    context.out(
      contractJson(reconcileReportSchema, JSON.parse(toJson(reportJson(report))) as never),
    );
  } else if (flags.csv) process.stdout.write(reportCsv(report));
  else context.out(renderReport(report, context.color));
}

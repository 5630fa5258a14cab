import { NotFoundError } from '../errors.js';
import { type Currency, exponentOf } from '../money/index.js';
import { ITEM_CLASSES, type ItemClass } from './classes.js';
import type { ReconcileReads } from './reconcile-reads.js';
import type { DecisionRecord, ItemRecord, RunRecord } from './store.js';
import { type Bridge, type ClassLine, type RunSummary, moneyLines } from './summary.js';

export interface OpenLine {
  class: ItemClass;
  currency: Currency;
  items: number;
  amountMinor: bigint;
}

export interface ReconcileReport {
  run: RunRecord;
  summary: RunSummary;
  /** The run's batches as they stand now (later decisions move what the books hold). */
  bridges: Bridge[];
  /** Every item open now, per class. */
  openNow: ClassLine[];
  /** Every item open now, per class and currency (a count never repeats across currencies). */
  openByCurrency: OpenLine[];
  decisions: DecisionRecord[];
}

/** `reconcile report`: a run (the latest by default), its batches now, what is open, and every decision. */
export async function reconcileReport(
  reads: ReconcileReads,
  runId?: bigint,
): Promise<ReconcileReport> {
  const facts = await reads.runReport(runId);
  if (!facts) {
    throw runId === undefined
      ? new NotFoundError('no reconciliation has run yet', {
          hint: 'run `payops reconcile run FILE` first',
        })
      : new NotFoundError(`reconciliation run ${runId} does not exist`, {
          hint: `runs: ${(await reads.runIds()).join(', ') || 'none'}`,
        });
  }
  const { open, openByCurrency } = openLines(facts.openItems);
  return {
    run: facts.run,
    summary: facts.summary,
    bridges: facts.bridges,
    openNow: [...open].map(([openClass, entry]) => ({
      class: openClass,
      rows: entry.count,
      records: 0,
      money: moneyLines(entry.money),
    })),
    openByCurrency: [...openByCurrency.values()].sort(
      (a, b) =>
        ITEM_CLASSES.indexOf(a.class) - ITEM_CLASSES.indexOf(b.class) ||
        a.currency.localeCompare(b.currency),
    ),
    decisions: facts.decisions,
  };
}

/** The open items per class (count and money per currency) and per class and currency. */
function openLines(items: readonly ItemRecord[]) {
  const open = new Map<ItemClass, { count: number; money: Map<Currency, bigint> }>();
  const openByCurrency = new Map<string, OpenLine>();
  for (const item of items) {
    const entry = open.get(item.class) ?? { count: 0, money: new Map<Currency, bigint>() };
    entry.count++;
    entry.money.set(item.currency, (entry.money.get(item.currency) ?? 0n) + item.amountMinor);
    open.set(item.class, entry);
    const key = `${item.class}\u0000${item.currency}`;
    const line = openByCurrency.get(key) ?? {
      class: item.class,
      currency: item.currency,
      items: 0,
      amountMinor: 0n,
    };
    line.items++;
    line.amountMinor += item.amountMinor;
    openByCurrency.set(key, line);
  }
  return { open, openByCurrency };
}

export interface ReviewFilter {
  runId?: bigint;
  class?: string;
}

/**
 * The open items a review walks, biggest money first: by face value in major units, without
 * exchange rates (a 1,500 JPY item comes after a 15.01 USD one), then oldest first. `ofRun`: the
 * ids of the items of the run the filter names (undefined without one).
 */
export function reviewQueue(
  openItems: readonly ItemRecord[],
  filter: ReviewFilter,
  ofRun: ReadonlySet<string> | undefined,
): ItemRecord[] {
  return openItems
    .filter(
      (item) =>
        (filter.class === undefined || item.class === filter.class) &&
        (ofRun === undefined || ofRun.has(item.itemId)),
    )
    .sort((a, b) => {
      const difference = magnitude(b) - magnitude(a);
      return difference > 0n ? 1 : difference < 0n ? -1 : Number(a.id - b.id);
    });
}

const SCALE = 4;

function magnitude(item: ItemRecord): bigint {
  const absolute = item.amountMinor < 0n ? -item.amountMinor : item.amountMinor;
  return absolute * 10n ** BigInt(Math.max(0, SCALE - exponentOf(item.currency)));
}

import type { Database } from '../db/index.js';
import { NotFoundError, UsageError } from '../errors.js';
import { type Currency, exponentOf } from '../money/index.js';
import { ITEM_CLASSES, type ItemClass, isItemClass } from './classes.js';
import { type DecisionRecord, type ItemRecord, ReconStore, type RunRecord } from './store.js';
import { type Bridge, type ClassLine, type RunSummary, bridgeOf, moneyLines } from './summary.js';

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
export function reconcileReport(db: Database, runId?: bigint): ReconcileReport {
  const store = new ReconStore(db);
  const run = runId === undefined ? store.latestRun() : store.runById(runId);
  if (!run) {
    throw runId === undefined
      ? new NotFoundError('no reconciliation has run yet', {
          hint: 'run `payops reconcile run FILE` first',
        })
      : new NotFoundError(`reconciliation run ${runId} does not exist`, {
          hint: `runs: ${
            store
              .runs()
              .map((r) => r.id)
              .join(', ') || 'none'
          }`,
        });
  }
  const summary = JSON.parse(run.summary ?? '{}') as RunSummary;
  const bridges = (summary.batches ?? []).map((bridge) =>
    bridgeOf(store, run.psp, bridge.batchId, bridge.currency),
  );
  const open = new Map<ItemClass, { count: number; money: Map<Currency, bigint> }>();
  const openByCurrency = new Map<string, OpenLine>();
  for (const item of store.openItems()) {
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
  return {
    run,
    summary,
    bridges,
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
    decisions: store.decisions(run.id),
  };
}

export interface ReviewFilter {
  runId?: bigint;
  class?: string;
}

/**
 * The open items a review walks, biggest money first: by face value in major units, without
 * exchange rates (a 1,500 JPY item comes after a 15.01 USD one), then oldest first.
 */
export function itemsToReview(db: Database, filter: ReviewFilter = {}): ItemRecord[] {
  const store = new ReconStore(db);
  if (filter.class !== undefined && !isItemClass(filter.class))
    throw new UsageError(`--class: "${filter.class}" is not a class of open items`);
  if (filter.runId !== undefined && !store.runById(filter.runId))
    throw new NotFoundError(`reconciliation run ${filter.runId} does not exist`);
  const ofRun =
    filter.runId === undefined
      ? undefined
      : new Set(store.itemsOfRun(filter.runId).map((item) => item.itemId));
  return store
    .openItems()
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

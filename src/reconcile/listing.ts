import { NotFoundError, UsageError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { type ItemClass, isItemClass } from './classes.js';
import type { ReconcileReads } from './reconcile-reads.js';
import type { ItemRecord } from './store.js';

const DAY_MS = 86_400_000;

/** Where an item stands: found by the latest run (new), still open from an earlier one (persisting), or resolved. */
export type LifeState = 'new' | 'persisting' | 'resolved';

export interface ItemListing {
  itemId: string;
  class: ItemClass;
  psp: string;
  status: 'open' | 'resolved';
  life: LifeState;
  subject: string;
  currency: Currency;
  /** What the class is about, signed (the difference for a mismatch, the whole amount otherwise). */
  amountMinor: bigint;
  /** payops' gross and the PSP's gross, when the item has that side. */
  oursGrossMinor: bigint | null;
  theirsGrossMinor: bigint | null;
  batchId: string | null;
  /** When the run that first found it started (the date `ageDays` counts from). */
  firstSeenAt: string;
  /** Whole days from `firstSeenAt` to the listing's as-of time. */
  ageDays: number;
  /** When the movement happened: the PSP's row date, else payops' booking date. */
  occurredAt: string | null;
  resolution: string | null;
  why: string;
}

export interface ListingFilter {
  class?: string;
  runId?: bigint;
  /** Resolved items too (default: only open ones). */
  all?: boolean;
}

/**
 * Reconciliation items as a listing (`reconcile items`), biggest id last. Age counts in whole days
 * from the start of the run that first found the item to `asOfMs` (the run date: the date basis
 * the listing states); a resolved item's age stops when it was resolved.
 */
export async function listItems(
  reads: ReconcileReads,
  filter: ListingFilter,
  asOfMs: number,
): Promise<ItemListing[]> {
  if (filter.class !== undefined && !isItemClass(filter.class))
    throw new UsageError(`--class: "${filter.class}" is not a class of reconciliation items`);
  const facts = await reads.items(
    filter.runId !== undefined ? { runId: filter.runId } : { all: filter.all === true },
  );
  if (!facts) throw new NotFoundError(`reconciliation run ${filter.runId} does not exist`);
  return facts.items
    .filter(
      (item) =>
        (filter.class === undefined || item.class === filter.class) &&
        (filter.all === true || item.status === 'open'),
    )
    .map((item) =>
      listingOf(
        item,
        facts.latestRunOf.get(item.psp),
        facts.startedAt.get(item.firstRunId) ?? new Date(asOfMs).toISOString(),
        asOfMs,
      ),
    );
}

function listingOf(
  item: ItemRecord,
  latestRunId: bigint | undefined,
  firstSeenAt: string,
  asOfMs: number,
): ItemListing {
  const endMs =
    item.status === 'resolved' && item.resolvedAt !== null ? Date.parse(item.resolvedAt) : asOfMs;
  const life: LifeState =
    item.status === 'resolved'
      ? 'resolved'
      : item.firstRunId === latestRunId
        ? 'new'
        : 'persisting';
  const gross = (value: string | null | undefined) => (value == null ? null : BigInt(value));
  return {
    itemId: item.itemId,
    class: item.class,
    psp: item.psp,
    status: item.status,
    life,
    subject: item.subject,
    currency: item.currency,
    amountMinor: item.amountMinor,
    oursGrossMinor: gross(item.detail.ours?.grossMinor),
    theirsGrossMinor: gross(item.detail.theirs?.grossMinor),
    batchId: item.batchId,
    firstSeenAt,
    ageDays: Math.max(0, Math.floor((endMs - Date.parse(firstSeenAt)) / DAY_MS)),
    occurredAt: item.detail.theirs?.at ?? item.detail.ours?.at ?? null,
    resolution: item.resolution,
    why: item.detail.why,
  };
}

import type { Currency } from '../../money/index.js';
import type { ItemClass } from '../../reconcile/classes.js';
import type { ReportStore } from '../report-store.js';

/** Ages of open items, in whole days since a reconciliation run first saw them. */
export const AGE_BUCKETS = [
  { label: '0-1 days', maxDays: 1 },
  { label: '2-7 days', maxDays: 7 },
  { label: '8-30 days', maxDays: 30 },
  { label: 'over 30 days', maxDays: Number.POSITIVE_INFINITY },
] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number]['label'];

export interface OpenItem {
  itemId: string;
  psp: string;
  class: ItemClass;
  subject: string;
  batchId: string | null;
  currency: Currency;
  amountMinor: bigint;
  firstSeenAt: string;
  ageDays: number;
  ageBucket: AgeBucket;
}

const DAY_MS = 86_400_000;

export function ageBucketOf(ageDays: number): AgeBucket {
  return (
    AGE_BUCKETS.find((bucket) => ageDays <= bucket.maxDays) ?? AGE_BUCKETS[AGE_BUCKETS.length - 1]!
  ).label;
}

/** Every reconciliation item open now, oldest first, with its age at `asOf`. */
export async function openItemsAt(store: ReportStore, asOf: string): Promise<OpenItem[]> {
  return (await store.openItems()).map((item) => {
    const firstSeenAt = item.firstSeenAt ?? asOf;
    const ageDays = Math.max(0, Math.floor((Date.parse(asOf) - Date.parse(firstSeenAt)) / DAY_MS));
    return {
      itemId: item.itemId,
      psp: item.psp,
      class: item.class,
      subject: item.subject,
      batchId: item.batchId,
      currency: item.currency,
      amountMinor: item.amountMinor,
      firstSeenAt,
      ageDays,
      ageBucket: ageBucketOf(ageDays),
    };
  });
}

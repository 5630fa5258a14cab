/**
 * Why work went to the retry queue or the dead letters, counted by reason for a run's summary
 * ("4 retries scheduled: HTTP 503 from the PSP: outcome unknown (4)"). A reason is the PSP's
 * detail without what names one item (its id, its idempotency key), so a thousand charges that
 * failed the same way are one line, not a thousand.
 */
export interface ReasonCount {
  reason: string;
  count: number;
}

/** The tally fields every executor keeps (charges, refunds, payouts). */
export interface ReasonTally {
  retryScheduled: number;
  deadLettered: number;
  retriesByReason: ReasonCount[];
  deadLettersByReason: ReasonCount[];
}

const MAX_REASON_LENGTH = 200;

/** `HTTP 500 for key payops-ord_1-charge: boom` → `HTTP 500: boom`: the item's own names taken out. */
export function reasonOf(detail: string, names: readonly string[] = []): string {
  let reason = detail.replace(/ for key \S+?(?=[:;,]|\s|$)/g, '');
  for (const name of names) if (name.length > 0) reason = reason.split(name).join('…');
  reason = reason.replace(/\s+/g, ' ').trim();
  return reason.length > MAX_REASON_LENGTH
    ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`
    : reason || 'no reason given';
}

export function noteRetry(tally: ReasonTally, reason: string): void {
  tally.retryScheduled++;
  bump(tally.retriesByReason, reason);
}

export function noteDeadLetter(tally: ReasonTally, reason: string): void {
  tally.deadLettered++;
  bump(tally.deadLettersByReason, reason);
}

function bump(counts: ReasonCount[], reason: string): void {
  const known = counts.find((entry) => entry.reason === reason);
  if (known) known.count++;
  else counts.push({ reason, count: 1 });
}

/** Most frequent first, then by reason: the order every summary shows them in. */
export function sortedReasons(counts: readonly ReasonCount[]): ReasonCount[] {
  return [...counts].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** The counts of several tallies (charges, refunds, payouts) as one list. */
export function mergeReasons(...lists: readonly (readonly ReasonCount[])[]): ReasonCount[] {
  const merged: ReasonCount[] = [];
  for (const list of lists)
    for (const { reason, count } of list) {
      const known = merged.find((entry) => entry.reason === reason);
      if (known) known.count += count;
      else merged.push({ reason, count });
    }
  return sortedReasons(merged);
}

/** `10 retries scheduled: getaddrinfo ENOTFOUND (10)`, or undefined when there were none. */
export function reasonsLine(
  what: 'retries scheduled' | 'dead-lettered',
  total: number,
  counts: readonly ReasonCount[],
): string | undefined {
  if (total === 0) return undefined;
  const label =
    what === 'retries scheduled'
      ? `${total} ${total === 1 ? 'retry' : 'retries'} scheduled`
      : `${total} dead-lettered`;
  return `${label}: ${sortedReasons(counts)
    .map(({ reason, count }) => `${reason} (${count})`)
    .join(', ')}`;
}

/** The reason of work dead-lettered because its row no longer matches its birth hash. */
export const ALTERED_REASON = 'changed in the books since it was accepted (birth hash mismatch)';

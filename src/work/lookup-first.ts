import { type Lookup, type RetryableFailure, isRetryable } from '../psp/port.js';

/** A claimed charge, refund or payout: its attempts, this one included, and when the first was claimed. */
export interface Attempted {
  attempts: number;
  firstAttemptAt: string | null;
}

export interface LookupFirst<Item, Result> {
  /** The PSP forgets an idempotency key after this long. */
  keyLifetimeMs: number;
  nowMs: number;
  /**
   * The book is behind its high-water mark (restored from a backup: see book-mark.ts): it may have
   * forgotten that it sent any of these, so every one is looked up first, new work included.
   */
  bookBehind?: boolean;
  /**
   * While the book is behind, work the PSP has no record of is not sent but held, with this reason
   * (payouts: a restored book may plan a lost transfer again under another id, so "not found" does
   * not prove it was never sent). Held work is retried with backoff like any retryable failure.
   */
  holdWhileBehind?: string;
  lookUp(item: Item): Promise<Lookup<Result>>;
  send(items: readonly Item[]): Promise<Result[]>;
}

/**
 * Phase 2 of DESIGN.md §5 for a batch of charges, refunds or payouts. Each is sent with its fixed
 * key, except work first tried longer ago than the PSP keeps keys: a new request with a forgotten
 * key would be a second charge, refund or transfer, so the PSP is asked first what became of the
 * earlier attempt, and the request is sent again only if the PSP has no record of it. A book that
 * is behind its mark looks every item up, for the same reason: what it forgot it sent may be
 * older than the PSP's memory of the key. The i-th result answers the i-th item.
 */
export async function sendOrLookUp<Item extends Attempted, Result>(
  items: readonly Item[],
  how: LookupFirst<Item, Result>,
): Promise<(Result | RetryableFailure)[]> {
  return (await sendOrLookUpCounted(items, how)).results;
}

/**
 * As sendOrLookUp, and how many look-ups made for a book behind its mark FOUND a record of work
 * this book claims for the first time: work it sent before the backup was restored, met again.
 * Only those count toward its catch-up; new work (nothing found) and retries do not.
 */
export async function sendOrLookUpCounted<Item extends Attempted, Result>(
  items: readonly Item[],
  how: LookupFirst<Item, Result>,
): Promise<{ results: (Result | RetryableFailure)[]; lostWorkFound: number }> {
  let lostWorkFound = 0;
  const results: (Result | RetryableFailure | undefined)[] = new Array(items.length);
  const toSend: number[] = [];
  const sending: Item[] = [];
  const send = (index: number, item: Item) => {
    toSend.push(index);
    sending.push(item);
  };
  for (const [index, item] of items.entries()) {
    const keyForgotten =
      item.attempts > 1 &&
      item.firstAttemptAt !== null &&
      how.nowMs - Date.parse(item.firstAttemptAt) >= how.keyLifetimeMs;
    if (!keyForgotten && how.bookBehind !== true) {
      send(index, item);
      continue;
    }
    const lookup = await how.lookUp(item);
    if (isRetryable(lookup)) results[index] = lookup;
    else if (lookup.found) {
      results[index] = lookup.result;
      if (how.bookBehind === true && item.attempts === 1) lostWorkFound++;
    } else if (how.bookBehind === true && how.holdWhileBehind !== undefined) {
      results[index] = {
        status: 'retryable',
        kind: 'held',
        sent: false,
        detail: how.holdWhileBehind,
      };
    } else send(index, item);
  }
  if (toSend.length > 0) {
    const sent = await how.send(sending);
    toSend.forEach((index, position) => {
      results[index] = sent[position];
    });
  }
  return {
    results: results.map(
      (result) =>
        result ?? {
          status: 'retryable',
          kind: 'server_error',
          sent: true,
          detail: 'the PSP adapter returned no result',
        },
    ),
    lostWorkFound,
  };
}

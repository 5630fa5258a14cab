import type { WorkItem, KindRules, WorkResult, WorkTally } from './kind.js';
import { type RecordOptions, guardedFinish, planRecord, recordPlanned } from './record.js';
import type { WorkStore } from './work-store.js';

/** Who records a batch of answers, and when. */
export interface AnswerBatch extends RecordOptions {
  owner: string;
  at: string;
  /** Runs inside the batch's unit of work, last (a failpoint). */
  beforeCommit?: () => void;
}

/**
 * Phase 3 of DESIGN.md §5 made robust to an answer that cannot be recorded. The batch is recorded
 * in one unit of work; if that fails, item by item, so one bad item does not strand the others. An
 * item whose own record fails and whose answer is final (the PSP moved money, or declined) is
 * kept as a fact and moved to `needs_attention` in a unit of work of its own. A non-final answer
 * that cannot be recorded leaves its item `executing` (its lease expires, it is retried with the
 * same key) and its error is thrown after the others are booked. A storage failure (locked, full,
 * read-only) is no item's fault: it is thrown at once, every item left executing. `tally` counts
 * only what committed. Returns how many items were set aside.
 */
export async function recordOrSetAside<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
>(
  store: WorkStore<Item>,
  kind: KindRules<Item, Result, Tally>,
  items: readonly Item[],
  results: readonly Result[],
  tally: Tally,
  how: AnswerBatch,
): Promise<number> {
  const plan = (some: readonly Item[], answers: readonly Result[]) =>
    planRecord(kind, some, answers, how.owner, how.at, how);
  const batchError = await failureOf(() =>
    recordPlanned(store, plan(items, results), tally, how.beforeCommit),
  );
  if (batchError === undefined) return 0;
  // The storage failed, not an item: nothing was written, every item stays executing and is retried with its key.
  if (store.isStorageFailure(batchError)) throw batchError;
  let setAside = 0;
  let unrecorded: unknown;
  // The failure path only: one unit of work per item, as each must stand or fall alone.
  for (const [index, item] of items.entries()) {
    const result = results.slice(index, index + 1);
    const error = await failureOf(() => recordPlanned(store, plan([item], result), tally));
    if (error === undefined) continue;
    if (store.isStorageFailure(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const answer = result[0];
    const fact = answer === undefined ? null : kind.factOf(item, answer, how.psp, message, how.at);
    if (fact === null) {
      unrecorded ??= error;
      continue;
    }
    const move = guardedFinish(
      kind,
      item,
      'executing',
      how.owner,
      {
        to: 'needs_attention',
        pspReference: fact.pspReference,
        pspFeeMinor: fact.pspFeeMinor,
        error: `not recorded: ${fact.error}`,
      },
      how.at,
      kind.causes.setAside(how.psp, fact),
    );
    // If even this fails (the disk is full), the item stays executing and the error leaves: nothing is lost.
    if (await store.setAside(move, fact)) setAside++;
  }
  if (unrecorded !== undefined) throw unrecorded;
  return setAside;
}

async function failureOf(work: () => Promise<void>): Promise<unknown> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return error ?? new Error('record failed');
  }
}

import { UsageError } from '../errors.js';
import type { QueueReadStore } from './queue-read-store.js';

/**
 * Checks that every id an operator named is a dead letter of this PSP, before anything is
 * requeued. Work of another PSP must go back to the PSP that holds its key: sent anywhere else it
 * would be a new charge, refund or transfer with no memory of the first.
 */
export async function assertDeadLettersOf(
  store: QueueReadStore,
  psp: string,
  ids: readonly string[],
): Promise<void> {
  const named = await store.workNamed([...new Set(ids)]);
  const problems: string[] = [];
  for (const [id, found] of named) {
    if (found.some((work) => work.psp === psp && work.status === 'dead_lettered')) continue;
    const work = found[0];
    if (work === undefined) problems.push(`${id}: no order, refund or payout has this id`);
    else if (work.psp !== psp)
      problems.push(
        `${id}: this ${work.kind} belongs to PSP ${work.psp}, not ${psp} (requeue it with --psp ${work.psp})`,
      );
    else if (work.status !== 'dead_lettered')
      problems.push(`${id}: this ${work.kind} is ${work.status}, not dead-lettered`);
  }
  if (problems.length > 0) {
    throw new UsageError(`dlq requeue: ${problems.join('; ')}`, {
      hint: 'nothing was requeued; `payops dlq list` shows the dead letters and their PSP',
    });
  }
}

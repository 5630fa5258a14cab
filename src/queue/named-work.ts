import type { Database } from '../db/index.js';
import { UsageError } from '../errors.js';

type WorkKind = 'order' | 'refund' | 'payout';

const FIND = `SELECT 'order' AS kind, psp, status FROM orders WHERE order_id = @id
              UNION ALL SELECT 'refund', psp, status FROM refunds WHERE refund_id = @id
              UNION ALL SELECT 'payout', psp, status FROM payouts WHERE payout_id = @id`;

/**
 * Checks that every id an operator named is a dead letter of this PSP, before anything is
 * requeued. Work of another PSP must go back to the PSP that holds its key: sent anywhere else it
 * would be a new charge, refund or transfer with no memory of the first.
 */
export function assertDeadLettersOf(db: Database, psp: string, ids: readonly string[]): void {
  const find = db.prepare(FIND);
  const problems: string[] = [];
  for (const id of new Set(ids)) {
    const found = find.all({ id }) as { kind: WorkKind; psp: string; status: string }[];
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

import { type CliContext, withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { operator } from '../operator.js';
import { systemClock } from '../../time.js';
import { actionWord } from '../../reports/reconcile.js';
import { decideItem } from '../../reconcile/decide-item.js';
import { SqliteDecisionStore } from '../../reconcile/sqlite-decision-store.js';
import { sqliteBankLeg } from '../../bank/sqlite-bank-stores.js';

/** A decision on one item: the only reconcile command that loads the decision engine (it posts). */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, { reconcileDecideSchema }] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/reconcile.js'),
  ]);
  return { contractJson, reconcileDecideSchema };
});

export type ReconcileDecideFlags = { note?: string; linkTo?: string; json?: boolean };

export async function reconcileDecide(
  context: CliContext,
  itemId: string,
  action: string,
  flags: ReconcileDecideFlags,
): Promise<void> {
  const chosen =
    action === 'write-off' ? 'write_off' : (action as 'accept' | 'link' | 'note' | 'proposed');
  const outcome = await withDatabase(context, (db) =>
    decideItem(
      new SqliteDecisionStore(db, { clock: systemClock, by: operator(), runId: null }, [
        sqliteBankLeg(db),
      ]),
      itemId,
      chosen,
      {
        ...(flags.note !== undefined ? { note: flags.note } : {}),
        ...(flags.linkTo !== undefined ? { linkTo: flags.linkTo } : {}),
      },
    ),
  );
  if (flags.json) {
    const { contractJson, reconcileDecideSchema } = await json();
    context.out(
      contractJson(reconcileDecideSchema, {
        ...outcome,
        action: actionWord(outcome.action) as never,
      }),
    );
  } else context.out(`${outcome.itemId}: ${actionWord(outcome.action)}: ${outcome.message}`);
}

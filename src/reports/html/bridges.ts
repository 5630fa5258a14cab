import type { Database } from '../../db/index.js';
import type { Currency } from '../../money/index.js';
import { ReconStore } from '../../reconcile/store.js';
import { type Bridge, bridgeOf } from '../../reconcile/summary.js';

/** A limit on the page's size: the bridges of the most recent batches. */
export const MAX_BRIDGES = 1000;

/** The payout bridge of every settlement batch (the newest first), as `reconcile report` computes one. */
export function allBridges(db: Database, limit = MAX_BRIDGES): { psp: string; bridge: Bridge }[] {
  const store = new ReconStore(db);
  const batches = db
    .prepare(
      'SELECT psp, batch_id, currency FROM recon_batches ORDER BY first_run_id DESC, psp, batch_id, currency LIMIT ?',
    )
    .all(limit) as { psp: string; batch_id: string; currency: string }[];
  return batches.map((batch) => ({
    psp: batch.psp,
    bridge: bridgeOf(store, batch.psp, batch.batch_id, batch.currency as Currency),
  }));
}

export function bridgeCount(db: Database): number {
  return Number((db.prepare('SELECT COUNT(*) AS n FROM recon_batches').get() as { n: bigint }).n);
}

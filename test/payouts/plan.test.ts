import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { PAYABLES_QUERY } from '../../src/payouts/plan.js';
import { tempDatabase } from '../helpers/db.js';

describe('payout plan', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  afterEach(() => cleanup());

  it('finds each wallet\'s open payout with one seek in the partial index of open payouts', () => {
    // Once written as `status IN (…)` while the index said otherwise, the lookup read every
    // payout of that status once per wallet.
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${PAYABLES_QUERY}`).all(null, null, null, null) as { detail: string }[]).map((row) => row.detail);
    expect(plan).toContain('SEARCH p USING INDEX payouts_one_open_per_seller (seller_id=? AND currency=?)');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { CLAIM_QUERIES } from '../../src/payments/store.js';
import { PAYOUT_CLAIM_QUERIES } from '../../src/payouts/store.js';
import { tempDatabase } from '../helpers/db.js';

/**
 * A claim must cost its batch. The queries once sorted every waiting order to take the first few
 * thousand (`ORDER BY id` over an index ordered by next attempt time), so a run's claims grew with
 * the square of its size: on a million orders, hundreds of sorts of up to a million rows each.
 */
describe('claim queries', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  afterEach(() => cleanup());

  const plan = (sql: string): string[] => {
    const parameters = (sql.match(/\?/g) ?? []).length;
    return (
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...Array.from({ length: parameters }, () => null)) as { detail: string }[]
    ).map((row) => row.detail);
  };

  it.each([...Object.entries(CLAIM_QUERIES), ...Object.entries(PAYOUT_CLAIM_QUERIES)])(
    '%s reads its status index in order, without sorting',
    (_name, sql) => {
      const steps = plan(sql);
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatch(
        /^SEARCH (orders|payouts) USING INDEX (orders|payouts)_by_status \(status=\? AND psp=\? AND next_attempt_at/,
      );
      expect(steps.join('\n')).not.toMatch(/TEMP B-TREE/);
    },
  );
});

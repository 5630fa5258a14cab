import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { BALANCE_QUERIES } from '../../src/ledger/sqlite-ledger-reads.js';
import { tempDatabase } from '../helpers/db.js';

/**
 * The balance report must cost O(accounts), now and as of any time, whatever the number of
 * entries (the benchmark's book has ten million): these are the plans that promise it.
 */
describe('balance queries', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  afterEach(() => cleanup());

  const plan = (sql: string, parameters: unknown[] = []): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[])
      .map((row) => row.detail)
      .join('\n');

  it('now: reads the accounts alone, in report order', () => {
    expect(plan(BALANCE_QUERIES.now)).toBe(
      'SCAN ledger_accounts USING INDEX sqlite_autoindex_ledger_accounts_1',
    );
  });

  it('as of a time: per account, one seek for the last in-order entry and one index range for late backdated ones', () => {
    const steps = plan(BALANCE_QUERIES.asOf, [{ asOf: '2026-11-23T00:00:00.000Z' }]);
    expect(steps).toContain('SCAN a USING INDEX sqlite_autoindex_ledger_accounts_1');
    expect(steps).toContain('SEARCH last USING INTEGER PRIMARY KEY (rowid=?)');
    expect(steps).toContain(
      'SEARCH e USING COVERING INDEX ledger_entries_by_account_time (account_id=? AND backdated=? AND effective_at<?)',
    );
    expect(steps).toContain(
      'SEARCH late USING INDEX ledger_entries_by_account_time (account_id=? AND backdated=? AND effective_at<?)',
    );
    expect(steps).not.toMatch(/SCAN (e|late|ledger_entries)\b|TEMP B-TREE/);
  });
});

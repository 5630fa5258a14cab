import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { CHECK_QUERIES, runChecks } from '../../src/check/check.js';
import { Ledger } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';

/**
 * `payops check` must stay linear in the size of the books: these are the plans of its joins.
 * (A 100,000-order book once took over twelve minutes because a join on an expression of
 * orders.order_id scanned orders once per capture.)
 */
describe('payops check', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  afterEach(() => cleanup());

  it('finds a capture posting whose order is not succeeded, through the order id index', () => {
    new Ledger(db).post({
      idempotencyKey: 'payin.capture:ord_ghost',
      kind: 'payin.capture',
      description: 'capture with no order',
      effectiveAt: '2026-11-23T10:00:00Z',
      entries: [
        { account: 'assets:psp:sim:receivable', currency: toCurrency('USD'), direction: 'debit', amountMinor: 100n },
        { account: 'revenue:platform-fees', currency: toCurrency('USD'), direction: 'credit', amountMinor: 100n },
      ],
    });
    const report = runChecks(db);
    expect(report.ok).toBe(false);
    expect(report.results.find((r) => !r.ok)?.details).toEqual(['tx 1 (payin.capture:ord_ghost) captures an order that is unknown']);
  });

  it('looks orders up by index, never by scanning them once per row', () => {
    const plans = [CHECK_QUERIES.capturesOfUnsucceededOrders, CHECK_QUERIES.succeededWithoutCapture, CHECK_QUERIES.eventsMissingOrders].map((sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join(' | '));
    expect(plans[0]).toMatch(/SEARCH o USING INDEX/);
    expect(plans[1]).toMatch(/SEARCH t USING (COVERING )?INDEX/);
    expect(plans[2]).toMatch(/SEARCH c USING AUTOMATIC/);
    for (const plan of plans) expect(plan.match(/SCAN/g)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toJson } from '../../src/cli/context.js';
import type { Database } from '../../src/db/index.js';
import { moneyJsonSchema } from '../../src/money/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { listItems } from '../../src/reconcile/listing.js';
import { SqliteReconcileReads } from '../../src/reconcile/sqlite-reconcile-reads.js';
import { itemsCsv, itemsJson } from '../../src/reports/reconcile.js';
import { EUR, type TestBook, capture, lined, payout, tempBook } from './book.js';

const DAY_MS = 86_400_000;

describe('reconcile items: the listing with --csv and --json', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
      ['ord_3', '7.00', EUR],
    ]);
    const day1 = [capture('ord_1', 2600n), capture('ord_2', 1000n, { feeMinor: 40n })];
    await book.reconcile('day1.csv', lined([...day1, payout('po_1', day1)]));
    book.now += 2 * DAY_MS;
    const day2 = [
      capture('ord_3', 700n, { currency: EUR, batchId: 'po_eur' }),
      capture('ord_x', 300n, { pspReference: 'ch_x', currency: EUR, batchId: 'po_eur' }),
    ];
    await book.reconcile(
      'day2.csv',
      lined([...day2, payout('po_eur', day2, undefined, { currency: EUR })]),
    );
  });
  afterEach(() => cleanup());

  it('lists each open item once with its full id, class, currency, amount, age and life state', async () => {
    const items = await listItems(new SqliteReconcileReads(db), {}, book.now + DAY_MS / 2);
    expect(
      items.map((item) => [item.class, item.currency, item.amountMinor, item.life, item.ageDays]),
    ).toEqual([
      ['amount_mismatch', 'USD', 100n, 'persisting', 2],
      ['fee_mismatch', 'USD', 10n, 'persisting', 2],
      ['missing_internal', 'EUR', 300n, 'new', 0],
    ]);
    const json = JSON.parse(toJson(itemsJson(items, new Date(book.now).toISOString()))) as {
      dateBasis: string;
      count: number;
      items: { itemId: string; amount: unknown; pspGross: unknown }[];
    };
    expect(json.dateBasis).toBe('run');
    expect(json.count).toBe(3);
    for (const item of json.items) {
      expect(item.itemId).toMatch(/^rm_[0-9a-f]{12}$/);
      moneyJsonSchema.parse(item.amount);
      moneyJsonSchema.parse(item.pspGross);
    }
    const csv = itemsCsv(items).trimEnd().split('\n');
    expect(csv[0]).toBe(
      'item_id,class,status,life,currency,amount,payops_gross,psp_gross,age_days,first_seen_at,occurred_at,batch_id,subject,resolution,why',
    );
    expect(csv).toHaveLength(4);
    expect(csv[3]).toMatch(/^rm_[0-9a-f]{12},missing_internal,open,new,EUR,3\.00,,3\.00,0,/);
  });

  it('--all shows resolved items with their life state, --class filters', async () => {
    const fee = (
      await listItems(new SqliteReconcileReads(db), { class: 'fee_mismatch' }, book.now)
    )[0]!;
    sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null }).decide(
      fee.itemId,
      'accept',
    );
    expect(
      (await listItems(new SqliteReconcileReads(db), {}, book.now)).map((item) => item.class),
    ).not.toContain('fee_mismatch');
    expect(
      await listItems(new SqliteReconcileReads(db), { all: true, class: 'fee_mismatch' }, book.now),
    ).toEqual([
      expect.objectContaining({
        itemId: fee.itemId,
        status: 'resolved',
        life: 'resolved',
        resolution: expect.stringMatching(/^accepted/),
      }),
    ]);
    await expect(
      listItems(new SqliteReconcileReads(db), { class: 'nope' }, book.now),
    ).rejects.toThrow(/not a class/);
  });
});

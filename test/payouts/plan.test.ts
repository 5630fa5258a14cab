import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { PAYABLES_QUERY, planPayouts } from '../../src/payouts/plan.js';
import { SqlitePayoutsStore } from '../../src/payouts/sqlite-payouts-store.js';
import { tempDatabase } from '../helpers/db.js';

describe('payout plan', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  const store = () => new SqlitePayoutsStore(db);
  afterEach(() => cleanup());

  it("finds each wallet's open payout with one seek in the partial index of open payouts", () => {
    // Once written as `status IN (…)` while the index said otherwise, the lookup read every
    // payout of that status once per wallet.
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${PAYABLES_QUERY}`).all(null, null, null, null) as {
        detail: string;
      }[]
    ).map((row) => row.detail);
    expect(plan).toContain(
      'SEARCH p USING INDEX payouts_one_open_per_seller (seller_id=? AND currency=?)',
    );
  });

  it('holds back a payable above the per-amount limit, which no PSP request may carry (issue 14 item 2)', async () => {
    const at = '2026-11-25T00:00:00.000Z';
    db.prepare(
      'INSERT INTO sellers (seller_id, name, iban, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?)',
    ).run('s_big', 's_big', 'DE89370400440532013000', 'ev', at);
    db.prepare(
      'INSERT INTO sellers (seller_id, name, iban, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?)',
    ).run('s_max', 's_max', 'DE89370400440532013000', 'ev', at);
    db.prepare(
      'INSERT INTO wallets (seller_id, currency, payable_minor, updated_at) VALUES (?, ?, ?, ?)',
    ).run('s_big', 'USD', 10n ** 15n + 1n, at);
    db.prepare(
      'INSERT INTO wallets (seller_id, currency, payable_minor, updated_at) VALUES (?, ?, ?, ?)',
    ).run('s_max', 'USD', 10n ** 15n, at);
    const plan = await planPayouts(store(), {});
    expect(plan.payouts.map((payout) => payout.sellerId)).toEqual(['s_max']);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        sellerId: 's_big',
        reason: expect.stringContaining('more than one payout may carry (10000000000000.00 USD)'),
      }),
    ]);
  });

  it('refuses a --min-amount above the per-amount limit of the currency it names', async () => {
    await expect(
      planPayouts(store(), { currency: 'USD', minAmount: '10000000000000.01' }),
    ).rejects.toThrow(
      '--min-amount: "10000000000000.01" is more than one amount may be (10000000000000.00 USD)',
    );
  });

  describe('--min-amount without --currency, over wallets of currencies with fewer decimals', () => {
    // Once it stopped the whole run at the first JPY wallet ("10.50" has more decimals than JPY allows).
    beforeEach(() => {
      const at = '2026-11-25T00:00:00.000Z';
      const seller = db.prepare(
        'INSERT INTO sellers (seller_id, name, iban, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?)',
      );
      const wallet = db.prepare(
        'INSERT INTO wallets (seller_id, currency, payable_minor, updated_at) VALUES (?, ?, ?, ?)',
      );
      for (const [sellerId, currency, payableMinor] of [
        ['s_jpy_10', 'JPY', 10],
        ['s_jpy_11', 'JPY', 11],
        ['s_usd_1049', 'USD', 1049],
        ['s_usd_1050', 'USD', 1050],
        ['s_kwd', 'KWD', 10500],
      ] as const) {
        seller.run(sellerId, sellerId, 'DE89370400440532013000', 'ev', at);
        wallet.run(sellerId, currency, payableMinor, at);
      }
    });

    it('compares each payable with the exact minimum, in its own currency', async () => {
      const plan = await planPayouts(store(), { minAmount: '10.50' });
      expect(plan.payouts.map((payout) => payout.sellerId)).toEqual([
        's_jpy_11',
        's_kwd',
        's_usd_1050',
      ]);
      expect(plan.skipped.map((skipped) => [skipped.sellerId, skipped.reason])).toEqual([
        ['s_jpy_10', 'below --min-amount 10.50'],
        ['s_usd_1049', 'below --min-amount 10.50'],
      ]);
    });

    it('lets a payable through only from the next whole minor unit above a minimum between two', async () => {
      expect(
        (await planPayouts(store(), { minAmount: '10.001' })).payouts.map(
          (payout) => payout.sellerId,
        ),
      ).toEqual(['s_jpy_11', 's_kwd', 's_usd_1049', 's_usd_1050']);
      expect(
        (await planPayouts(store(), { minAmount: '11' })).payouts.map((payout) => payout.sellerId),
      ).toEqual(['s_jpy_11']);
    });

    it('holds every payable back under a minimum beyond the largest balance, without refusing the run', async () => {
      const plan = await planPayouts(store(), { minAmount: '9999999999999999999' });
      expect(plan.payouts).toEqual([]);
      expect(plan.skipped).toHaveLength(5);
      expect(
        (await planPayouts(store(), { minAmount: '10.000' })).payouts.map(
          (payout) => payout.sellerId,
        ),
      ).toEqual(['s_jpy_10', 's_jpy_11', 's_kwd', 's_usd_1049', 's_usd_1050']);
    });

    it('still refuses a minimum more precise than the currency it names', async () => {
      await expect(planPayouts(store(), { currency: 'JPY', minAmount: '10.50' })).rejects.toThrow(
        '--min-amount: "10.50" has more decimals than JPY allows (0)',
      );
    });
  });
});

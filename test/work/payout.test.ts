import { expect } from 'vitest';
import { type Database, inTransaction } from '../../src/db/index.js';
import { isCurrencyCode } from '../../src/money/index.js';
import { PayoutExecutor } from '../../src/work/executors/payout.js';
import { type ClaimedPayout, PayoutStore } from '../../src/payouts/store.js';
import type { PayoutResult } from '../../src/psp/port.js';
import { Wallets } from '../../src/wallet/wallet-store.js';
import type { PayoutTally } from '../../src/work/kinds/payout.js';
import { payoutKind } from './kinds.js';
import { capturedOrders, events } from './books.js';
import { T0, executorSuite } from './executor-suite.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const IBAN = 'DE89370400440532013000';

/** The wallet of a payout's seller. */
const walletOf = (db: Database, payoutId: string) => {
  const sellerId = db
    .prepare('SELECT seller_id FROM payouts WHERE payout_id = ?')
    .pluck()
    .get(payoutId);
  return new Wallets(db).all().find((wallet) => wallet.sellerId === sellerId);
};

executorSuite<ClaimedPayout, PayoutResult, PayoutTally>({
  name: 'payout',
  table: 'payouts',
  idColumn: 'payout_id',
  prepare: async (ctx, count) => {
    const orderIds = await capturedOrders(ctx, count);
    await events(
      ctx,
      'deliveries.ndjson',
      orderIds.map((orderId, n) => ({
        eventId: `del_${n}`,
        type: 'pay_out',
        occurredAt: '2026-11-24T10:00:00Z',
        orderId,
        seller: { id: `seller_${n}`, name: `Seller ${n}`, account: { iban: IBAN } },
      })),
    );
    const currency = 'USD';
    if (!isCurrencyCode(currency)) throw new Error('USD is a currency');
    // What a payout run plans: each seller's payable share (22.50), one transfer each.
    const payouts = orderIds.map((_, n) => ({
      sellerId: `seller_${n}`,
      currency,
      amountMinor: 2250n,
      destination: IBAN,
    }));
    return inTransaction(ctx.db, () =>
      new PayoutStore(ctx.db).createAll(payouts, 'sim', new Date(T0).toISOString()),
    );
  },
  executor: (db, options) => new PayoutExecutor(sqliteBook(db), options),
  kind: payoutKind,
  script: (psp, key, ...results) => psp.payoutScripts.set(key, results),
  sentKeys: (psp) => psp.payoutCalls.map((call) => call.idempotencyKey),
  batches: (psp) => psp.batches.payout,
  found: (psp, payoutId, pspReference) =>
    psp.payoutLookupAnswers.set(payoutId, {
      found: true,
      result: { status: 'succeeded', pspReference },
    }),
  lookups: (psp) => psp.transferLookups,
  declined: { status: 'declined', pspReference: 'tr_x', reason: 'insufficient_funds' },
  expectSucceeded: (db, payoutId) =>
    expect(walletOf(db, payoutId)).toMatchObject({ payableMinor: 0n, paidOutMinor: 2250n }),
  // Nothing left the bank: the share stays payable for the next run.
  expectDeclined: (db, payoutId) =>
    expect(walletOf(db, payoutId)).toMatchObject({ payableMinor: 2250n, paidOutMinor: 0n }),
  // Whether money left is for a person to establish: the share stays payable, not paid.
  expectRejected: (db, payoutId) =>
    expect(walletOf(db, payoutId)).toMatchObject({ payableMinor: 2250n, paidOutMinor: 0n }),
});

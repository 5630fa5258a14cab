import { expect } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { balances } from '../../src/ledger/index.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import type { ClaimedOrder } from '../../src/payments/store.js';
import type { ChargeResult } from '../../src/psp/port.js';
import type { ChargeTally } from '../../src/work/kinds/charge.js';
import { chargeKind } from './kinds.js';
import { checkouts } from './books.js';
import { executorSuite } from './executor-suite.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const sellerOf = (orderId: string) => orderId.replace('ord_', 'seller_');
const pendingOf = (db: Database, orderId: string) =>
  balances(db).find((row) => row.account === `liabilities:sellers:${sellerOf(orderId)}:pending`)
    ?.balanceMinor;

executorSuite<ClaimedOrder, ChargeResult, ChargeTally>({
  name: 'charge',
  table: 'orders',
  idColumn: 'order_id',
  prepare: checkouts,
  executor: (db, options) => new PayinExecutor(sqliteBook(db), options),
  kind: chargeKind,
  script: (psp, key, ...results) => psp.scripts.set(key, results),
  sentKeys: (psp) => psp.calls.map((call) => call.idempotencyKey),
  batches: (psp) => psp.batches.charge,
  found: (psp, orderId, pspReference) =>
    psp.lookupAnswers.set(orderId, {
      found: true,
      result: { status: 'succeeded', pspReference, feeMinor: null },
    }),
  lookups: (psp) => psp.lookups,
  declined: { status: 'declined', pspReference: 'ch_x', reason: 'insufficient_funds' },
  pending: { status: 'pending', pspReference: 'ch_p' },
  // The seller's share, once: capture and fee posted, the wallet's pending grown.
  expectSucceeded: (db, orderId) => expect(pendingOf(db, orderId)).toBe(2250n),
  expectDeclined: (db) => expect(balances(db)).toEqual([]),
  expectRejected: (db) => expect(balances(db)).toEqual([]),
});

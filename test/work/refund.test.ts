import { expect } from 'vitest';
import type { Database } from '../../src/db/index.js';
import type { RefundResult } from '../../src/psp/port.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import type { RefundTally } from '../../src/work/kinds/refund.js';
import { refundKind } from './kinds.js';
import type { ClaimedRefund } from '../../src/refunds/store.js';
import { capturedOrders, events } from './books.js';
import { executorSuite } from './executor-suite.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

/** The refunded and still reserved amounts of a refund's order. */
const orderOf = (db: Database, refundId: string) =>
  db
    .prepare(
      `SELECT o.refunded_minor, o.refund_reserved_minor FROM orders o JOIN refunds r ON r.order_id = o.order_id
       WHERE r.refund_id = ?`,
    )
    .get(refundId);

executorSuite<ClaimedRefund, RefundResult, RefundTally>({
  name: 'refund',
  table: 'refunds',
  idColumn: 'refund_id',
  prepare: async (ctx, count) => {
    const orderIds = await capturedOrders(ctx, count);
    const refundIds = orderIds.map((_, n) => `rf_${n}`);
    await events(
      ctx,
      'refunds.ndjson',
      orderIds.map((orderId, n) => ({
        eventId: refundIds[n],
        type: 'refund',
        occurredAt: '2026-11-26T12:00:00Z',
        orderId,
        amount: '20.00',
        reason: 'damaged',
      })),
    );
    return refundIds;
  },
  executor: (db, options) => new RefundExecutor(sqliteBook(db), options),
  kind: refundKind,
  script: (psp, key, ...results) => psp.refundScripts.set(key, results),
  sentKeys: (psp) => psp.refundCalls.map((call) => call.idempotencyKey),
  batches: (psp) => psp.batches.refund,
  found: (psp, refundId, pspReference) =>
    psp.refundLookupAnswers.set(refundId, {
      found: true,
      result: { status: 'succeeded', pspReference },
    }),
  lookups: (psp) => psp.transferLookups,
  declined: { status: 'declined', pspReference: 're_x', reason: 'insufficient_funds' },
  expectSucceeded: (db, refundId) =>
    expect(orderOf(db, refundId)).toMatchObject({ refunded_minor: 2000n }),
  // A declined refund gives its reservation back: the order may be refunded again.
  expectDeclined: (db, refundId) =>
    expect(orderOf(db, refundId)).toEqual({ refunded_minor: 0n, refund_reserved_minor: 0n }),
  // Whether money went back is for a person to find out: the amount stays reserved.
  expectRejected: (db, refundId) =>
    expect(orderOf(db, refundId)).toEqual({ refunded_minor: 0n, refund_reserved_minor: 2000n }),
});

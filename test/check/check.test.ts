import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { CHECK_QUERIES } from '../../src/check/store.js';
import { Ledger } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';
import { checkBooks } from '../helpers/check.js';

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

  it('finds a capture posting whose order is not succeeded, through the order id index', async () => {
    new Ledger(db).post({
      idempotencyKey: 'payin.capture:ord_ghost',
      kind: 'payin.capture',
      description: 'capture with no order',
      effectiveAt: '2026-11-23T10:00:00Z',
      entries: [
        {
          account: 'assets:psp:sim:receivable',
          currency: toCurrency('USD'),
          direction: 'debit',
          amountMinor: 100n,
        },
        {
          account: 'revenue:platform-fees',
          currency: toCurrency('USD'),
          direction: 'credit',
          amountMinor: 100n,
        },
      ],
    });
    const report = await checkBooks(db);
    expect(report.ok).toBe(false);
    expect(report.results.find((r) => !r.ok)?.details).toEqual([
      'tx 1 (payin.capture:ord_ghost) captures an order that is unknown',
    ]);
  });

  it('merge-joins the PSP record with the orders: a double charge, a capture of no order, a wrong amount', async () => {
    const { ingest } = await import('../../src/intake/intake.js');
    const { SqliteIntakeStore } = await import('../../src/intake/sqlite-intake-store.js');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const input = path.join(path.dirname(db.name), 'events.ndjson');
    const order = (id: string) => ({ orderId: id, sellerId: 's1', amount: '10.00' });
    fs.writeFileSync(
      input,
      `${JSON.stringify({ eventId: 'e1', type: 'pay_in', occurredAt: '2026-11-23T10:00:00Z', currency: 'USD', payer: { id: 'b' }, paymentToken: 'tok_visa', orders: [order('ord_a'), order('ord_b')] })}\n`,
    );
    await ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
    const charge = (reference: string, merchantReference: string, amountMinor: bigint) => ({
      reference,
      idempotencyKey: `k-${reference}`,
      merchantReference,
      amountMinor,
      currency: toCurrency('USD'),
      feeMinor: null,
      status: 'succeeded' as const,
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    const report = await checkBooks(db, {
      psp: 'sim',
      chargesByOrder: [
        charge('ch_1', 'ord_a', 1000n),
        charge('ch_2', 'ord_a', 1000n),
        charge('ch_3', 'ord_aa', 999n),
        charge('ch_4', 'ord_c', 500n),
      ],
      payouts: [],
    });
    const details =
      report.results.find((r) => r.name.startsWith('every order charged at most once'))?.details ??
      [];
    expect(details).toEqual([
      'order ord_a was charged 2 times at the PSP (ch_1, ch_2)',
      'order ord_a was captured by the PSP (ch_1) but is created in payops',
      'the PSP captured ch_3 for ord_aa, which is no order of payops',
      'the PSP captured ch_4 for ord_c, which is no order of payops',
    ]);
  });

  it('on a live check, an order claimed and charged after the books were read is a note; charged before, a problem', async () => {
    // Found by the chaos campaign: check in the middle of a rush read the books, then the PSP's
    // record; orders claimed and charged in between looked "captured by the PSP but created".
    const { ingest } = await import('../../src/intake/intake.js');
    const { SqliteIntakeStore } = await import('../../src/intake/sqlite-intake-store.js');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const input = path.join(path.dirname(db.name), 'events.ndjson');
    fs.writeFileSync(
      input,
      `${JSON.stringify({ eventId: 'e1', type: 'pay_in', occurredAt: '2026-11-23T10:00:00Z', currency: 'USD', payer: { id: 'b' }, paymentToken: 'tok_visa', orders: [{ orderId: 'ord_a', sellerId: 's1', amount: '10.00' }] })}\n`,
    );
    await ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
    const chargedAt = (createdAt: string) => [
      {
        reference: 'ch_1',
        idempotencyKey: 'payops-ord_a-charge',
        merchantReference: 'ord_a',
        amountMinor: 1000n,
        currency: toCurrency('USD'),
        feeMinor: null,
        status: 'succeeded' as const,
        createdAt,
      },
    ];
    const pspCheck = async (createdAt: string) => {
      const report = await checkBooks(db, {
        psp: 'sim',
        chargesByOrder: chargedAt(createdAt),
        payouts: [],
        booksReadAt: '2026-11-23T10:00:05.000Z',
      });
      return {
        result: report.results.find((r) => r.name.startsWith('every order charged at most once')),
        notes: report.notes,
      };
    };
    expect(await pspCheck('2026-11-23T10:00:05.120Z')).toMatchObject({
      result: { ok: true },
      notes: [
        'order ord_a was claimed and charged (ch_1) while check ran: the books were read before',
      ],
    });
    expect((await pspCheck('2026-11-23T10:00:04.990Z')).result).toMatchObject({
      ok: false,
      details: ['order ord_a was captured by the PSP (ch_1) but is created in payops'],
    });
  });

  it("checks each PSP's record against that PSP's payouts only (a book that paid through sim and http)", async () => {
    db.prepare(
      `INSERT INTO payouts (payout_id, seller_id, currency, amount_minor, destination, payout_key, psp, status, created_at, updated_at)
       VALUES ('po_sim', 's1', 'USD', 500, 'DE89370400440532013000', 'payops-po_sim-payout', 'sim', 'succeeded', '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')`,
    ).run();
    const pspPayouts = async (psp: string) =>
      (await checkBooks(db, { psp, chargesByOrder: [], payouts: [] })).results.find((r) =>
        r.name.startsWith('every payout sent at most once'),
      );
    expect(await pspPayouts('http')).toMatchObject({
      name: 'every payout sent at most once at the PSP (http)',
      ok: true,
    });
    expect((await pspPayouts('sim'))?.details).toEqual([
      'payout po_sim is booked as sent but the PSP has no matching transfer',
    ]);
  });

  it('names a refund left executing by a crashed process once its lease ran out, as it does orders and payouts', async () => {
    // Found while building the chaos campaign: the lease check did not look at refunds.
    db.prepare(
      `INSERT INTO events (event_id, type, content_hash, occurred_at, source, received_at, order_count)
       VALUES ('chk_1', 'pay_in', 'h', '2026-11-23T10:00:00Z', 'test', '2026-11-23T10:00:00Z', 1)`,
    ).run();
    db.prepare(
      `INSERT INTO orders (order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, metadata, psp, charge_key, status,
                           refund_reserved_minor, created_at, updated_at)
       VALUES ('ord_1', 'chk_1', 'b', 's1', 'USD', 1000, 0, 'tok_visa', '{}', 'sim', 'payops-ord_1-charge', 'failed', 1000, '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')`,
    ).run();
    db.prepare(
      `INSERT INTO refunds (refund_id, order_id, currency, amount_minor, reason, refund_key, psp, status, attempts, lease_owner, lease_expires_at, created_at, updated_at)
       VALUES ('rf_1', 'ord_1', 'USD', 1000, 'damaged', 'payops-rf_1-refund', 'sim', 'executing', 1, 'crashed', '2026-11-23T10:05:00Z', '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')`,
    ).run();
    const leases = (await checkBooks(db)).results.find(
      (r) => r.name === 'nothing stuck in executing',
    );
    expect(leases).toMatchObject({
      ok: false,
      details: [
        'rf_1 has been executing since its lease expired at 2026-11-23T10:05:00Z (run `payops retry run`)',
      ],
    });
  });

  it('looks orders up by index, never by scanning them once per row', () => {
    const plans = [
      CHECK_QUERIES.capturesOfUnsucceededOrders,
      CHECK_QUERIES.succeededWithoutCapture,
      CHECK_QUERIES.eventsMissingOrders,
    ].map((sql) =>
      // The capture joins bind the capture key prefix; the events query binds nothing.
      (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ keyPrefix: 'payin.capture:' }) as {
          detail: string;
        }[]
      )
        .map((row) => row.detail)
        .join(' | '),
    );
    expect(plans[0]).toMatch(/SEARCH o USING INDEX/);
    expect(plans[1]).toMatch(/SEARCH t USING (COVERING )?INDEX/);
    expect(plans[2]).toMatch(/SEARCH c USING AUTOMATIC/);
    for (const plan of plans) expect(plan.match(/SCAN/g)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});

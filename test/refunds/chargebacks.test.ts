import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { balances } from '../../src/ledger/index.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import type { Database } from '../../src/db/index.js';
import { toCurrency } from '../../src/money/index.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { executeDue } from '../../src/work/executors/payin.js';
import type { Dispute } from '../../src/psp/port.js';
import { syncChargebacks } from '../../src/refunds/chargebacks.js';
import { SqliteChargebackSyncStore } from '../../src/refunds/sqlite-chargeback-sync-store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 1_000, maxAttempts: 5 };

/**
 * `chargebacks sync` books a dispute only once payops has captured its order. Found while building
 * the chaos campaign: the PSP decides disputes on charges it captured, which payops may not have
 * booked yet (the answer was lost and is being retried, or the charge is pending); sync booked
 * them anyway, clawing back a share the seller had never been credited (check: "pending −22.50 ≠
 * 0"), and for an order payops has as failed, for good. The webhook path already waited.
 */
describe('chargebacks sync', () => {
  let db: Database;
  let dir: string;
  let cleanup: () => void;
  let psp: FakePsp;
  let now: number;
  const clock = () => now;
  const dispute: Dispute = {
    disputeId: 'dp_1',
    chargeReference: 'ch_ord_1',
    merchantReference: 'ord_1',
    amountMinor: 2500n,
    disputeFeeMinor: 1500n,
    currency: toCurrency('USD'),
    createdAt: '2026-11-23T11:00:00.000Z',
  };
  const chargebacks = () => db.prepare('SELECT dispute_id FROM chargebacks').all();

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
    now = Date.parse('2026-11-23T10:00:00Z');
    psp = new FakePsp();
    const input = path.join(dir, 'events.ndjson');
    fs.writeFileSync(
      input,
      `${JSON.stringify({
        eventId: 'chk_1',
        type: 'pay_in',
        occurredAt: '2026-11-23T10:00:00Z',
        currency: 'USD',
        payer: { id: 'buyer_1' },
        paymentToken: 'tok_visa',
        orders: [{ orderId: 'ord_1', sellerId: 'seller_1', amount: '25.00', platformFee: '2.50' }],
      })}\n`,
    );
    await ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
    psp.disputes.push(dispute);
  });
  afterEach(() => cleanup());

  it('leaves the dispute of an order payops is still retrying for a later sync, then books it once', async () => {
    psp.script('ord_1', {
      status: 'retryable',
      kind: 'timeout',
      sent: true,
      detail: 'the answer was lost',
    });
    await executeDue(sqliteBook(db), { psp, retry: POLICY, clock });
    const early = await syncChargebacks(new SqliteChargebackSyncStore(db), psp);
    expect(early).toMatchObject({
      recorded: 0,
      waiting: [{ dispute: { disputeId: 'dp_1' }, status: 'retry_scheduled' }],
      conflicts: [],
    });
    expect(chargebacks()).toEqual([]);
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);

    now += 2_000;
    await executeDue(sqliteBook(db), { psp, retry: POLICY, clock }); // the retry gets the capture
    expect(await syncChargebacks(new SqliteChargebackSyncStore(db), psp)).toMatchObject({
      recorded: 1,
      waiting: [],
    });
    expect(await syncChargebacks(new SqliteChargebackSyncStore(db), psp)).toMatchObject({
      recorded: 0,
      alreadyRecorded: 1,
    });
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
  });

  it('books nothing for an order payops has as failed, and says so as a conflict', async () => {
    psp.script('ord_1', { status: 'declined', pspReference: 'ch_ord_1', reason: 'card_declined' });
    await executeDue(sqliteBook(db), { psp, retry: POLICY, clock });
    expect(await syncChargebacks(new SqliteChargebackSyncStore(db), psp)).toMatchObject({
      recorded: 0,
      waiting: [],
      conflicts: [{ disputeId: 'dp_1' }],
    });
    expect(chargebacks()).toEqual([]);
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
  });

  /**
   * Found in review: a dispute booked while a refund of its order was in flight clawed back only
   * what the refund had not reserved and booked the rest as the platform's loss; when the PSP then
   * declined the refund (Stripe refuses refunds of disputed charges), the seller kept the share
   * and the next payout paid it. The dispute now waits for the refund to be final.
   */
  it('waits while a refund of the order is in flight; once the PSP declines it, claws the whole share back', async () => {
    await executeDue(sqliteBook(db), { psp, retry: POLICY, clock });
    const refundFile = path.join(dir, 'refund.ndjson');
    fs.writeFileSync(
      refundFile,
      `${JSON.stringify({ eventId: 'rf_1', type: 'refund', occurredAt: '2026-11-23T10:30:00Z', orderId: 'ord_1', amount: '25.00' })}\n`,
    );
    await ingest(new SqliteIntakeStore(db), [refundFile], { psp: 'sim' });
    psp.refundScripts.set('payops-rf_1-refund', [
      { status: 'retryable', kind: 'timeout', sent: true, detail: 'the answer was lost' },
      { status: 'declined', pspReference: 're_1', reason: 'charge_disputed' },
    ]);
    const refunds = new RefundExecutor(sqliteBook(db), { psp, retry: POLICY, clock });
    await refunds.runDue();

    const early = await syncChargebacks(new SqliteChargebackSyncStore(db), psp);
    expect(early).toMatchObject({
      recorded: 0,
      waiting: [
        {
          dispute: { disputeId: 'dp_1' },
          reason: expect.stringContaining('a refund of 25.00 USD on the order is still in flight'),
        },
      ],
    });
    expect(chargebacks()).toEqual([]);

    now += 2_000;
    await refunds.runDue(); // declined: the reservation is released
    expect(await syncChargebacks(new SqliteChargebackSyncStore(db), psp)).toMatchObject({
      recorded: 1,
      waiting: [],
    });
    const balance = (account: string) =>
      balances(db).find((row) => row.account === account)?.balanceMinor ?? 0n;
    expect(balance('liabilities:sellers:seller_1:pending')).toBe(0n);
    expect(balance('expenses:chargeback-losses')).toBe(0n);
    expect(balance('revenue:platform-fees')).toBe(0n);
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
  });

  // Found in review: sync booked a dispute against the order its merchant reference names without
  // checking that it was that order's charge, through this PSP, for no more than the order.
  it('books nothing for a dispute of another charge, another PSP or more than the order, and names why', async () => {
    await executeDue(sqliteBook(db), { psp, retry: POLICY, clock });
    psp.disputes.length = 0;
    psp.disputes.push(
      { ...dispute, disputeId: 'dp_other_charge', chargeReference: 'ch_second' },
      { ...dispute, disputeId: 'dp_too_big', amountMinor: 2501n },
    );
    const sync = await syncChargebacks(new SqliteChargebackSyncStore(db), psp);
    expect(sync).toMatchObject({ recorded: 0 });
    expect(sync.mismatched.map(({ dispute: d, detail }) => [d.disputeId, detail])).toEqual([
      ['dp_other_charge', "the order's charge is ch_ord_1, the dispute is on ch_second"],
      ['dp_too_big', "the dispute is for 25.01 USD, more than the order's 25.00 USD"],
    ]);
    const elsewhere = new FakePsp('http');
    elsewhere.disputes.push(dispute);
    expect(
      (await syncChargebacks(new SqliteChargebackSyncStore(db), elsewhere)).mismatched.map(
        ({ detail }) => detail,
      ),
    ).toEqual(['the order was charged through sim, not http']);
    expect(chargebacks()).toEqual([]);
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
  });
});

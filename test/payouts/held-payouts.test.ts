import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { settleHeldPayOuts } from '../../src/payouts/settle-held.js';
import { SqlitePayoutsStore, sqliteHeldPayOuts } from '../../src/payouts/sqlite-payouts-store.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp, timeout } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };
const IBAN = 'DE89370400440532013000';
const checkout = (eventId: string, orderId: string) =>
  JSON.stringify({
    eventId,
    type: 'pay_in',
    occurredAt: '2026-11-23T09:00:00Z',
    currency: 'USD',
    payer: { id: 'buyer_1' },
    paymentToken: 'tok_visa',
    orders: [{ orderId, sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }],
  });
const delivered = (eventId: string, orderId: string) =>
  JSON.stringify({
    eventId,
    type: 'pay_out',
    occurredAt: '2026-11-25T09:00:00Z',
    orderId,
    seller: { id: 'seller_7', name: 'Seller Seven', account: { iban: IBAN } },
  });

describe('held pay_outs', () => {
  let db: Database;
  let dir: string;
  let cleanup: () => void;
  let now: number;
  let psp: FakePsp;
  const load = async (...lines: string[]) => {
    const input = path.join(dir, `events-${Math.random()}.ndjson`);
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };
  const execute = () =>
    new PayinExecutor(sqliteBook(db), {
      psp,
      retry: POLICY,
      clock: () => now,
      random: () => 1,
      leaseMs: 60_000,
    }).runDue();
  const payableMinor = () =>
    (
      db.prepare("SELECT payable_minor FROM wallets WHERE seller_id = 'seller_7'").get() as
        | { payable_minor: bigint }
        | undefined
    )?.payable_minor ?? 0n;
  const releasePostings = () =>
    Number(
      (
        db
          .prepare("SELECT count(*) AS n FROM ledger_transactions WHERE kind = 'payout.release'")
          .get() as { n: bigint }
      ).n,
    );
  const checksPass = async () =>
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);

  beforeEach(() => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
    now = Date.parse('2026-11-23T10:00:00Z');
    psp = new FakePsp();
  });
  afterEach(() => cleanup());

  it('holds a pay_out whose order is not captured yet, and releases it once, after the capture', async () => {
    const intake = await load(checkout('chk_1', 'ord_1'), delivered('dlv_1', 'ord_1'));
    expect(intake).toMatchObject({ eventsAccepted: 2, rejected: 0, payOutsHeld: 1, releases: 0 });
    expect(sqliteHeldPayOuts(db).list()).toMatchObject([
      { eventId: 'dlv_1', orderId: 'ord_1', status: 'held', orderStatus: 'created' },
    ]);
    expect(await settleHeldPayOuts(new SqlitePayoutsStore(db))).toEqual({
      released: 0,
      rejected: [],
      stillHeld: 1,
    });
    await checksPass();
    await execute();
    // Captured and not released yet: the state a crash between the two leaves. The books agree,
    // the pay_out is still held, and the next settling (any run's) releases it.
    await checksPass();
    expect(sqliteHeldPayOuts(db).list()).toMatchObject([
      { status: 'held', orderStatus: 'succeeded' },
    ]);
    expect(await settleHeldPayOuts(new SqlitePayoutsStore(db))).toEqual({
      released: 1,
      rejected: [],
      stillHeld: 0,
    });
    expect(payableMinor()).toBe(2250n);
    await checksPass();
    // Settling again (another process, the next run) applies nothing twice.
    expect(await settleHeldPayOuts(new SqlitePayoutsStore(db))).toEqual({
      released: 0,
      rejected: [],
      stillHeld: 0,
    });
    expect(releasePostings()).toBe(1);
    expect(sqliteHeldPayOuts(db).list({ all: true })).toMatchObject([
      { status: 'released', reason: null },
    ]);
  });

  it('keeps the pay_out held while its order waits in the retry queue', async () => {
    psp.script('ord_1', timeout);
    await load(checkout('chk_1', 'ord_1'), delivered('dlv_1', 'ord_1'));
    await execute();
    expect(await settleHeldPayOuts(new SqlitePayoutsStore(db))).toEqual({
      released: 0,
      rejected: [],
      stillHeld: 1,
    });
    expect(sqliteHeldPayOuts(db).list()).toMatchObject([{ orderStatus: 'retry_scheduled' }]);
    await checksPass();
    now += 60_000;
    await execute();
    expect(await settleHeldPayOuts(new SqlitePayoutsStore(db))).toMatchObject({ released: 1 });
    await checksPass();
  });

  it('rejects the held pay_out with its reason when the order is declined', async () => {
    psp.script('ord_1', { status: 'declined', pspReference: null, reason: 'card_declined' });
    await load(checkout('chk_1', 'ord_1'), delivered('dlv_1', 'ord_1'));
    await execute();
    const settlement = await settleHeldPayOuts(new SqlitePayoutsStore(db));
    expect(settlement.rejected).toEqual([
      {
        eventId: 'dlv_1',
        orderId: 'ord_1',
        reason: expect.stringMatching(
          /^held pay_out rejected: order ord_1 is failed, not captured/,
        ) as unknown as string,
      },
    ]);
    expect(payableMinor()).toBe(0n);
    expect(releasePostings()).toBe(0);
    await checksPass();
  });

  it('judges again the re-send of a held pay_out that was rejected (its event id is not spent), and applies it once', async () => {
    await load(checkout('chk_1', 'ord_1'), delivered('dlv_1', 'ord_1'));
    // A book written before review 15 rejected a held pay_out when its order was dead-lettered.
    db.prepare(
      "UPDATE held_payouts SET status = 'rejected', resolved_at = '2026-11-23T10:00:01Z', reason = 'held pay_out rejected: order ord_1 is dead_lettered' WHERE event_id = 'dlv_1'",
    ).run();
    // Re-sent before the order is captured: refused with what to do, still not spent.
    const early = await load(delivered('dlv_1', 'ord_1'));
    expect(early).toMatchObject({ duplicates: 0, rejected: 1, releases: 0 });
    expect(early.rejections[0]?.reason).toContain(
      'dlv_1 was rejected while held; re-send it once the order is captured',
    );
    await execute();
    expect(await settleHeldPayOuts(new SqlitePayoutsStore(db))).toEqual({
      released: 0,
      rejected: [],
      stillHeld: 0,
    });
    expect(payableMinor()).toBe(0n);
    const resent = await load(delivered('dlv_1', 'ord_1'));
    expect(resent).toMatchObject({ duplicates: 0, rejected: 0, eventsAccepted: 1, releases: 1 });
    expect(payableMinor()).toBe(2250n);
    expect(
      (
        db.prepare("SELECT iban FROM sellers WHERE seller_id = 'seller_7'").get() as {
          iban: string;
        }
      ).iban,
    ).toBe(IBAN);
    // Applied now: a further re-send is a duplicate.
    expect(await load(delivered('dlv_1', 'ord_1'))).toMatchObject({
      duplicates: 1,
      rejected: 0,
      releases: 0,
    });
    expect(releasePostings()).toBe(1);
    await checksPass();
  });
});

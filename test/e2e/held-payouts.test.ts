import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { expectCheckPasses, payops, tempDirPerTest } from '../helpers/cli.js';
import { eventsFile } from '../helpers/events.js';

const IBAN = 'DE89370400440532013000';
const OTHER_IBAN = 'GB82WEST12345698765432';
const checkout = (eventId: string, orderId: string, paymentToken = 'tok_visa') => ({
  eventId,
  type: 'pay_in',
  occurredAt: '2026-11-23T10:00:00Z',
  currency: 'USD',
  payer: { id: 'buyer_1' },
  paymentToken,
  orders: [{ orderId, sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }],
});
const delivered = (eventId: string, orderId: string, iban = IBAN) => ({
  eventId,
  type: 'pay_out',
  occurredAt: '2026-11-25T09:00:00Z',
  orderId,
  seller: { id: 'seller_7', name: 'Seller Seven', account: { iban } },
});

interface HeldJson {
  payOuts: {
    eventId: string;
    orderId: string;
    status: string;
    orderStatus: string;
    reason: string | null;
  }[];
}

/**
 * A pay_out for an order not captured yet (the same file's checkout, or an order in retry) is held
 * and applied once the order is captured; if the order is declined, the held pay_out is rejected
 * with its reason. wallet = ledger (`payops check`) after every step.
 */
describe('held pay_outs (end to end)', () => {
  const temp = tempDirPerTest();
  const setup = () => {
    const db = path.join(temp.dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    return { db, run: (...args: string[]) => payops([...args, '--db', db]) };
  };
  /** The seller's payable balance in minor units ('0' when it has no wallet yet). */
  const payable = (db: string): string => {
    const books = new Sqlite(db, { readonly: true });
    const row = books
      .prepare(
        "SELECT payable_minor FROM wallets WHERE seller_id = 'seller_7' AND currency = 'USD'",
      )
      .get() as { payable_minor: number } | undefined;
    books.close();
    return String(row?.payable_minor ?? 0);
  };

  const sellerIban = (db: string): string | undefined => {
    const books = new Sqlite(db, { readonly: true });
    const row = books.prepare("SELECT iban FROM sellers WHERE seller_id = 'seller_7'").get() as
      | { iban: string }
      | undefined;
    books.close();
    return row?.iban;
  };

  /** The retry an hour away is due now: time passes without waiting for it. */
  const dueNow = (db: string): void => {
    const books = new Sqlite(db);
    books
      .prepare(
        "UPDATE orders SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE status = 'retry_scheduled'",
      )
      .run();
    books.close();
  };

  it('holds the pay_out of an order in the same file and releases it once the order is captured', () => {
    const { db, run } = setup();
    const file = eventsFile(
      temp.dir,
      'day.ndjson',
      checkout('chk_1', 'ord_1'),
      delivered('dlv_1', 'ord_1'),
    );
    const result = run('payin', 'run', file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 pay_outs held until their order is captured');
    expect(result.stdout).toContain('released 1 held (order now captured)');
    expect(payable(db)).toBe('2250');
    const list = JSON.parse(run('release', 'list', '--all', '--json').stdout) as HeldJson;
    expect(list.payOuts).toMatchObject([
      {
        eventId: 'dlv_1',
        orderId: 'ord_1',
        status: 'released',
        orderStatus: 'succeeded',
        reason: null,
      },
    ]);
    expect(run('release', 'list').stdout).toContain('no pay_out is held');
    expectCheckPasses(db);
    // The same file again: duplicates, nothing released twice.
    expect(run('payin', 'run', file).code).toBe(0);
    expect(payable(db)).toBe('2250');
    expectCheckPasses(db);
  });

  it('holds a pay_out while its order is in retry, and releases it when the retry captures it', () => {
    const { db, run } = setup();
    // The first retry is an hour away: the order stays retry_scheduled across the two runs.
    const failing = [
      '--faults',
      '5xx=1',
      '--seed',
      '1',
      '--retry-base-ms',
      '3600000',
      '--retry-cap-ms',
      '3600000',
    ];
    expect(
      run(
        'payin',
        'run',
        eventsFile(temp.dir, 'checkouts.ndjson', checkout('chk_1', 'ord_1')),
        ...failing,
      ).code,
    ).toBe(6);
    const second = run(
      'payin',
      'run',
      eventsFile(temp.dir, 'deliveries.ndjson', delivered('dlv_1', 'ord_1')),
      ...failing,
    );
    expect(second.stdout).toContain('1 pay_outs held until their order is captured');
    expect(second.stdout).toContain('1 still held until their order is captured');
    expect(second.code).toBe(6);
    expect((JSON.parse(run('release', 'list', '--json').stdout) as HeldJson).payOuts).toMatchObject(
      [{ eventId: 'dlv_1', status: 'held', orderStatus: 'retry_scheduled' }],
    );
    expect(payable(db)).toBe('0');
    expectCheckPasses(db);
    dueNow(db);
    const retry = run('retry', 'run');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('released 1 held (order now captured)');
    expect(payable(db)).toBe('2250');
    expectCheckPasses(db);
  });

  it('keeps a pay_out held while its order is dead-lettered, and releases it when `dlq requeue` captures the order', () => {
    // Review 15: the held pay_out was rejected on the dead letter and its event id kept, so the
    // requeue captured the order and the seller's share stayed pending for good.
    const { db, run } = setup();
    const failing = [
      '--faults',
      '5xx=1',
      '--seed',
      '1',
      '--retry-base-ms',
      '1',
      '--max-attempts',
      '2',
    ];
    const result = run(
      'payin',
      'run',
      eventsFile(temp.dir, 'day.ndjson', checkout('chk_1', 'ord_1'), delivered('dlv_1', 'ord_1')),
      ...failing,
    );
    expect(result.stdout).toContain('1 pay_outs held until their order is captured');
    expect(result.stderr).not.toContain('held pay_out rejected');
    expect((JSON.parse(run('release', 'list', '--json').stdout) as HeldJson).payOuts).toMatchObject(
      [{ eventId: 'dlv_1', status: 'held', orderStatus: 'dead_lettered' }],
    );
    expect(payable(db)).toBe('0');
    expect(run('dlq', 'requeue', '--all').code).toBe(0);
    expect(payable(db)).toBe('2250');
    expect(
      (JSON.parse(run('release', 'list', '--all', '--json').stdout) as HeldJson).payOuts,
    ).toMatchObject([{ eventId: 'dlv_1', status: 'released', orderStatus: 'succeeded' }]);
    // The supplier re-sends the delivery: applied once already, so now a duplicate.
    const again = run(
      'payin',
      'run',
      eventsFile(temp.dir, 'resend.ndjson', delivered('dlv_1', 'ord_1')),
    );
    expect(again.stdout).toContain('duplicates 1, rejected 0');
    expect(payable(db)).toBe('2250');
    expectCheckPasses(db);
  });

  it("a held pay_out that is rejected never changes the seller's payout IBAN", () => {
    const { db, run } = setup();
    expect(
      run(
        'payin',
        'run',
        eventsFile(temp.dir, 'a.ndjson', checkout('chk_0', 'ord_0'), delivered('dlv_0', 'ord_0')),
      ).code,
    ).toBe(0);
    expect(sellerIban(db)).toBe(IBAN);
    const file = eventsFile(
      temp.dir,
      'b.ndjson',
      checkout('chk_1', 'ord_1', 'tok_chargeDeclined'),
      delivered('dlv_1', 'ord_1', OTHER_IBAN),
    );
    const result = run('payin', 'run', file);
    expect(result.stderr).toContain('held pay_out rejected');
    expect(sellerIban(db)).toBe(IBAN);
    expectCheckPasses(db);
  });

  it("records a held pay_out's IBAN when it is released, unless a pay_out accepted after it gave a newer one", () => {
    const { db, run } = setup();
    const failing = [
      '--faults',
      '5xx=1',
      '--seed',
      '1',
      '--retry-base-ms',
      '1',
      '--max-attempts',
      '2',
    ];
    // Held with OTHER_IBAN (its order dead-lettered): nothing recorded yet.
    run(
      'payin',
      'run',
      eventsFile(
        temp.dir,
        'a.ndjson',
        checkout('chk_1', 'ord_1'),
        delivered('dlv_1', 'ord_1', OTHER_IBAN),
      ),
      ...failing,
    );
    expect(sellerIban(db)).toBeUndefined();
    // Then released with IBAN, accepted later: the newest account.
    // (exit 6: ord_1 is still a dead letter)
    expect(
      run(
        'payin',
        'run',
        eventsFile(temp.dir, 'b.ndjson', checkout('chk_2', 'ord_2'), delivered('dlv_2', 'ord_2')),
      ).code,
    ).toBe(6);
    expect(sellerIban(db)).toBe(IBAN);
    // The held one releases late: its older account does not come back.
    expect(run('dlq', 'requeue', '--all').code).toBe(0);
    expect(payable(db)).toBe('4500');
    expect(sellerIban(db)).toBe(IBAN);
    expectCheckPasses(db);
  });

  it("records a held pay_out's IBAN at its release when it is the newest", () => {
    const { db, run } = setup();
    const result = run(
      'payin',
      'run',
      eventsFile(
        temp.dir,
        'a.ndjson',
        checkout('chk_0', 'ord_0'),
        delivered('dlv_0', 'ord_0'),
        checkout('chk_1', 'ord_1'),
        delivered('dlv_1', 'ord_1', OTHER_IBAN),
      ),
    );
    expect(result.code).toBe(0);
    expect(payable(db)).toBe('4500');
    expect(sellerIban(db)).toBe(OTHER_IBAN);
    expectCheckPasses(db);
  });

  it('rejects a held pay_out with its reason when the order is declined', () => {
    const { db, run } = setup();
    const file = eventsFile(
      temp.dir,
      'day.ndjson',
      checkout('chk_1', 'ord_1', 'tok_chargeDeclined'),
      delivered('dlv_1', 'ord_1'),
    );
    const result = run('payin', 'run', file);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'rejected 1 held (order can no longer be captured or released)',
    );
    expect(result.stderr).toContain(
      'pay_out dlv_1 (order ord_1): held pay_out rejected: order ord_1 is failed, not captured',
    );
    const list = JSON.parse(run('release', 'list', '--all', '--json').stdout) as HeldJson;
    expect(list.payOuts).toMatchObject([
      { eventId: 'dlv_1', status: 'rejected', orderStatus: 'failed' },
    ]);
    expect(payable(db)).toBe('0');
    expectCheckPasses(db);
  });

  it('refuses a second pay_out for an order that already has one held', () => {
    const { run } = setup();
    const file = eventsFile(
      temp.dir,
      'day.ndjson',
      checkout('chk_1', 'ord_1'),
      delivered('dlv_1', 'ord_1'),
      delivered('dlv_2', 'ord_1'),
    );
    const result = run('payin', 'run', file);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'day.ndjson:3 orderId: order ord_1 already has a pay_out held until it is captured (event dlv_1)',
    );
  });
});

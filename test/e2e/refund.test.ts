import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankOperating, payoutsInTransit } from '../../src/postings/index.js';
import { REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import { type MoneyJson, flatMoney } from '../helpers/money-json.js';

const IBAN = 'DE89370400440532013000';
const checkout = (eventId: string, orderId: string, amount: string, platformFee: string) => ({
  eventId,
  type: 'pay_in',
  occurredAt: '2026-11-23T10:00:00Z',
  currency: 'USD',
  payer: { id: 'b1' },
  paymentToken: 'tok_visa',
  orders: [{ orderId, sellerId: 'seller_7', amount, platformFee }],
});
const delivered = (eventId: string, orderId: string) => ({
  eventId,
  type: 'pay_out',
  occurredAt: '2026-11-25T10:00:00Z',
  orderId,
  seller: { id: 'seller_7', name: 'Acme', account: { iban: IBAN } },
});
const refund = (eventId: string, orderId: string, amount: string) => ({
  eventId,
  type: 'refund',
  occurredAt: '2026-11-26T10:00:00Z',
  orderId,
  amount,
  reason: 'test',
});

describe('refunds (end to end)', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  let files = 0;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  const events = (...list: unknown[]) => {
    const file = path.join(dir, `events-${files++}.ndjson`);
    fs.writeFileSync(file, `${list.map((e) => JSON.stringify(e)).join('\n')}\n`);
    return run('payin', 'run', file, '--json');
  };
  const wallet = () =>
    flatMoney(
      JSON.parse(run('wallet', 'show', 'seller_7', '--json').stdout)[0],
      'pending',
      'payable',
      'paidOut',
    ) as { pending: string; payable: string; paidOut: string; negative: boolean };
  const balance = (account: string) =>
    (
      JSON.parse(run('ledger', 'balance', '--json').stdout) as {
        account: string;
        balance: MoneyJson;
      }[]
    ).find((row) => row.account === account)?.balance.amount;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    payops(['init', '--db', db]);
  });
  afterEach(() => cleanup());

  it('runs the full cycle: refund while pending, release, payout, refund after payout, recovery by the next payout', () => {
    events(checkout('chk_1', 'ord_1', '100.00', '10.00'));
    expect(JSON.parse(events(refund('rf_1', 'ord_1', '20.00')).stdout).refunds).toMatchObject({
      succeeded: 1,
      refunded: [{ currency: 'USD', amount: '20.00', amountMinor: '2000' }],
    });
    expect(wallet()).toMatchObject({ pending: '72.00', payable: '0.00' }); // 90 share − 18 (the share part of 20)
    events(delivered('d1', 'ord_1'));
    expect(wallet()).toMatchObject({ pending: '0.00', payable: '72.00' }); // only the share not refunded moves
    expect(run('payout', 'run').code).toBe(0);
    expect(wallet()).toMatchObject({ payable: '0.00', paidOut: '72.00' });

    events(refund('rf_2', 'ord_1', '30.00')); // after the seller was paid
    expect(wallet()).toMatchObject({ payable: '-27.00', paidOut: '72.00', negative: true });
    const dry = JSON.parse(run('payout', 'run', '--dry-run', '--json').stdout) as {
      planned: unknown[];
      skipped: { reason: string }[];
    };
    expect(dry.planned).toEqual([]);
    expect(dry.skipped[0]?.reason).toMatch(
      /payable is negative \(a refund or chargeback after its payout\)/,
    );

    events(checkout('chk_2', 'ord_2', '50.00', '5.00'));
    events(delivered('d2', 'ord_2'));
    expect(wallet()).toMatchObject({ payable: '18.00' }); // 45 share − 27 owed back
    run('payout', 'run');
    expect(wallet()).toMatchObject({
      pending: '0.00',
      payable: '0.00',
      paidOut: '90.00',
      negative: false,
    });
    expect(balance('revenue:platform-fees')).toBe('10.00'); // 10 + 5 − 2 − 3
    expect(balance(payoutsInTransit)).toBe('90.00'); // sent; no bank statement has shown it leave yet
    expect(balance(bankOperating)).toBeUndefined();
    const today = new Date().toISOString().slice(0, 10);
    const daily = JSON.parse(run('report', 'daily', '--date', today, '--json').stdout) as {
      currencies: unknown[];
    };
    const usd = (amount: string) => ({
      amount,
      currency: 'USD',
      amountMinor: amount.replace('.', '').replace(/^0+(?=\d)/, ''),
    });
    expect(daily.currencies).toEqual([
      {
        currency: 'USD',
        payIns: { count: 2, amount: usd('150.00') },
        refunds: { count: 2, amount: usd('50.00') },
        chargebacks: { count: 0, amount: usd('0.00'), fees: usd('0.00') },
        payouts: { count: 2, amount: usd('90.00') },
        pspFees: usd('4.95'),
        platformFees: usd('10.00'),
      },
    ]);
    expect(run('report', 'daily', '--date', '2026-13-01').code).toBe(2);
    expectCheckPasses(db);
  });

  it('never refunds more than was captured, across partial refunds', () => {
    events(checkout('chk_1', 'ord_1', '10.00', '1.00'));
    events(refund('rf_1', 'ord_1', '6.00'));
    const over = events(refund('rf_2', 'ord_1', '4.01'));
    expect(over.code).toBe(3);
    expect(over.stderr).toMatch(
      /amount: 4\.01 USD is more than is still refundable on ord_1 \(4\.00 of 10\.00\)/,
    );
    expect(events(refund('rf_3', 'ord_1', '4.00')).code).toBe(0);
    expect(events(refund('rf_4', 'ord_1', '0.01')).code).toBe(3);
    expect(balance('liabilities:sellers:seller_7:pending')).toBeUndefined(); // fully refunded: 9.00 share back
    const release = events(delivered('d1', 'ord_1'));
    expect(release.stderr).toMatch(/was refunded in full: there is nothing to release/);
    expectCheckPasses(db);
  });

  it('refuses refunds of orders that are not captured, and amounts in a wrong form', () => {
    events({ ...checkout('chk_1', 'ord_1', '10.00', '1.00'), paymentToken: 'tok_chargeDeclined' });
    expect(events(refund('rf_1', 'ord_1', '1.00')).stderr).toMatch(
      /order ord_1 is failed, not captured/,
    );
    expect(events(refund('rf_2', 'ord_404', '1.00')).stderr).toMatch(
      /order ord_404 does not exist/,
    );
    expect(events({ ...refund('rf_3', 'ord_1', '1.00'), amount: 1 }).stderr).toMatch(
      /not JSON numbers/,
    );
  });
});

describe('chargebacks (end to end)', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const run = (...args: string[]) => payops([...args, '--db', db]);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    payops(['init', '--db', db]);
  });
  afterEach(() => cleanup());

  it('books each dispute once, claws back the seller share like a refund, and keeps every invariant', () => {
    const day = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');
    run('payin', 'run', day);
    run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'deliveries.ndjson'));
    run('payout', 'run');
    const first = JSON.parse(
      run('chargebacks', 'sync', '--faults', 'dispute=0.05', '--seed', '3', '--json').stdout,
    ) as { recorded: number; unmatched: string[] };
    expect(first.recorded).toBeGreaterThan(10);
    expect(first.unmatched).toEqual([]);
    const again = JSON.parse(
      run('chargebacks', 'sync', '--faults', 'dispute=0.05', '--seed', '3', '--json').stdout,
    ) as { recorded: number; alreadyRecorded: number };
    expect(again).toMatchObject({ recorded: 0, alreadyRecorded: first.recorded });
    const list = JSON.parse(run('chargebacks', 'list', '--json').stdout) as {
      disputeFee: MoneyJson;
    }[];
    expect(list).toHaveLength(first.recorded);
    expect(
      list.every((c) => c.disputeFee.amount === (c.disputeFee.currency === 'JPY' ? '15' : '15.00')),
    ).toBe(true);
    const check = run('check', '--json');
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true });
    // Disputes of orders already paid out leave sellers owing: visible, not hidden.
    expect(
      (JSON.parse(check.stdout) as { notes: string[] }).notes.some((note) =>
        /owes .* \(a refund or chargeback after its payout\)/.test(note),
      ),
    ).toBe(true);
    expect(
      (JSON.parse(run('report', 'sellers', '--json').stdout) as { negative: boolean }[]).some(
        (seller) => seller.negative,
      ),
    ).toBe(true);
  });
});

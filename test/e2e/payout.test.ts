import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import { type MoneyJson, flatMoneyRows } from '../helpers/money-json.js';

const CHECKOUTS = [
  {
    eventId: 'chk_1',
    type: 'pay_in',
    occurredAt: '2026-11-23T10:15:00Z',
    currency: 'USD',
    payer: { id: 'buyer_42' },
    paymentToken: 'tok_visa',
    orders: [
      { orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' },
      { orderId: 'ord_2', sellerId: 'seller_9', amount: '10.00' },
    ],
  },
  {
    eventId: 'chk_2',
    type: 'pay_in',
    occurredAt: '2026-11-23T11:00:00Z',
    currency: 'USD',
    payer: { id: 'buyer_43' },
    paymentToken: 'tok_visa',
    orders: [{ orderId: 'ord_3', sellerId: 'seller_7', amount: '40.00', platformFee: '4.00' }],
  },
  {
    eventId: 'chk_3',
    type: 'pay_in',
    occurredAt: '2026-11-23T12:00:00Z',
    currency: 'EUR',
    payer: { id: 'buyer_44' },
    paymentToken: 'tok_visa',
    orders: [{ orderId: 'ord_4', sellerId: 'seller_7', amount: '8.00', platformFee: '0.80' }],
  },
  {
    eventId: 'chk_4',
    type: 'pay_in',
    occurredAt: '2026-11-23T13:00:00Z',
    currency: 'USD',
    payer: { id: 'buyer_45' },
    paymentToken: 'tok_chargeDeclined',
    orders: [{ orderId: 'ord_5', sellerId: 'seller_9', amount: '5.00' }],
  },
];
const IBAN_7 = 'DE89370400440532013000';
const IBAN_9 = 'GB82WEST12345698765432';
const delivered = (eventId: string, orderId: string, sellerId: string, iban: string) => ({
  eventId,
  type: 'pay_out',
  occurredAt: '2026-11-25T09:00:00Z',
  orderId,
  seller: { id: sellerId, name: `${sellerId} Ltd`, account: { iban } },
});

function pspPayoutRequestCounts(stateFile: string): number[] {
  const db = new Sqlite(stateFile, { readonly: true });
  const rows = db
    .prepare("SELECT count FROM sim_requests WHERE idempotency_key LIKE 'payops-po_%'")
    .all() as { count: number }[];
  db.close();
  return rows.map((row) => row.count);
}

describe('payops payout (end to end)', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  const json = <T>(result: { stdout: string }): T => JSON.parse(result.stdout) as T;
  const write = (name: string, events: unknown[]): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return file;
  };
  const balances = () =>
    Object.fromEntries(
      json<{ account: string; balance: MoneyJson }[]>(run('ledger', 'balance', '--json')).map(
        (row) => [`${row.account} ${row.balance.currency}`, row.balance.amount],
      ),
    );

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(run('payin', 'run', write('checkouts.ndjson', CHECKOUTS)).code).toBe(0);
  });
  afterEach(() => cleanup());

  it('releases delivered orders and pays each seller once for everything payable, with exact balances', () => {
    const deliveries = write('deliveries.ndjson', [
      delivered('d1', 'ord_1', 'seller_7', IBAN_7),
      delivered('d3', 'ord_3', 'seller_7', IBAN_7),
      delivered('d4', 'ord_4', 'seller_7', IBAN_7),
      delivered('d2', 'ord_2', 'seller_9', IBAN_9),
    ]);
    const released = json<{ events: { accepted: number; releases: number } }>(
      run('payin', 'run', deliveries, '--json'),
    );
    expect(released.events).toMatchObject({ accepted: 4, releases: 4 });
    expect(balances()).toMatchObject({
      'liabilities:sellers:seller_7:payable USD': '58.50',
      'liabilities:sellers:seller_7:payable EUR': '7.20',
      'liabilities:sellers:seller_9:payable USD': '10.00',
    });
    expect(balances()['liabilities:sellers:seller_7:pending USD']).toBeUndefined();

    const payout = run('payout', 'run', '--json');
    expect(payout.code).toBe(0);
    const result = json<{
      payoutIds: string[];
      execution: { succeeded: number; paid: MoneyJson[] };
    }>(payout);
    expect(result.payoutIds).toHaveLength(3); // seller_7 USD, seller_7 EUR, seller_9 USD: one each
    expect(result.execution.paid).toEqual([
      { amount: '7.20', currency: 'EUR', amountMinor: '720' },
      { amount: '68.50', currency: 'USD', amountMinor: '6850' },
    ]);
    // Sent, not yet seen leaving on a bank statement: in transit, the operating account untouched.
    expect(balances()).toMatchObject({
      'liabilities:payouts:in-transit USD': '68.50',
      'liabilities:payouts:in-transit EUR': '7.20',
    });
    expect(Object.keys(balances()).filter((key) => key.startsWith('assets:bank:'))).toEqual([]);
    expect(Object.keys(balances()).filter((key) => key.includes(':payable'))).toEqual([]);

    const sellers = json<
      {
        sellerId: string;
        currency: string;
        pending: { amount: string };
        payable: { amount: string };
        paidOut: { amount: string };
        account: string;
      }[]
    >(run('report', 'sellers', '--json')).map((seller) => ({
      ...seller,
      pending: seller.pending.amount,
      payable: seller.payable.amount,
      paidOut: seller.paidOut.amount,
    }));
    expect(sellers).toEqual([
      expect.objectContaining({
        sellerId: 'seller_7',
        currency: 'EUR',
        pending: '0.00',
        payable: '0.00',
        paidOut: '7.20',
        account: 'DE•• •••• 3000',
      }),
      expect.objectContaining({
        sellerId: 'seller_7',
        currency: 'USD',
        pending: '0.00',
        payable: '0.00',
        paidOut: '58.50',
      }),
      expect.objectContaining({
        sellerId: 'seller_9',
        currency: 'USD',
        pending: '0.00',
        payable: '0.00',
        paidOut: '10.00',
        account: 'GB•• •••• 5432',
      }),
    ]);
    expect(run('report', 'sellers').stdout).not.toContain(IBAN_7);
    expect(run('payout', 'list').stdout).not.toContain(IBAN_7);

    expect(json<{ payoutIds: string[] }>(run('payout', 'run', '--json')).payoutIds).toEqual([]); // nothing left to pay
    expectCheckPasses(db);
  });

  it('a list that matches nothing names the filter that matched nothing', () => {
    expect(run('payout', 'list').stdout).toBe('no payouts\n');
    expect(run('payout', 'list', '--seller', 'seller_404').stdout).toBe(
      'no payouts for --seller seller_404\n',
    );
    expect(run('payout', 'list', '--status', 'succeeded').stdout).toBe(
      'no payouts with --status succeeded\n',
    );
    expect(run('payout', 'list', '--seller', 'seller_7', '--status', 'failed').stdout).toBe(
      'no payouts for --seller seller_7 with --status failed\n',
    );
  });

  it('refuses a release for an order that is not captured, already released, of another seller, or unknown', () => {
    run('payin', 'run', write('first.ndjson', [delivered('d1', 'ord_1', 'seller_7', IBAN_7)]));
    const bad = write('bad.ndjson', [
      delivered('d5', 'ord_5', 'seller_9', IBAN_9),
      delivered('d1-again', 'ord_1', 'seller_7', IBAN_7),
      delivered('d2-wrong', 'ord_2', 'seller_7', IBAN_7),
      delivered('d9', 'ord_404', 'seller_7', IBAN_7),
      { ...delivered('d3', 'ord_3', 'seller_7', 'DE89370400440532013001') },
    ]);
    const result = run('payin', 'run', bad);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${bad}:1 orderId: order ord_5 is failed, not captured`);
    expect(result.stderr).toContain(
      `${bad}:2 orderId: order ord_1 was already released by event d1`,
    );
    expect(result.stderr).toContain(
      `${bad}:3 seller.id: order ord_2 belongs to seller seller_9, not seller_7`,
    );
    expect(result.stderr).toContain(`${bad}:4 orderId: order ord_404 does not exist`);
    expect(result.stderr).toContain(`${bad}:5 seller.account.iban: is not a valid IBAN`);
    expect(balances()['liabilities:sellers:seller_7:payable USD']).toBe('22.50');
  });

  it('shows what would be paid with --dry-run and changes nothing; filters by seller, currency and minimum', () => {
    run(
      'payin',
      'run',
      write('d.ndjson', [
        delivered('d1', 'ord_1', 'seller_7', IBAN_7),
        delivered('d4', 'ord_4', 'seller_7', IBAN_7),
        delivered('d2', 'ord_2', 'seller_9', IBAN_9),
      ]),
    );
    const before = balances();
    const dry = json<{ dryRun: boolean; planned: Record<string, unknown>[] }>(
      run('payout', 'run', '--dry-run', '--json'),
    );
    expect({ ...dry, planned: flatMoneyRows(dry.planned, 'amount') }).toMatchObject({
      dryRun: true,
      planned: [
        { sellerId: 'seller_7', currency: 'EUR', amount: '7.20' },
        { sellerId: 'seller_7', currency: 'USD', amount: '22.50' },
        { sellerId: 'seller_9', currency: 'USD', amount: '10.00' },
      ],
    });
    expect(balances()).toEqual(before);
    expect(json<unknown[]>(run('payout', 'list', '--json'))).toEqual([]);

    const filtered = json<{
      planned: Record<string, unknown>[];
      skipped: { sellerId: string; reason: string }[];
    }>(run('payout', 'run', '--currency', 'USD', '--min-amount', '15', '--dry-run', '--json'));
    expect(flatMoneyRows(filtered.planned, 'amount')).toEqual([
      { sellerId: 'seller_7', currency: 'USD', amount: '22.50' },
    ]);
    expect(filtered.skipped).toEqual([
      expect.objectContaining({ sellerId: 'seller_9', reason: 'below --min-amount 15' }),
    ]);
    expect(
      flatMoneyRows(
        json<{ planned: Record<string, unknown>[] }>(
          run('payout', 'run', '--seller', 'seller_9', '--dry-run', '--json'),
        ).planned,
        'amount',
      ),
    ).toEqual([{ sellerId: 'seller_9', currency: 'USD', amount: '10.00' }]);
    expect(run('payout', 'run', '--currency', 'USD', '--min-amount', '1.005').code).toBe(2);
    // Without --currency one minimum meets every wallet, each compared exactly in its own currency.
    expect(
      flatMoneyRows(
        json<{ planned: Record<string, unknown>[] }>(
          run('payout', 'run', '--min-amount', '10.001', '--dry-run', '--json'),
        ).planned,
        'amount',
      ),
    ).toEqual([{ sellerId: 'seller_7', currency: 'USD', amount: '22.50' }]);
  });

  it.each(
    ['payout.after-claim', 'payout.after-psp-call', 'payout.before-record-commit'].flatMap(
      (point) => [1, 3, 6].map((hit) => [point, hit] as const),
    ),
  )(
    'pays nobody twice when killed with SIGKILL at %s (batch %i), then resumed',
    async (point, hit) => {
      run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson'));
      run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'deliveries.ndjson'));
      const killed = payops(
        ['payout', 'run', '--db', db, '--batch-size', '5', '--lease-ms', '100'],
        { env: { PAYOPS_FAILPOINTS: `${point}=${hit}` } },
      );
      expect(killed.code).toBe(-1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const resumed = run('payout', 'run', '--json');
      expect(resumed.code).toBe(0);
      expect(json<{ payoutIds: string[] }>(resumed).payoutIds).toEqual([]); // the crashed run's payouts were resumed, not re-created
      const counts = pspPayoutRequestCounts(path.join(dir, 'books.psp-sim.db'));
      expect(counts.length).toBeGreaterThan(20);
      expect(counts.every((count) => count <= 2)).toBe(true); // at most the crashed attempt and its retry, same key
      expect(Object.keys(balances()).filter((key) => key.includes(':payable'))).toEqual([]);
      expectCheckPasses(db);
    },
  );

  it('retries payouts through faults, dead-letters the ones that keep failing, and a requeue sends them', () => {
    run(
      'payin',
      'run',
      write('d.ndjson', [
        delivered('d1', 'ord_1', 'seller_7', IBAN_7),
        delivered('d2', 'ord_2', 'seller_9', IBAN_9),
      ]),
    );
    const failing = run(
      'payout',
      'run',
      '--faults',
      '5xx=1',
      '--max-attempts',
      '2',
      '--retry-base-ms',
      '1',
      '--wait',
    );
    expect(failing.code).toBe(6);
    const dead = json<{ kind: string; id: string }[]>(run('dlq', 'list', '--json'));
    expect(dead.map((letter) => letter.kind)).toEqual(['payout', 'payout']);
    expect(
      json<{ payoutIds: string[]; skipped: { reason: string }[] }>(
        run('payout', 'run', '--dry-run', '--json'),
      ).skipped[0]?.reason,
    ).toMatch(/is still open/);
    const requeued = run('dlq', 'requeue', ...dead.map((letter) => letter.id));
    expect(requeued.stdout).toMatch(/requeued 2 payouts: sent 2/);
    expect(json<unknown[]>(run('dlq', 'list', '--json'))).toEqual([]);
    expectCheckPasses(db);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import {
  MOCK_KEY,
  type MockCharge,
  type StripeMock,
  startStripeMock,
} from '../helpers/stripe-mock.js';

const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');
const REFUNDS = path.join(REPO_ROOT, 'fixtures', 'events', 'refunds.ndjson');
const DELIVERIES = path.join(REPO_ROOT, 'fixtures', 'events', 'deliveries.ndjson');
const DAY_ORDERS = 597;

interface Order {
  orderId: string;
  status: string;
  amount: string;
  currency: string;
  pspReference: string | null;
}

/**
 * `--psp stripe` through the real binary against stripe-stateful-mock. One mock serves the whole
 * file and remembers every key, so each test gives the fixtures' ids its own prefix (`renamed`)
 * and reads back only the mock's charges for its own orders.
 */
describe('payops with --psp stripe (end to end, stripe-stateful-mock on loopback)', () => {
  let mock: StripeMock;
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const stripeEnv = { STRIPE_API_KEY: MOCK_KEY };
  const run = (...args: string[]) => payops([...args, '--db', db], { env: stripeEnv });
  const stripe = (...args: string[]) => run(...args, '--psp', 'stripe', '--psp-url', mock.url);
  const json = <T>(result: { stdout: string }): T => JSON.parse(result.stdout) as T;
  const orders = () => json<Order[]>(run('orders', 'list', '--json'));
  const copy = (source: string): string => {
    const target = path.join(dir, path.basename(source));
    fs.copyFileSync(source, target);
    return target;
  };
  /** The mock's charges for this database's orders, by order id: the PSP's own record. */
  const chargesByOrder = async (
    ofOrders: Order[] = orders(),
  ): Promise<Map<string, MockCharge[]>> => {
    const mine = new Set(ofOrders.map((order) => order.orderId));
    const byOrder = new Map<string, MockCharge[]>();
    for (const charge of await mock.charges()) {
      const orderId = charge.metadata.payops_order_id;
      if (orderId === undefined || !mine.has(orderId)) continue;
      byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), charge]);
    }
    return byOrder;
  };
  /** Each order charged at Stripe exactly once, and booked with that very charge. */
  const expectOneChargePerOrder = async (all: Order[] = orders()) => {
    const byOrder = await chargesByOrder(all);
    expect(all).toHaveLength(DAY_ORDERS);
    for (const order of all) {
      const charges = byOrder.get(order.orderId) ?? [];
      expect(charges, order.orderId).toHaveLength(1);
      expect(order.pspReference).toBe(charges[0]?.id);
      expect(order.status).toBe(charges[0]?.status === 'succeeded' ? 'succeeded' : 'failed');
    }
  };

  beforeAll(async () => {
    mock = await startStripeMock();
  });
  afterAll(async () => {
    await mock?.stop();
  });
  let generation = 0;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    generation++;
  });
  afterEach(() => cleanup());

  /** The test's own name for a fixture id: `ord_00000003` → `ord_4x00000003`. */
  const id = (fixtureId: string) => fixtureId.replace(/_(\d+)$/, `_${generation}x$1`);
  /** A copy of a fixture with this test's ids. */
  const renamed = (source: string): string => {
    const target = path.join(dir, path.basename(source));
    fs.writeFileSync(
      target,
      fs
        .readFileSync(source, 'utf8')
        .replace(/"((?:chk|ord|rf)_\d+)"/g, (_, fixtureId: string) => `"${id(fixtureId)}"`),
    );
    return target;
  };

  it('charges a day of checkouts once each, books them, and `payops check` passes', async () => {
    const input = renamed(DAY);
    const result = stripe('payin', 'run', input, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = json<{ orders: { accepted: number; succeeded: number; failed: number } }>(
      result,
    );
    expect(summary.orders).toMatchObject({ accepted: DAY_ORDERS });
    expect(summary.orders.succeeded + summary.orders.failed).toBe(DAY_ORDERS);
    expect(summary.orders.failed).toBeGreaterThan(0); // the fixture's tok_chargeDeclined checkouts
    await expectOneChargePerOrder();
    expect(
      orders()
        .filter((order) => order.status === 'failed')
        .every((order) => order.pspReference?.startsWith('ch_')),
    ).toBe(true);
    expect(
      json<{ account: string }[]>(run('ledger', 'balance', '--json')).some(
        (row) => row.account === 'assets:psp:stripe:receivable',
      ),
    ).toBe(true);
    expectCheckPasses(db);
    // The same file again: all duplicates, and Stripe is asked for nothing new.
    const again = json<{ events: { duplicates: number }; orders: { succeeded: number } }>(
      stripe('payin', 'run', input, '--json'),
    );
    expect(again.events.duplicates).toBe(300);
    await expectOneChargePerOrder();
  });

  it.each([
    ['executor.after-psp-call', 2],
    ['executor.before-record-commit', 3],
  ])(
    'after a crash at %s (batch %i), the next run gets the original charges back, not second ones',
    async (point, hit) => {
      const input = renamed(DAY);
      const killed = payops(
        [
          'payin',
          'run',
          input,
          '--db',
          db,
          '--psp',
          'stripe',
          '--psp-url',
          mock.url,
          '--batch-size',
          '100',
          '--lease-ms',
          '100',
        ],
        {
          env: { ...stripeEnv, PAYOPS_FAILPOINTS: `${point}=${hit}` },
        },
      );
      expect(killed.code).toBe(-1); // killed by SIGKILL
      const before = orders();
      const stranded = before.filter((order) => order.status === 'executing');
      expect(stranded).toHaveLength(100); // charged at Stripe, not recorded by payops
      const chargedBeforeCrash = await chargesByOrder(before);
      for (const order of stranded) expect(chargedBeforeCrash.get(order.orderId)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 150)); // the dead process's leases run out
      const resumed = stripe('payin', 'run', input, '--json');
      expect(resumed.code).toBe(0);
      const after = orders();
      await expectOneChargePerOrder(after);
      for (const order of stranded)
        expect(after.find((o) => o.orderId === order.orderId)?.pspReference).toBe(
          chargedBeforeCrash.get(order.orderId)?.[0]?.id,
        );
      expectCheckPasses(db);
    },
  );

  it('refunds through Stripe, in part and in full, and refuses more than the capture', async () => {
    expect(stripe('payin', 'run', renamed(DAY)).code).toBe(0);
    const refunds = stripe('payin', 'run', renamed(REFUNDS), '--json');
    expect(refunds.code).toBe(3); // rf_0003 asks for more than was captured: rejected at intake
    expect(json<{ refunds: { succeeded: number } }>(refunds).refunds.succeeded).toBe(2);
    const byOrder = await chargesByOrder();
    expect(byOrder.get(id('ord_00000003'))?.[0]?.amount_refunded).toBe(2000);
    expect(byOrder.get(id('ord_00000004'))?.[0]?.amount_refunded).toBe(500);
    expectCheckPasses(db);
  });

  it('refuses `payout run --psp stripe` at the start and claims nothing', () => {
    expect(stripe('payin', 'run', renamed(DAY)).code).toBe(0);
    const released = stripe('payin', 'run', renamed(DELIVERIES), '--json');
    expect(released.code).toBe(3); // the fixture also delivers the declined orders: refused
    expect(json<{ events: { releases: number } }>(released).events.releases).toBe(295);
    for (const extra of [[], ['--dry-run']]) {
      const refused = stripe('payout', 'run', ...extra);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'payops: payout run: payops does not send payouts through --psp stripe; nothing was claimed (run payouts with a PSP that sends bank transfers from the operating account (--psp sim or http); a PSP paying sellers from its own balance is not supported)\n',
      );
    }
    expect(run('payout', 'list').stdout).toBe('no payouts\n');
    expectCheckPasses(db);
  });

  it("says what to set when STRIPE_API_KEY is missing, and refuses the simulator's flags", () => {
    const input = copy(DAY);
    const missing = payops(
      ['payin', 'run', input, '--db', db, '--psp', 'stripe', '--psp-url', mock.url],
      { env: { STRIPE_API_KEY: '' } },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^payops: --psp stripe needs a Stripe secret key, and STRIPE_API_KEY is not set \(export STRIPE_API_KEY=/,
    );
    const faults = stripe('payin', 'run', input, '--faults', 'timeout=0.1');
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/--faults: only for the simulated PSP/);
    expect(orders()).toEqual([]); // refused before anything was read
  });

  it('never writes the key to the output, the errors or the database', async () => {
    const canary = 'sk_test_canary0key0never0stored';
    const good = payops(
      [
        'payin',
        'run',
        renamed(DAY),
        '--db',
        db,
        '--psp',
        'stripe',
        '--psp-url',
        mock.url,
        '--verbose',
      ],
      { env: { STRIPE_API_KEY: canary } },
    );
    expect(good.code).toBe(0);
    // A key Stripe rejects stops the command with a usage error that does not repeat it.
    const more = path.join(dir, 'more.ndjson');
    fs.writeFileSync(
      more,
      `${JSON.stringify({ eventId: id('chk_1000'), type: 'pay_in', occurredAt: '2026-11-24T10:00:00Z', currency: 'USD', payer: { id: 'buyer_1' }, paymentToken: 'tok_visa', orders: [{ orderId: id('ord_1000'), sellerId: 'seller_1', amount: '10.00' }] })}\n`,
    );
    const rejected = payops(
      ['payin', 'run', more, '--db', db, '--psp', 'stripe', '--psp-url', mock.url],
      { env: { STRIPE_API_KEY: 'rk_test_canary0key0never0stored' } },
    );
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/^payops: Stripe rejected the API key in STRIPE_API_KEY/);
    for (const text of [good.stdout, good.stderr, rejected.stdout, rejected.stderr])
      expect(text).not.toContain('canary0key');
    for (const file of fs.readdirSync(dir))
      expect(fs.readFileSync(path.join(dir, file)).includes('canary0key'), file).toBe(false);
  });
});

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/psp/webhooks/signature.js';
import { BIN, REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import {
  type RunningServer,
  httpRequest,
  startServer,
  stopAllServers,
} from '../helpers/servers.js';

const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');
const SECRET = 'whsec_e2e_0123456789abcdef';
const FAST_RETRIES = ['--retry-base-ms', '10', '--retry-cap-ms', '100', '--max-attempts', '40'];
// Runs of hundreds of orders through two processes: room for a loaded 2-core machine.
const SLOW_TEST_MS = 180_000;

interface StateCounts {
  charges: number;
  chargedOrders: number;
  storedChargeResponses: number;
  liveChargesPerOrder: number;
}

/** What the PSP server's own state file says (read-only, while it may still run). */
function pspState(file: string): StateCounts {
  const state = new Sqlite(file, { readonly: true });
  try {
    const one = <T>(sql: string) => state.prepare(sql).get() as T;
    return {
      charges: one<{ n: number }>('SELECT COUNT(*) AS n FROM sim_charges').n,
      chargedOrders: one<{ n: number }>(
        'SELECT COUNT(DISTINCT merchant_reference) AS n FROM sim_charges',
      ).n,
      storedChargeResponses: one<{ n: number }>(
        "SELECT COUNT(*) AS n FROM sim_idempotency WHERE operation = 'charge'",
      ).n,
      liveChargesPerOrder:
        one<{ n: number | null }>(
          "SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM sim_charges WHERE status IN ('succeeded', 'pending') GROUP BY merchant_reference)",
        ).n ?? 0,
    };
  } finally {
    state.close();
  }
}

const post = (url: string, body: string, headers: Record<string, string>) =>
  httpRequest(url, { body, headers });

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the PSP over HTTP (end to end, real sockets, the real binary)', () => {
  let dir: string;
  let db: string;
  let state: string;
  let cleanup: () => void;
  const run = (...args: string[]) =>
    payops([...args, '--db', db], { env: { PAYOPS_WEBHOOK_SECRET: SECRET } });
  const json = <T>(result: { stdout: string }): T => JSON.parse(result.stdout) as T;
  const viaHttp = (server: RunningServer, ...extra: string[]) => [
    '--psp',
    'http',
    '--psp-url',
    server.url,
    ...extra,
  ];
  const serve = (...args: string[]) =>
    startServer(['psp', 'serve', '--state', state, ...args], { PAYOPS_WEBHOOK_SECRET: SECRET });
  const queue = (): Record<string, number> => {
    const counts: Record<string, number> = {
      created: 0,
      executing: 0,
      succeeded: 0,
      pending: 0,
      failed: 0,
      retry_scheduled: 0,
      dead_lettered: 0,
    };
    for (const order of json<{ status: string }[]>(run('orders', 'list', '--json')))
      counts[order.status] = (counts[order.status] ?? 0) + 1;
    return counts;
  };
  const expectCheckPassesAtThePsp = () =>
    expect(expectCheckPasses(db, ['--psp', 'http', '--psp-state', state])).toContain(
      'every order charged at most once at the PSP (http)',
    );

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-http-e2e-'));
    db = path.join(dir, 'books.db');
    state = path.join(dir, 'psp.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
  });
  afterEach(async () => {
    await stopAllServers();
    cleanup();
  });

  it(
    'charges a day through every wire fault; retries finish it; the server charged each order at most once and remembered every key',
    async () => {
      const server = await serve(
        '--seed',
        '5',
        '--faults',
        'timeout=0.03,5xx=0.03,429=0.02,reset=0.03,lost=0.04,decline=0.02,pending=0.05',
        '--slow-ms',
        '400',
        '--settle-after-ms',
        '200',
      );
      const flags = viaHttp(
        server,
        '--psp-timeout-ms',
        '250',
        '--concurrency',
        '8',
        ...FAST_RETRIES,
      );
      const first = run('payin', 'run', DAY, ...flags, '--json');
      expect([0, 6]).toContain(first.code);
      const summary = json<{
        orders: { accepted: number; retryScheduled: number };
        psp: { calls: number; p50Ms: number; p99Ms: number };
      }>(first);
      expect(summary.orders.accepted).toBe(597);
      expect(summary.orders.retryScheduled).toBeGreaterThan(0);
      expect(summary.psp.calls).toBeGreaterThanOrEqual(597);
      const drained = run('retry', 'run', '--wait', ...flags, '--json');
      expect(drained.stderr).toBe('');
      expect(drained.code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(run('orders', 'sync', ...flags).code).toBe(0);
      expect(queue()).toMatchObject({
        created: 0,
        executing: 0,
        pending: 0,
        retry_scheduled: 0,
        dead_lettered: 0,
      });
      // The same file again: nothing new is charged.
      const again = json<{ orders: { attempted: number } }>(
        run('payin', 'run', DAY, ...flags, '--json'),
      );
      expect(again.orders.attempted).toBe(0);
      expectCheckPassesAtThePsp();
      expect(await server.stop()).toBe(0);
      const counts = pspState(state);
      expect(counts.liveChargesPerOrder).toBe(1);
      expect(counts.chargedOrders).toBe(597);
      expect(counts.charges).toBe(597);
      expect(counts.storedChargeResponses).toBe(counts.charges);
      expect(server.stderr()).toMatch(/SIGTERM: finishing queued requests/);
    },
    SLOW_TEST_MS,
  );

  it(
    'runs refunds, payouts and chargebacks through the server too, each sent once',
    async () => {
      const server = await serve('--seed', '4', '--faults', '5xx=0.05,lost=0.05,dispute=0.02');
      const flags = viaHttp(server, ...FAST_RETRIES);
      const events = (name: string) => path.join(REPO_ROOT, 'fixtures', 'events', name);
      const rejects = (name: string) => ['--rejects', path.join(dir, `${name}.rejects.ndjson`)];
      expect([0, 6]).toContain(run('payin', 'run', DAY, ...flags).code);
      expect(run('retry', 'run', '--wait', ...flags).code).toBe(0);
      expect(
        run('payin', 'run', events('deliveries.ndjson'), ...flags, ...rejects('deliveries')).code,
      ).toBe(3); // deliveries of declined orders
      const paid = json<{ execution: { succeeded: number } }>(
        run('payout', 'run', '--wait', ...flags, '--json'),
      );
      expect(paid.execution.succeeded).toBeGreaterThan(0);
      const refunded = json<{ refunds: { succeeded: number } }>(
        run('payin', 'run', events('refunds.ndjson'), ...flags, ...rejects('refunds'), '--json'),
      );
      expect(refunded.refunds.succeeded).toBeGreaterThan(0);
      const disputes = run(
        'chargebacks',
        'sync',
        '--psp',
        'http',
        '--psp-url',
        server.url,
        '--json',
      );
      expect(disputes.code).toBe(0);
      expect(json<{ recorded: number }>(disputes).recorded).toBeGreaterThan(0);
      expect(
        json<{ recorded: number; alreadyRecorded: number }>(
          run('chargebacks', 'sync', '--psp', 'http', '--psp-url', server.url, '--json'),
        ),
      ).toMatchObject({ recorded: 0 });
      expectCheckPassesAtThePsp();
      expect(run('check', '--psp', 'http', '--psp-state', state).stdout).toMatch(
        /ok {4}every payout sent at most once at the PSP \(http\) \((\d+) payouts against \1 PSP transfers\)/,
      );
    },
    SLOW_TEST_MS,
  );

  it(
    'loses nothing when the server is killed with SIGKILL mid-batch and restarted on the same state',
    async () => {
      const events = path.join(dir, 'events.ndjson');
      const generated = spawnSync(
        process.execPath,
        [
          path.join(REPO_ROOT, 'scripts', 'generate-events.mjs'),
          '--events',
          '3000',
          '--max-orders',
          '1',
          '--sellers',
          '50',
          '--seed',
          '3',
          '--out',
          events,
        ],
        { encoding: 'utf8' },
      );
      expect(generated.status).toBe(0);
      const first = await serve();
      const port = String(first.port);
      const payin = spawn(
        process.execPath,
        [
          BIN,
          'payin',
          'run',
          events,
          '--db',
          db,
          ...viaHttp(first, '--psp-timeout-ms', '500', '--concurrency', '8', ...FAST_RETRIES),
          '--json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
      );
      const payinDone = new Promise<number | null>((resolve) =>
        payin.once('exit', (code) => resolve(code)),
      );
      payin.stdout.resume();
      payin.stderr.resume();
      try {
        await until(
          () => fs.existsSync(state) && pspState(state).charges >= 200,
          60_000,
          'the server to charge 200 orders',
        );
        await first.stop('SIGKILL');
        const atKill = pspState(state);
        // Every charge the killed server committed has its stored response: none without its key.
        expect(atKill.storedChargeResponses).toBe(atKill.charges);
        expect(atKill.charges).toBeLessThan(3000);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const second = await serve('--port', port);
        expect(second.url).toBe(first.url);
        expect([0, 6]).toContain(await payinDone);
        expect(
          run('retry', 'run', '--wait', ...viaHttp(second, '--concurrency', '8', ...FAST_RETRIES))
            .code,
        ).toBe(0);
        const after = queue();
        expect(after).toMatchObject({
          created: 0,
          executing: 0,
          pending: 0,
          retry_scheduled: 0,
          dead_lettered: 0,
        });
        expect((after.succeeded ?? 0) + (after.failed ?? 0)).toBe(3000); // the generator sends some declining tokens
        expectCheckPassesAtThePsp();
        const counts = pspState(state);
        expect(counts).toMatchObject({
          charges: 3000,
          chargedOrders: 3000,
          liveChargesPerOrder: 1,
          storedChargeResponses: 3000,
        });
      } finally {
        payin.kill('SIGKILL');
      }
    },
    SLOW_TEST_MS,
  );

  it('refuses junk requests that `psp settle` could not write, so the day still settles (issue 14 item 10)', async () => {
    const server = await serve();
    const good = {
      merchantReference: 'ord_junk',
      amountMinor: '2500',
      currency: 'USD',
      paymentToken: 'tok_visa',
    };
    const headers = (key: string, extra: Record<string, string> = {}) => ({
      'idempotency-key': key,
      ...extra,
    });
    const junk = [
      post(
        `${server.url}/v1/charges`,
        JSON.stringify({ ...good, merchantReference: 'ord_\u0007bell' }),
        headers('j1'),
      ),
      post(
        `${server.url}/v1/charges`,
        JSON.stringify({ ...good, merchantReference: '=cmd()' }),
        headers('j2'),
      ),
      httpRequest(`${server.url}/v1/charges`, {
        body: Buffer.concat([
          Buffer.from('{"merchantReference":"ord_'),
          Buffer.from([0xff]),
          Buffer.from('","amountMinor":"2500","currency":"USD","paymentToken":"tok_visa"}'),
        ]),
        headers: headers('j3'),
      }),
      post(`${server.url}/v1/charges`, JSON.stringify({ ...good, extra: '1' }), headers('j4')),
      post(
        `${server.url}/v1/charges`,
        JSON.stringify(good),
        headers('j5', { 'content-type': 'text/plain' }),
      ),
      post(
        `${server.url}/v1/charges`,
        JSON.stringify(good),
        headers('j6', { host: `rebound.example:${server.port}` }),
      ),
    ];
    const answers = await Promise.all(junk);
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 415, 421]);
    const events = path.join(dir, 'one.ndjson');
    fs.writeFileSync(
      events,
      `${JSON.stringify({ eventId: 'chk_one', type: 'pay_in', occurredAt: '2026-11-23T10:00:00Z', currency: 'USD', payer: { id: 'b1' }, paymentToken: 'tok_visa', orders: [{ orderId: 'ord_one', sellerId: 'seller_1', amount: '25.00' }] })}\n`,
    );
    expect(run('payin', 'run', events, ...viaHttp(server)).code).toBe(0);
    expect(pspState(state)).toMatchObject({ charges: 1, chargedOrders: 1 });
    const state_ = new Sqlite(state, { readonly: true });
    const day = (
      state_.prepare('SELECT created_at FROM sim_charges').get() as { created_at: string }
    ).created_at.slice(0, 10);
    state_.close();
    const file = path.join(dir, 'settlement.csv');
    const settled = run('psp', 'settle', '--date', day, '--psp-state', state, '--out', file);
    expect(settled.stderr).toBe('');
    expect(settled.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^capture,ch_sim_00000001,ord_one,/m);
  });

  it('dead-letters, loudly, a charge whose key the PSP saw with other parameters: never a decline', async () => {
    const server = await serve();
    const write = (name: string, amount: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(
        file,
        `${JSON.stringify({ eventId: `chk_${name}`, type: 'pay_in', occurredAt: '2026-11-23T10:00:00Z', currency: 'USD', payer: { id: 'b1' }, paymentToken: 'tok_visa', orders: [{ orderId: 'ord_shared', sellerId: 'seller_1', amount }] })}\n`,
      );
      return file;
    };
    expect(run('payin', 'run', write('a.ndjson', '10.00'), ...viaHttp(server)).code).toBe(0);
    // A second book charging the same order id (hence the same key) for another amount.
    const other = path.join(dir, 'other.db');
    payops(['init', '--db', other]);
    const reused = payops([
      'payin',
      'run',
      write('b.ndjson', '12.00'),
      ...viaHttp(server),
      '--db',
      other,
      '--json',
    ]);
    expect(reused.code).toBe(5);
    expect(reused.stderr).toMatch(
      /^payops: invariant broken: the PSP rejected the charge of ord_shared \(key payops-ord_shared-charge\): idempotency_key_reused/m,
    );
    expect(
      json<{ orders: { failed: number; deadLettered: number; rejected: number } }>(reused).orders,
    ).toMatchObject({ failed: 0, deadLettered: 1, rejected: 1 });
    expect(
      json<{ status: string }>(payops(['orders', 'show', 'ord_shared', '--db', other, '--json']))
        .status,
    ).toBe('dead_lettered');
    await server.stop();
    expect(pspState(state)).toMatchObject({ charges: 1, storedChargeResponses: 1 });
  });

  describe('webhooks', () => {
    it(
      'settles pending orders from duplicated and reordered signed events, each applied once; the record replays to nothing new',
      async () => {
        const record = path.join(dir, 'deliveries.ndjson');
        const listener = await startServer(
          ['webhooks', 'listen', '--db', db, '--record', record, '--json'],
          { PAYOPS_WEBHOOK_SECRET: SECRET },
        );
        const server = await serve(
          '--seed',
          '9',
          '--faults',
          'pending=0.3,decline=0.02,dispute=0.03,webhook-duplicate=0.3,webhook-delay=0.3,5xx=0.02',
          '--settle-after-ms',
          '300',
          '--webhook-url',
          listener.url,
        );
        const flags = viaHttp(server, ...FAST_RETRIES);
        expect([0, 6]).toContain(run('payin', 'run', DAY, ...flags).code);
        expect(run('retry', 'run', '--wait', ...flags).code).toBe(0);
        // No `orders sync`, no `chargebacks sync`: the webhooks alone settle every pending order and book every dispute.
        const disputesAtPsp = () => {
          const psp = new Sqlite(state, { readonly: true });
          try {
            return (psp.prepare('SELECT COUNT(*) AS n FROM sim_disputes').get() as { n: number }).n;
          } finally {
            psp.close();
          }
        };
        const chargebacksBooked = () =>
          json<unknown[]>(run('chargebacks', 'list', '--json')).length;
        await until(() => queue().pending === 0, 45_000, 'webhooks to settle every pending order');
        await until(
          () => disputesAtPsp() > 0 && chargebacksBooked() === disputesAtPsp(),
          45_000,
          'webhooks to book every dispute',
        );
        expect(
          json<{ recorded: number; alreadyRecorded: number }>(
            run('chargebacks', 'sync', '--psp', 'http', '--psp-url', server.url, '--json'),
          ),
        ).toMatchObject({ recorded: 0, alreadyRecorded: disputesAtPsp() });
        const books = new Sqlite(db, { readonly: true });
        const outcomes = Object.fromEntries(
          (
            books
              .prepare(
                "SELECT outcome, COUNT(*) AS n FROM webhook_events WHERE type LIKE 'charge.%' GROUP BY outcome",
              )
              .all() as { outcome: string; n: number }[]
          ).map((row) => [row.outcome, row.n]),
        );
        const disputesApplied = (
          books
            .prepare(
              "SELECT COUNT(*) AS n FROM webhook_events WHERE type = 'dispute.created' AND outcome = 'applied'",
            )
            .get() as { n: number }
        ).n;
        expect(disputesApplied).toBe(disputesAtPsp());
        const pendingThenSettled = (
          books
            .prepare(
              "SELECT COUNT(DISTINCT order_id) AS n FROM order_transitions WHERE from_status = 'pending'",
            )
            .get() as { n: number }
        ).n;
        books.close();
        expect(outcomes.applied).toBe(pendingThenSettled);
        expect(outcomes.applied).toBeGreaterThan(50);
        expectCheckPassesAtThePsp();
        expect(await server.stop()).toBe(0);
        expect(await listener.stop()).toBe(0);
        expect(listener.stderr()).toMatch(/: duplicate \(event evt_/);
        expect(listener.stderr()).toMatch(/charge\.succeeded: retry_later/);
        // Replaying everything that was received changes nothing: every event is already remembered.
        const replayed = run('webhooks', 'replay', record, '--json');
        expect(replayed.code).toBe(0);
        const summary = json<{
          outcomes: { outcome: string; count: number }[];
          rejected: unknown[];
        }>(replayed);
        expect(summary.outcomes.map((entry) => entry.outcome)).toEqual(['duplicate']);
        expect(summary.rejected).toEqual([]);
      },
      SLOW_TEST_MS,
    );

    it('rejects forged, stale and oversized deliveries with 400/413 and records nothing; a replayed delivery changes nothing', async () => {
      const record = path.join(dir, 'deliveries.ndjson');
      const listener = await startServer(
        ['webhooks', 'listen', '--db', db, '--record', record, '--max-body-bytes', '2048'],
        { PAYOPS_WEBHOOK_SECRET: SECRET },
      );
      const body = JSON.stringify({
        id: 'evt_e2e_1',
        type: 'charge.succeeded',
        created: new Date().toISOString(),
        data: {
          object: {
            object: 'charge',
            id: 'ch_sim_00000001',
            status: 'succeeded',
            merchantReference: 'ord_nobody',
            amountMinor: '100',
            currency: 'USD',
            feeMinor: '3',
            failureCode: null,
          },
        },
      });
      const now = Math.floor(Date.now() / 1000);
      const forged = await post(listener.url, body.replace('"100"', '"1000000"'), {
        'payops-signature': signatureHeader(SECRET, body, now),
      });
      expect([forged.status, JSON.parse(forged.body).error]).toEqual([
        400,
        'the signature does not match the body',
      ]);
      const wrongSecret = await post(listener.url, body, {
        'payops-signature': signatureHeader(`${SECRET}!`, body, now),
      });
      expect(wrongSecret.status).toBe(400);
      const stale = await post(listener.url, body, {
        'payops-signature': signatureHeader(SECRET, body, now - 301),
      });
      expect([stale.status, JSON.parse(stale.body).error]).toEqual([
        400,
        expect.stringMatching(/tolerance 300 s/),
      ]);
      const unsigned = await post(listener.url, body, {});
      expect(unsigned.status).toBe(400);
      const huge = `{"pad":"${'x'.repeat(4096)}"}`;
      expect(
        (await post(listener.url, huge, { 'payops-signature': signatureHeader(SECRET, huge, now) }))
          .status,
      ).toBe(413);
      expect(fs.readFileSync(record, 'utf8')).toBe(''); // opened at start; nothing refused is recorded
      const signature = signatureHeader(SECRET, body, now);
      const accepted = await post(listener.url, body, { 'payops-signature': signature });
      expect([accepted.status, JSON.parse(accepted.body).outcome]).toEqual([200, 'unknown_order']);
      const replayed = await post(listener.url, body, { 'payops-signature': signature });
      expect([replayed.status, JSON.parse(replayed.body).outcome]).toEqual([200, 'duplicate']);
      await listener.stop();
      const books = new Sqlite(db, { readonly: true });
      expect(books.prepare('SELECT event_id, outcome FROM webhook_events').all()).toEqual([
        { event_id: 'evt_e2e_1', outcome: 'unknown_order' },
      ]);
      books.close();
      // Offline replay: the saved deliveries pass; a tampered line, or one stale when received, is refused (exit 3).
      const lines = fs
        .readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { receivedAt: string; signature: string; body: string });
      expect(lines).toHaveLength(2);
      expect(fs.statSync(record).mode & 0o777).toBe(0o600);
      const first = lines[0]!;
      const tampered = { ...first, body: first.body.replace('"100"', '"1000000"') };
      const late = {
        ...first,
        receivedAt: new Date(Date.parse(first.receivedAt) + 3_600_000).toISOString(),
      };
      fs.appendFileSync(record, `${JSON.stringify(tampered)}\n${JSON.stringify(late)}\n`);
      const replay = run('webhooks', 'replay', record);
      expect(replay.code).toBe(3);
      expect(replay.stderr).toContain(`${record}:3 the signature does not match the body`);
      expect(replay.stderr).toMatch(
        new RegExp(`${record}:4 the signature timestamp is 3600 s away`),
      );
      expect(replay.stdout).toMatch(/replayed 4 deliveries: duplicate 2; rejected 2/);
    });

    it('refuses a port that is taken, as a usage error', async () => {
      const server = await serve();
      const taken = payops([
        'psp',
        'serve',
        '--state',
        path.join(dir, 'other.db'),
        '--port',
        String(server.port),
      ]);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toBe(
        `payops: --port ${server.port}: the port is in use on 127.0.0.1 (choose another port, or --port 0 for any free one)\n`,
      );
    });

    it('refuses to start without the secret in the environment', () => {
      const result = payops(['webhooks', 'listen', '--db', db], {
        env: { PAYOPS_WEBHOOK_SECRET: '' },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/PAYOPS_WEBHOOK_SECRET must hold the webhook signing secret/);
    });
  });
});

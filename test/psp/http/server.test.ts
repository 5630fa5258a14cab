import http from 'node:http';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpPsp } from '../../../src/psp/http/client.js';
import { DEFAULT_FEE_RULE } from '../../../src/psp/fee-rule.js';
import { PspServer } from '../../../src/psp/http/server.js';
import { SIM_SCHEMAS, SimEngine } from '../../../src/psp/sim/engine.js';
import { type FaultRates, NO_FAULTS } from '../../../src/psp/sim/faults.js';
import { verifySignature } from '../../../src/psp/webhooks/signature.js';
import { tempDir } from '../../helpers/cli.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request on a fresh connection; a reset connection resolves as `{ reset }`. */
function request(
  url: string,
  method: string,
  route: string,
  options: { key?: string; body?: unknown; raw?: string } = {},
): Promise<Reply | { reset: string }> {
  const payload =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve) => {
    const req = http.request(
      new URL(route, url),
      {
        method,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.key ? { 'idempotency-key': options.key } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', (error) => resolve({ reset: error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ reset: error.code ?? error.message }),
    );
    req.end(payload);
  });
}

const charge = (orderId: string, amountMinor = '2500', token = 'tok_visa') => ({
  merchantReference: orderId,
  amountMinor,
  currency: 'USD',
  paymentToken: token,
});
const reply = (result: Reply | { reset: string }): Reply => {
  if ('reset' in result) throw new Error(`connection reset: ${result.reset}`);
  return result;
};

describe('psp serve (in process, real sockets)', () => {
  let dir: string;
  let cleanup: () => void;
  let engine: SimEngine;
  let server: PspServer;
  let url: string;
  const logs: string[] = [];

  async function start(
    faults: Partial<FaultRates> = {},
    options: { slowMs?: number; seed?: string } = {},
  ): Promise<void> {
    const rates = { ...NO_FAULTS, ...faults };
    engine = new SimEngine({
      stateFile: path.join(dir, 'psp.db'),
      seed: options.seed ?? 's',
      faults: rates,
      feeRule: DEFAULT_FEE_RULE,
      clock: Date.now,
      pendingResolveMs: 60_000,
    });
    server = new PspServer({
      engine,
      seed: options.seed ?? 's',
      faults: rates,
      slowMs: options.slowMs ?? 300,
      retryAfterS: 2,
      settleEveryMs: 1_000,
      log: (line) => logs.push(line),
    });
    url = await server.listen(0);
  }

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-psp-http-'));
    logs.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    engine?.close();
    cleanup();
  });

  describe('idempotency keys', () => {
    it('replays the first response byte for byte for the same key and parameters, and charges once', async () => {
      await start();
      const first = reply(
        await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }),
      );
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toMatchObject({
        object: 'charge',
        id: 'ch_sim_00000001',
        status: 'succeeded',
        amountMinor: '2500',
        feeMinor: '102',
      });
      // The same parameters in another field order are the same request.
      const again = reply(
        await request(url, 'POST', '/v1/charges', {
          key: 'k1',
          raw: '{"paymentToken":"tok_visa","currency":"USD","amountMinor":"2500","merchantReference":"ord_1"}',
        }),
      );
      expect(again.status).toBe(200);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(engine.charges()).toHaveLength(1);
    });

    it('replays a decline as the same 402, and never charges again', async () => {
      await start();
      const first = reply(
        await request(url, 'POST', '/v1/charges', {
          key: 'k1',
          body: charge('ord_1', '2500', 'tok_chargeDeclined'),
        }),
      );
      expect(first.status).toBe(402);
      expect(JSON.parse(first.body)).toMatchObject({
        error: { type: 'card_error', code: 'card_declined', id: 'ch_sim_00000001' },
      });
      const again = reply(
        await request(url, 'POST', '/v1/charges', {
          key: 'k1',
          body: charge('ord_1', '2500', 'tok_chargeDeclined'),
        }),
      );
      expect([again.status, again.body]).toEqual([402, first.body]);
      expect(engine.charges()).toHaveLength(1);
    });

    it('refuses the same key with other parameters with 400 idempotency_key_reused; the first charge stands', async () => {
      await start();
      reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }));
      for (const other of [
        charge('ord_1', '2501'),
        charge('ord_2'),
        charge('ord_1', '2500', 'tok_mastercard'),
      ]) {
        const refused = reply(
          await request(url, 'POST', '/v1/charges', { key: 'k1', body: other }),
        );
        expect(refused.status).toBe(400);
        expect(JSON.parse(refused.body)).toMatchObject({
          error: { type: 'idempotency_error', code: 'idempotency_key_reused' },
        });
      }
      // The same key on another operation is a reuse too.
      const asRefund = reply(
        await request(url, 'POST', '/v1/refunds', {
          key: 'k1',
          body: {
            refundId: 'rf_1',
            merchantReference: 'ord_1',
            chargeReference: 'ch_sim_00000001',
            amountMinor: '100',
            currency: 'USD',
          },
        }),
      );
      expect(JSON.parse(asRefund.body)).toMatchObject({
        error: { code: 'idempotency_key_reused' },
      });
      expect(engine.charges()).toEqual([
        expect.objectContaining({ amountMinor: 2500n, merchantReference: 'ord_1' }),
      ]);
      expect(engine.refunds()).toEqual([]);
    });

    it('answers 409 to a second request while the first with that key is in flight, and executes it once', async () => {
      // timeout=1 holds every first attempt for slowMs before processing it.
      await start({ timeout: 1 }, { slowMs: 400 });
      const first = request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const conflict = reply(
        await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }),
      );
      expect(conflict.status).toBe(409);
      expect(conflict.headers['retry-after']).toBe('1');
      expect(JSON.parse(conflict.body)).toMatchObject({
        error: { code: 'idempotency_key_in_use' },
      });
      expect(engine.charges()).toHaveLength(0);
      const answered = reply(await first);
      expect(answered.status).toBe(200);
      expect(engine.charges()).toHaveLength(1);
    });

    it('stores each response in the transaction of its charge: one stored response per charge', async () => {
      await start({ pending: 0.3, decline: 0.2 });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          request(url, 'POST', '/v1/charges', { key: `k${i}`, body: charge(`ord_${i}`) }),
        ),
      );
      const state = new Sqlite(path.join(dir, 'psp.db'), { readonly: true });
      const stored = state
        .prepare("SELECT COUNT(*) AS n FROM sim_idempotency WHERE operation = 'charge'")
        .get() as { n: number };
      state.close();
      expect(engine.charges()).toHaveLength(40);
      expect(stored.n).toBe(40);
    });

    it('requires a key on every mutating request and validates bodies at the edge', async () => {
      await start();
      const noKey = reply(await request(url, 'POST', '/v1/charges', { body: charge('ord_1') }));
      expect([noKey.status, JSON.parse(noKey.body).error.code]).toEqual([
        400,
        'idempotency_key_missing',
      ]);
      const numberAmount = reply(
        await request(url, 'POST', '/v1/charges', {
          key: 'k1',
          body: { ...charge('ord_1'), amountMinor: 2500 },
        }),
      );
      expect([numberAmount.status, JSON.parse(numberAmount.body).error.message]).toEqual([
        400,
        expect.stringMatching(/amountMinor: expected a string of minor units/),
      ]);
      const notJson = reply(
        await request(url, 'POST', '/v1/charges', { key: 'k1', raw: '{"merchantReference":' }),
      );
      expect(notJson.status).toBe(400);
      const badCurrency = reply(
        await request(url, 'POST', '/v1/charges', {
          key: 'k1',
          body: { ...charge('ord_1'), currency: 'usd' },
        }),
      );
      expect(badCurrency.status).toBe(400);
      // Nothing was remembered for the refused requests: the key is still free.
      expect(
        reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }))
          .status,
      ).toBe(200);
    });
  });

  describe('wire faults', () => {
    it('answers 503 and 429 with Retry-After before processing anything', async () => {
      await start({ serverError: 1 });
      const unavailable = reply(
        await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }),
      );
      expect(unavailable.status).toBe(503);
      await server.close();
      engine.close();
      await start({ rateLimited: 1 });
      const limited = reply(
        await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }),
      );
      expect([limited.status, limited.headers['retry-after']]).toEqual([429, '2']);
      expect(engine.charges()).toHaveLength(0);
    });

    it('resets the connection before processing (reset) or after the commit (lost); a retry learns the outcome', async () => {
      await start({ reset: 1 });
      expect(
        await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }),
      ).toEqual({ reset: expect.any(String) });
      expect(engine.charges()).toHaveLength(0);
      await server.close();
      engine.close();
      await start({ lost: 1 });
      expect(
        await request(url, 'POST', '/v1/charges', { key: 'k2', body: charge('ord_2') }),
      ).toEqual({ reset: expect.any(String) });
      expect(engine.charges()).toHaveLength(1);
    });

    it('decides faults from the seed, the key and the attempt: the same sequence every time', async () => {
      const outcomes = async (seed: string) => {
        await start({ serverError: 0.5 }, { seed });
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 6; attempt++)
          statuses.push(
            reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }))
              .status,
          );
        await server.close();
        engine.close();
        return statuses;
      };
      const first = await outcomes('seed-a');
      cleanup();
      ({ dir, cleanup } = tempDir('payops-psp-http-'));
      expect(await outcomes('seed-a')).toEqual(first);
      expect(first).toContain(503);
      await start();
    });
  });

  describe('look-ups', () => {
    it('retrieves a charge by id and by merchant reference; health answers', async () => {
      await start();
      reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }));
      expect(
        JSON.parse(reply(await request(url, 'GET', '/v1/charges/ch_sim_00000001')).body),
      ).toMatchObject({ id: 'ch_sim_00000001', merchantReference: 'ord_1', status: 'succeeded' });
      expect(reply(await request(url, 'GET', '/v1/charges/ch_sim_00000009')).status).toBe(404);
      expect(
        JSON.parse(reply(await request(url, 'GET', '/v1/charges?merchant_reference=ord_1')).body)
          .data,
      ).toHaveLength(1);
      expect(
        JSON.parse(reply(await request(url, 'GET', '/v1/charges?merchant_reference=ord_9')).body)
          .data,
      ).toEqual([]);
      expect(JSON.parse(reply(await request(url, 'GET', '/health')).body)).toEqual({
        status: 'ok',
      });
    });

    it("finds a refund and a payout by payops' own id, through the http adapter, whatever key made them", async () => {
      await start();
      reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }));
      const refund = {
        refundId: 'rf_1',
        merchantReference: 'ord_1',
        chargeReference: 'ch_sim_00000001',
        amountMinor: '700',
        currency: 'USD',
      };
      expect(
        reply(await request(url, 'POST', '/v1/refunds', { key: 'rk1', body: refund })).status,
      ).toBe(200);
      const payout = {
        payoutId: 'po_1',
        sellerId: 'seller_1',
        destination: 'DE89370400440532013000',
        amountMinor: '1800',
        currency: 'USD',
      };
      expect(
        reply(await request(url, 'POST', '/v1/payouts', { key: 'pk1', body: payout })).status,
      ).toBe(200);
      const psp = new HttpPsp({ baseUrl: url, timeoutMs: 5_000, concurrency: 2 });
      try {
        expect(
          await psp.lookupRefund({ refundId: 'rf_1', chargeReference: 'ch_sim_00000001' }),
        ).toEqual({
          found: true,
          result: { status: 'succeeded', pspReference: expect.stringMatching(/^re_sim_/) },
        });
        expect(await psp.lookupPayout('po_1')).toEqual({
          found: true,
          result: { status: 'succeeded', pspReference: expect.stringMatching(/^po_sim_/) },
        });
        expect(
          await psp.lookupRefund({ refundId: 'rf_9', chargeReference: 'ch_sim_00000001' }),
        ).toEqual({ found: false });
        expect(await psp.lookupPayout('po_9')).toEqual({ found: false });
      } finally {
        psp.close();
      }
      expect(reply(await request(url, 'GET', '/v1/refunds')).status).toBe(400);
      expect(reply(await request(url, 'GET', '/v1/payouts?seller_id=seller_1')).status).toBe(400);
    });
  });
});

/** One raw request with exactly these headers and bytes (no defaults added but Content-Length). */
function rawRequest(
  url: string,
  route: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<Reply> {
  const body =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body)
        ? options.body
        : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(route, url),
      {
        method: options.method ?? 'POST',
        agent: false,
        setHost: false,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('psp serve holds requests to the intake rules (issue 14 item 10)', () => {
  let dir: string;
  let cleanup: () => void;
  let engine: SimEngine;
  let server: PspServer;
  let url: string;
  let host: string;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('payops-psp-strict-'));
    engine = new SimEngine({
      stateFile: path.join(dir, 'psp.db'),
      seed: 's',
      faults: NO_FAULTS,
      feeRule: DEFAULT_FEE_RULE,
      clock: Date.now,
      pendingResolveMs: 60_000,
    });
    server = new PspServer({
      engine,
      seed: 's',
      faults: NO_FAULTS,
      slowMs: 300,
      retryAfterS: 2,
      settleEveryMs: 1_000,
      log: () => undefined,
    });
    url = await server.listen(0);
    host = new URL(url).host;
  });
  afterEach(async () => {
    await server.close();
    engine.close();
    cleanup();
  });

  const json = { 'content-type': 'application/json' };
  const post = (route: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    rawRequest(url, route, {
      headers: { host, 'idempotency-key': `k-${Math.random()}`, ...json, ...headers },
      body,
    });
  const errorOf = (answer: Reply) =>
    (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
  /** The refusals charged nothing: the next good charge is the PSP's first. */
  const expectNothingCharged = async () => {
    const good = await post('/v1/charges', JSON.stringify(charge('ord_good')));
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body)).toMatchObject({ id: 'ch_sim_00000001' });
  };

  it('refuses a body that is not application/json (415)', async () => {
    const plain = await post('/v1/charges', JSON.stringify(charge('ord_1')), {
      'content-type': 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(errorOf(plain).message).toMatch(/Content-Type: application\/json/);
    const none = await rawRequest(url, '/v1/charges', {
      headers: { host, 'idempotency-key': 'k-none' },
      body: JSON.stringify(charge('ord_1')),
    });
    expect(none.status).toBe(415);
    const latin1 = await post('/v1/charges', JSON.stringify(charge('ord_1')), {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(latin1.status).toBe(415);
    expect(
      (
        await post('/v1/charges', JSON.stringify(charge('ord_ok')), {
          'content-type': 'application/json; charset=UTF-8',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses invalid UTF-8 instead of storing U+FFFD (400 naming the byte)', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"merchantReference":"ord_'),
      Buffer.from([0xe9]),
      Buffer.from('","amountMinor":"2500","currency":"USD","paymentToken":"tok_visa"}'),
    ]);
    const answer = await post('/v1/charges', bytes);
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toMatch(/^body: invalid UTF-8 at byte 26/);
    await expectNothingCharged();
  });

  it('refuses an unknown field, naming it', async () => {
    const answer = await post('/v1/charges', JSON.stringify({ ...charge('ord_1'), note: 'x' }));
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toBe('note: unknown field');
    const payout = await post(
      '/v1/payouts',
      JSON.stringify({
        payoutId: 'po_1',
        sellerId: 'seller_1',
        destination: 'DE89370400440532013000',
        amountMinor: '100',
        currency: 'USD',
        memo: 'x',
      }),
    );
    expect(errorOf(payout).message).toBe('memo: unknown field');
    await expectNothingCharged();
  });

  it('refuses what intake refuses: control characters, ids intake would not take, odd tokens, amounts beyond the per-amount limit', async () => {
    const refusals: [string, unknown, string][] = [
      ['/v1/charges', charge('ord_1\u0007'), 'merchantReference: '],
      ['/v1/charges', charge('ord 1'), 'merchantReference: '],
      ['/v1/charges', charge('=HYPERLINK("x")'), 'merchantReference: '],
      ['/v1/charges', charge('ord_1', '2500', 'tok\nvisa'), 'paymentToken: '],
      ['/v1/charges', charge('ord_1', '1000000000000001'), 'amountMinor: '],
      ['/v1/charges', { ...charge('ord_1'), amountMinor: 2500 }, 'amountMinor: '],
      [
        '/v1/refunds',
        {
          refundId: 'rf_1\u001b[2J',
          merchantReference: 'ord_1',
          chargeReference: 'ch_sim_00000001',
          amountMinor: '100',
          currency: 'USD',
        },
        'refundId: ',
      ],
      [
        '/v1/refunds',
        {
          refundId: 'rf_1',
          merchantReference: 'ord_1',
          chargeReference: 'ch\u0000',
          amountMinor: '100',
          currency: 'USD',
        },
        'chargeReference: ',
      ],
      [
        '/v1/payouts',
        {
          payoutId: 'po_1',
          sellerId: 'seller\u00851',
          destination: 'DE89370400440532013000',
          amountMinor: '100',
          currency: 'USD',
        },
        'sellerId: ',
      ],
      [
        '/v1/payouts',
        {
          payoutId: 'po_1',
          sellerId: 'seller_1',
          destination: 'DE89 3704\n',
          amountMinor: '100',
          currency: 'USD',
        },
        'destination: ',
      ],
    ];
    for (const [route, body, field] of refusals) {
      const answer = await post(route, JSON.stringify(body));
      expect(answer.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(errorOf(answer).message.startsWith(field), errorOf(answer).message).toBe(true);
    }
    await expectNothingCharged();
  });

  it('refuses a card number in any field without echoing it (400 showing the last four digits at most)', async () => {
    const refusals: [string, Record<string, unknown>, string][] = [
      [
        '/v1/charges',
        { ...charge('ord_1'), paymentToken: '4111 1111 1111 1111' },
        'paymentToken: ',
      ],
      [
        '/v1/charges',
        { ...charge('ord_1'), merchantReference: 'ord_4111111111111111' },
        'merchantReference: ',
      ],
      [
        '/v1/charges',
        { ...charge('ord_1'), paymentToken: 'tok_4111111111111111' },
        'paymentToken: ',
      ],
      [
        '/v1/charges',
        { ...charge('ord_1'), paymentToken: 'tok_4111.1111.1111.1111' },
        'paymentToken: ',
      ],
      [
        '/v1/charges',
        { ...charge('ord_1'), paymentToken: '4111\u00a01111\u00a01111\u00a01111' },
        'paymentToken: ',
      ],
      [
        '/v1/charges',
        { ...charge('ord_1'), merchantReference: 'ord_4111\u200b1111\u200b1111\u200b1111' },
        'merchantReference: ',
      ],
      [
        '/v1/payouts',
        {
          payoutId: 'po_1',
          sellerId: 'seller_5555-5555-5555-4444',
          destination: 'DE89370400440532013000',
          amountMinor: '100',
          currency: 'USD',
        },
        'sellerId: ',
      ],
    ];
    for (const [route, body, field] of refusals) {
      const answer = await post(route, JSON.stringify(body));
      expect(answer.status, `${route} ${JSON.stringify(body)}`).toBe(400);
      expect(errorOf(answer).message.startsWith(field), errorOf(answer).message).toBe(true);
      expect(errorOf(answer).message).toContain('card number');
      const shown = JSON.stringify(JSON.parse(answer.body)).replace(/\\u[0-9a-f]{4}/gi, '');
      expect(shown.normalize('NFKC').replace(/[ \-./_\u00a0\u200b]/g, '')).not.toMatch(
        /4111111111111111|5555555555554444/,
      );
    }
    await expectNothingCharged();
  });

  it('refuses a body with a key twice (400): JSON.parse would keep the last, charging what the sender may not have read (issue 14 item 9)', async () => {
    const body = `{"merchantReference":"ord_1","amountMinor":"1000","currency":"USD","paymentToken":"tok_visa","amountMinor":"999900"}`;
    const answer = await post('/v1/charges', body);
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toMatch(/^amountMinor: key "amountMinor" appears twice/);
    const escaped = await post(
      '/v1/charges',
      `{"merchantReference":"ord_1","amountMinor":"1000","currency":"USD","paymentToken":"tok_visa","amount\\u004dinor":"999900"}`,
    );
    expect(escaped.status).toBe(400);
    expect(errorOf(escaped).message).toContain('appears twice');
    await expectNothingCharged();
  });

  it('answers only to its loopback names: another Host is refused with 421 (DNS rebinding)', async () => {
    const port = new URL(url).port;
    for (const other of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      '127.0.0.1',
      `localhost.evil.example:${port}`,
    ]) {
      const answer = await rawRequest(url, '/v1/charges', {
        headers: { host: other, 'idempotency-key': `k-${other}`, ...json },
        body: JSON.stringify(charge('ord_1')),
      });
      expect(answer.status, other).toBe(421);
      const look = await rawRequest(url, '/v1/charges?merchant_reference=ord_1', {
        method: 'GET',
        headers: { host: other },
      });
      expect(look.status, other).toBe(421);
    }
    // An HTTP/1.1 request without Host never reaches the server's code: Node answers it 400 itself.
    const missing = await rawRequest(url, '/health', { method: 'GET', headers: {} });
    expect(missing.status).toBe(400);
    for (const name of [
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      `127.0.0.1:${port}`,
    ]) {
      expect(
        (await rawRequest(url, '/health', { method: 'GET', headers: { host: name } })).status,
        name,
      ).toBe(200);
    }
    await expectNothingCharged();
  });

  it('still serves the payops client after refusing junk, over kept-alive connections', async () => {
    expect(
      (await post('/v1/charges', 'not json at all', { 'content-type': 'text/plain' })).status,
    ).toBe(415);
    const psp = new HttpPsp({ baseUrl: url, timeoutMs: 5_000, concurrency: 2 });
    try {
      const results = await psp.charge(
        Array.from({ length: 6 }, (_, index) => ({
          idempotencyKey: `payops-ord_${index}-charge`,
          merchantReference: `ord_${index}`,
          amountMinor: 2500n,
          currency: 'USD' as never,
          paymentToken: 'tok_visa',
        })),
      );
      expect(results.map((result) => result.status)).toEqual(Array(6).fill('succeeded'));
      const viaLocalhost = new HttpPsp({
        baseUrl: url.replace('127.0.0.1', 'localhost'),
        timeoutMs: 5_000,
        concurrency: 1,
      });
      try {
        expect(await viaLocalhost.lookupCharge('ord_0')).toMatchObject({ found: true });
      } finally {
        viaLocalhost.close();
      }
    } finally {
      psp.close();
    }
  });
});

describe('psp serve webhooks', () => {
  const SECRET = 'whsec_unit_0123456789abcdef';
  let dir: string;
  let cleanup: () => void;
  const receivers: http.Server[] = [];
  const running: { server: PspServer; engine: SimEngine }[] = [];

  /** A receiver that answers `status(n)` to the n-th delivery and keeps what it got. */
  async function receiver(
    status: (n: number) => number,
  ): Promise<{ url: string; got: { signature: string; body: string }[] }> {
    const got: { signature: string; body: string }[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        got.push({ signature: String(request.headers['payops-signature']), body });
        response.writeHead(status(got.length)).end();
      });
    });
    receivers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, got };
  }
  async function start(url: string, faults: Partial<FaultRates> = {}): Promise<string> {
    const rates = { ...NO_FAULTS, ...faults };
    const engine = new SimEngine({
      stateFile: path.join(dir, 'psp.db'),
      seed: 's',
      faults: rates,
      feeRule: DEFAULT_FEE_RULE,
      clock: Date.now,
      pendingResolveMs: 100,
      webhooks: true,
    });
    const server = new PspServer({
      engine,
      seed: 's',
      faults: rates,
      slowMs: 100,
      retryAfterS: 1,
      settleEveryMs: 50,
      webhook: { url, secret: SECRET },
      log: () => undefined,
    });
    running.push({ server, engine });
    return server.listen(0);
  }
  async function stopAll(): Promise<void> {
    for (const { server, engine } of running.splice(0)) {
      await server.close();
      engine.close();
    }
  }
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 100 && !condition(); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(condition()).toBe(true);
  };

  beforeEach(() => ({ dir, cleanup } = tempDir('payops-psp-webhooks-')));
  afterEach(async () => {
    await stopAll();
    for (const server of receivers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    cleanup();
  });

  it('announces pending and its settlement with signed events, retrying until a 2xx', async () => {
    const { url: hook, got } = await receiver((n) => (n <= 2 ? 500 : 200));
    const url = await start(hook, { pending: 1 });
    reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }));
    // Two events; the first two deliveries were refused, so four arrive in all.
    await until(() => got.length >= 4);
    const events = got.map(
      (delivery) =>
        JSON.parse(delivery.body) as {
          id: string;
          type: string;
          data: { object: { status: string; amountMinor: string } };
        },
    );
    const byId = new Map(events.map((event) => [event.id, event]));
    expect(byId.size).toBe(2);
    const types = [...byId.values()].map((event) => event.type);
    expect(types).toContain('charge.pending');
    expect(types.filter((type) => type !== 'charge.pending')).toEqual([
      expect.stringMatching(/^charge\.(succeeded|failed)$/),
    ]);
    expect([...byId.values()].find((event) => event.type === 'charge.pending')).toMatchObject({
      data: { object: { status: 'pending', amountMinor: '2500' } },
    });
    for (const delivery of got) {
      const verified = verifySignature(
        delivery.signature,
        delivery.body,
        SECRET,
        300,
        Math.floor(Date.now() / 1000),
      );
      expect(verified.ok).toBe(true);
    }
  });

  it('keeps undelivered events in the state file: a restarted server delivers them', async () => {
    const down = await receiver(() => 503);
    const url = await start(down.url);
    reply(await request(url, 'POST', '/v1/charges', { key: 'k1', body: charge('ord_1') }));
    await until(() => down.got.length >= 1);
    await stopAll();
    const up = await receiver(() => 200);
    await start(up.url, { webhookDuplicate: 1 });
    await until(() => up.got.length >= 2);
    const [first, second] = up.got.map(
      (delivery) => JSON.parse(delivery.body) as { id: string; type: string },
    );
    expect(first).toMatchObject({ type: 'charge.succeeded' });
    expect(second?.id).toBe(first?.id); // webhook-duplicate: the same event twice
  });
});

describe('the simulated PSP state file', () => {
  it('migrates a version-1 file forward in place, keeping its charges', () => {
    const { dir, cleanup } = tempDir('payops-psp-v1-');
    try {
      const file = path.join(dir, 'old.db');
      const old = new Sqlite(file);
      old.exec(SIM_SCHEMAS[0] as string);
      old.pragma('user_version = 1');
      old
        .prepare(`INSERT INTO sim_charges (idempotency_key, request_hash, merchant_reference, amount_minor, currency, fee_minor, status, created_at, key_expires_at)
                   VALUES ('payops-ord_1-charge', 'h', 'ord_1', 2500, 'USD', 102, 'succeeded', '2026-11-23T10:00:00.000Z', '2026-11-24T10:00:00.000Z')`)
        .run();
      old.close();
      const engine = new SimEngine({
        stateFile: file,
        seed: 's',
        faults: NO_FAULTS,
        feeRule: DEFAULT_FEE_RULE,
        clock: Date.now,
      });
      expect(engine.charges()).toEqual([
        expect.objectContaining({ merchantReference: 'ord_1', amountMinor: 2500n }),
      ]);
      engine.close();
      const migrated = new Sqlite(file, { readonly: true });
      expect(migrated.pragma('user_version', { simple: true })).toBe(2);
      expect(
        migrated
          .prepare(
            "SELECT name FROM sqlite_master WHERE name IN ('sim_idempotency', 'sim_webhook_outbox') ORDER BY name",
          )
          .all(),
      ).toEqual([{ name: 'sim_idempotency' }, { name: 'sim_webhook_outbox' }]);
      // The status check is rebuilt as comparisons (no temporary B-tree per insert), allowing the same statuses.
      expect(
        migrated.prepare("SELECT sql FROM sqlite_schema WHERE name = 'sim_charges'").pluck().get(),
      ).not.toMatch(/ IN \(/);
      migrated.close();
    } finally {
      cleanup();
    }
  });
});

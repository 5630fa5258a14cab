import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Currency } from '../../../src/money/index.js';
import { HttpPsp } from '../../../src/psp/http/client.js';
import type { ChargeRequest } from '../../../src/psp/port.js';

const USD = 'USD' as Currency;
const charge = (orderId: string): ChargeRequest => ({
  idempotencyKey: `payops-${orderId}-charge`,
  merchantReference: orderId,
  amountMinor: 2500n,
  currency: USD,
  paymentToken: 'tok_visa',
});

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void;

describe('the http adapter: classification of every answer and failure', () => {
  const servers: http.Server[] = [];
  const clients: HttpPsp[] = [];

  /** A loopback server that answers with `handler`; returns its base URL. */
  async function serve(handler: Handler): Promise<string> {
    const server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => handler(request, response, body));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const client = (baseUrl: string, options: { timeoutMs?: number; concurrency?: number } = {}) => {
    const psp = new HttpPsp({
      baseUrl,
      timeoutMs: options.timeoutMs ?? 2_000,
      concurrency: options.concurrency ?? 4,
    });
    clients.push(psp);
    return psp;
  };
  const json = (
    response: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  afterEach(async () => {
    for (const psp of clients.splice(0)) psp.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a refused connection was never sent', async () => {
    const url = await serve(() => undefined);
    const server = servers.pop() as http.Server;
    await new Promise((resolve) => server.close(resolve));
    const [result] = await client(url).charge([charge('ord_1')]);
    expect(result).toMatchObject({ status: 'retryable', kind: 'connection', sent: false });
  });

  it('a connection reset before the answer, or no answer in time, is an unknown outcome', async () => {
    const reset = await serve((request) => request.socket.destroy());
    expect((await client(reset).charge([charge('ord_1')]))[0]).toMatchObject({
      status: 'retryable',
      kind: 'connection',
      sent: true,
    });
    const silent = await serve(() => undefined);
    expect((await client(silent, { timeoutMs: 150 }).charge([charge('ord_1')]))[0]).toMatchObject({
      status: 'retryable',
      kind: 'timeout',
      sent: true,
      detail: expect.stringMatching(/no answer within 150 ms/),
    });
  });

  it('maps 200 to the charge, 402 to a decline, and 429, 409 and 5xx to retries (Retry-After honoured)', async () => {
    const answers: Record<string, (response: http.ServerResponse) => void> = {
      ord_ok: (r) =>
        json(r, 200, { object: 'charge', id: 'ch_1', status: 'succeeded', feeMinor: '102' }),
      ord_pending: (r) =>
        json(r, 200, { object: 'charge', id: 'ch_2', status: 'pending', feeMinor: null }),
      ord_declined: (r) =>
        json(r, 402, { error: { type: 'card_error', code: 'insufficient_funds', id: 'ch_3' } }),
      ord_limited: (r) => json(r, 429, { error: { code: 'rate_limited' } }, { 'retry-after': '3' }),
      ord_busy: (r) =>
        json(r, 409, { error: { code: 'idempotency_key_in_use' } }, { 'retry-after': '1' }),
      ord_down: (r) => json(r, 503, { error: { code: 'service_unavailable' } }),
      ord_garbled: (r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.end('{"object":"ch');
      },
    };
    const url = await serve((_request, response, body) =>
      (answers[JSON.parse(body).merchantReference as string] as (r: http.ServerResponse) => void)(
        response,
      ),
    );
    const results = await client(url).charge(Object.keys(answers).map(charge));
    expect(results).toEqual([
      { status: 'succeeded', pspReference: 'ch_1', feeMinor: 102n },
      { status: 'pending', pspReference: 'ch_2' },
      { status: 'declined', pspReference: 'ch_3', reason: 'insufficient_funds' },
      expect.objectContaining({
        status: 'retryable',
        kind: 'rate_limited',
        sent: true,
        retryAfterMs: 3_000,
      }),
      expect.objectContaining({
        status: 'retryable',
        kind: 'conflict',
        sent: true,
        retryAfterMs: 1_000,
      }),
      expect.objectContaining({ status: 'retryable', kind: 'server_error', sent: true }),
      expect.objectContaining({
        status: 'retryable',
        kind: 'server_error',
        sent: true,
        detail: expect.stringMatching(/not JSON: outcome unknown/),
      }),
    ]);
  });

  it('a reused key or a malformed request is a rejection, never a decline', async () => {
    const url = await serve((_request, response, body) =>
      JSON.parse(body).merchantReference === 'ord_reused'
        ? json(response, 400, {
            error: {
              type: 'idempotency_error',
              code: 'idempotency_key_reused',
              message: 'used with different parameters',
            },
          })
        : json(response, 400, {
            error: {
              type: 'invalid_request_error',
              code: 'invalid_request',
              message: 'amountMinor: bad',
            },
          }),
    );
    const [reused, malformed] = await client(url).charge([charge('ord_reused'), charge('ord_bad')]);
    expect(reused).toMatchObject({
      status: 'rejected',
      reason: 'idempotency_key_reused',
      detail: expect.stringMatching(/payops-ord_reused-charge/),
    });
    expect(malformed).toMatchObject({ status: 'rejected', reason: 'invalid_request' });
  });

  it('sends the idempotency key and amounts as strings, keeps at most `concurrency` requests in flight, and answers in request order', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: { key: string | undefined; body: Record<string, unknown> }[] = [];
    const url = await serve((request, response, body) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const parsed = JSON.parse(body) as Record<string, unknown>;
      seen.push({ key: request.headers['idempotency-key'] as string | undefined, body: parsed });
      // Later orders answer sooner, so completion order differs from request order.
      setTimeout(
        () => {
          inFlight--;
          json(response, 200, {
            object: 'charge',
            id: `ch_${String(parsed.merchantReference)}`,
            status: 'succeeded',
            feeMinor: '1',
          });
        },
        40 - (Number(String(parsed.merchantReference).slice(4)) % 4) * 10,
      );
    });
    const psp = client(url, { concurrency: 3 });
    const orders = Array.from({ length: 12 }, (_, i) => charge(`ord_${i}`));
    const results = await psp.charge(orders);
    expect(results.map((r) => (r.status === 'succeeded' ? r.pspReference : r.status))).toEqual(
      orders.map((o) => `ch_${o.merchantReference}`),
    );
    expect(most).toBe(3);
    expect(seen[0]).toEqual({
      key: 'payops-ord_0-charge',
      body: {
        merchantReference: 'ord_0',
        amountMinor: '2500',
        currency: 'USD',
        paymentToken: 'tok_visa',
      },
    });
    expect(psp.callStats()).toMatchObject({
      calls: 12,
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
    });
  });

  it("bounds every caller, look-ups included, and starts a request's timeout only when it is sent", async () => {
    let inFlight = 0;
    let most = 0;
    const url = await serve((_request, response) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        json(response, 200, { object: 'list', data: [] });
      }, 40);
    });
    const psp = client(url, { concurrency: 2, timeoutMs: 150 });
    // Ten look-ups at once take ~200 ms in all, longer than the timeout: none may time out waiting.
    const lookups = await Promise.all(
      Array.from({ length: 10 }, (_, i) => psp.lookupCharge(`ord_${i}`)),
    );
    expect(lookups).toEqual(Array.from({ length: 10 }, () => ({ found: false })));
    expect(most).toBe(2);
  });

  it('looks a charge up by merchant reference', async () => {
    const url = await serve((request, response) =>
      json(response, 200, {
        object: 'list',
        data: request.url?.includes('ord_1')
          ? [
              {
                object: 'charge',
                id: 'ch_1',
                status: 'failed',
                failureCode: 'authentication_failed',
              },
            ]
          : [],
      }),
    );
    const psp = client(url);
    expect(await psp.lookupCharge('ord_1')).toEqual({
      found: true,
      result: { status: 'declined', pspReference: 'ch_1', reason: 'authentication_failed' },
    });
    expect(await psp.lookupCharge('ord_2')).toEqual({ found: false });
  });

  it('refuses a base URL that is not http://', () => {
    expect(
      () => new HttpPsp({ baseUrl: 'ftp://127.0.0.1:1', timeoutMs: 1, concurrency: 1 }),
    ).toThrow(/must be an http:\/\/ URL/);
    expect(() => new HttpPsp({ baseUrl: 'not a url', timeoutMs: 1, concurrency: 1 })).toThrow(
      /is not a URL/,
    );
  });
});

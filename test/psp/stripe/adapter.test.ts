import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { toCurrency } from '../../../src/money/index.js';
import type { ChargeRequest, RefundRequest } from '../../../src/psp/port.js';
import { StripePsp } from '../../../src/psp/stripe/adapter.js';
import { stripeSettingsFrom } from '../../../src/psp/stripe/config.js';
import { MOCK_KEY, type StripeMock, startStripeMock } from '../../helpers/stripe-mock.js';

const USD = toCurrency('USD');
const JPY = toCurrency('JPY');

function chargeOf(
  orderId: string,
  amountMinor: bigint,
  paymentToken = 'tok_visa',
  currency = USD,
): ChargeRequest {
  return {
    idempotencyKey: `payops-${orderId}-charge`,
    merchantReference: orderId,
    amountMinor,
    currency,
    paymentToken,
  };
}

function refundOf(
  refundId: string,
  orderId: string,
  chargeReference: string,
  amountMinor: bigint,
): RefundRequest {
  return {
    idempotencyKey: `payops-${refundId}-refund`,
    refundId,
    merchantReference: orderId,
    chargeReference,
    amountMinor,
    currency: USD,
  };
}

describe('StripePsp against stripe-stateful-mock', () => {
  let mock: StripeMock;
  let psp: StripePsp;
  const stripeAt = (url: string, key = MOCK_KEY, options: { timeoutMs?: number } = {}) =>
    new StripePsp({ ...stripeSettingsFrom({ STRIPE_API_KEY: key }, url), ...options });

  beforeAll(async () => {
    mock = await startStripeMock();
    psp = stripeAt(mock.url);
  });
  afterAll(async () => {
    psp?.close();
    await mock?.stop();
  });

  it('charges with the order id as metadata and description; the fee waits for reconciliation when no balance transaction comes back', async () => {
    const [result] = await psp.charge([chargeOf('ord_ok_1', 2500n)]);
    expect(result).toEqual({
      status: 'succeeded',
      pspReference: expect.stringMatching(/^ch_/),
      feeMinor: null,
    });
    const charge = (await mock.charges()).find((c) => c.metadata.payops_order_id === 'ord_ok_1');
    expect(charge).toMatchObject({
      amount: 2500,
      currency: 'usd',
      status: 'succeeded',
      description: 'payops order ord_ok_1',
    });
  });

  it('sends zero-decimal amounts as they are: JPY 1800 is 1800 at Stripe', async () => {
    const [result] = await psp.charge([chargeOf('ord_jpy_1', 1800n, 'tok_visa', JPY)]);
    expect(result?.status).toBe('succeeded');
    expect(
      (await mock.charges()).find((c) => c.metadata.payops_order_id === 'ord_jpy_1'),
    ).toMatchObject({ amount: 1800, currency: 'jpy' });
  });

  it('answers a retry with the same key with the original charge, and charges nothing twice', async () => {
    const request = chargeOf('ord_replay_1', 1999n);
    const [first] = await psp.charge([request]);
    const [again] = await psp.charge([request]);
    expect(again).toEqual(first);
    expect(
      (await mock.charges()).filter((c) => c.metadata.payops_order_id === 'ord_replay_1'),
    ).toHaveLength(1);
  });

  it.each([
    ['tok_chargeDeclined', 'generic_decline'],
    ['tok_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['tok_chargeDeclinedFraudulent', 'fraudulent'],
    ['tok_chargeDeclinedExpiredCard', 'expired_card'],
    ['tok_chargeDeclinedIncorrectCvc', 'incorrect_cvc'],
    ['tok_chargeDeclinedProcessingError', 'processing_error'],
  ])(
    'books %s as declined with the reason %s and the failed charge as reference',
    async (token, reason) => {
      const [result] = await psp.charge([chargeOf(`ord_${token}`, 3000n, token)]);
      expect(result).toEqual({
        status: 'declined',
        pspReference: expect.stringMatching(/^ch_/),
        reason,
      });
    },
  );

  it('dead-letters a key reused with other parameters, never books it as a decline, and leaves the original charge alone', async () => {
    const [original] = await psp.charge([chargeOf('ord_conflict_1', 1000n)]);
    const [conflict] = await psp.charge([chargeOf('ord_conflict_1', 1200n)]);
    expect(conflict).toEqual({
      status: 'rejected',
      reason: 'idempotency_key_reused',
      detail: expect.stringContaining('payops-ord_conflict_1-charge'),
    });
    const charges = (await mock.charges()).filter(
      (c) => c.metadata.payops_order_id === 'ord_conflict_1',
    );
    expect(charges).toEqual([
      expect.objectContaining({
        amount: 1000,
        status: 'succeeded',
        id: (original as { pspReference: string }).pspReference,
      }),
    ]);
  });

  it('treats a rate limit and a server error as retryable with the same key', async () => {
    const [limited, broken] = await psp.charge([
      chargeOf('ord_429', 1000n, 'tok_429'),
      chargeOf('ord_500', 1000n, 'tok_500'),
    ]);
    expect(limited).toMatchObject({ status: 'retryable', kind: 'rate_limited', sent: true });
    expect(broken).toMatchObject({
      status: 'retryable',
      kind: 'server_error',
      sent: true,
      detail: expect.stringContaining('500'),
    });
  });

  it('treats an answer that is not a charge as an unknown outcome (the mock answers an unknown token with a bare 500)', async () => {
    const [result] = await psp.charge([
      chargeOf('ord_unknown_token', 1000n, 'tok_unknownToTheMock'),
    ]);
    expect(result).toEqual({
      status: 'retryable',
      kind: 'server_error',
      sent: true,
      detail: 'Stripe answered key payops-ord_unknown_token-charge without a charge object',
    });
  });

  it("refuses what Stripe refuses (an amount under its minimum) as final, with Stripe's code", async () => {
    const [result] = await psp.charge([chargeOf('ord_small', 10n)]);
    expect(result).toEqual({
      status: 'declined',
      pspReference: null,
      reason: expect.stringMatching(/^amount_too_small: /),
    });
  });

  it('refuses an amount Stripe cannot take exactly without sending it (KWD must end in 0)', async () => {
    const [result] = await psp.charge([chargeOf('ord_kwd', 1005n, 'tok_visa', toCurrency('KWD'))]);
    expect(result).toEqual({
      status: 'declined',
      pspReference: null,
      reason: expect.stringMatching(/^not sent: 1\.005 KWD cannot be charged exactly/),
    });
    expect((await mock.charges()).some((c) => c.metadata.payops_order_id === 'ord_kwd')).toBe(
      false,
    );
  });

  it('answers many requests in their order, whatever order Stripe answers them in', async () => {
    const requests = Array.from({ length: 20 }, (_, i) =>
      chargeOf(`ord_many_${i}`, 1000n + BigInt(i), i % 5 === 0 ? 'tok_chargeDeclined' : 'tok_visa'),
    );
    const results = await psp.charge(requests);
    const charges = await mock.charges();
    results.forEach((result, i) => {
      const charge = charges.find((c) => c.metadata.payops_order_id === `ord_many_${i}`);
      expect(result).toMatchObject({
        status: i % 5 === 0 ? 'declined' : 'succeeded',
        pspReference: charge?.id,
      });
      expect(charge?.amount).toBe(1000 + i);
    });
  });

  it('refunds part of a charge, then the rest, each once, and declines a refund beyond the capture', async () => {
    const [charged] = await psp.charge([chargeOf('ord_refund_1', 5000n)]);
    const chargeReference = (charged as { pspReference: string }).pspReference;
    const [partial] = await psp.refund([
      refundOf('rf_part', 'ord_refund_1', chargeReference, 1500n),
    ]);
    expect(partial).toEqual({ status: 'succeeded', pspReference: expect.stringMatching(/^re_/) });
    const [replayed] = await psp.refund([
      refundOf('rf_part', 'ord_refund_1', chargeReference, 1500n),
    ]);
    expect(replayed).toEqual(partial);
    const [beyond] = await psp.refund([
      refundOf('rf_beyond', 'ord_refund_1', chargeReference, 4000n),
    ]);
    expect(beyond).toMatchObject({ status: 'declined', pspReference: null });
    const [rest] = await psp.refund([refundOf('rf_rest', 'ord_refund_1', chargeReference, 3500n)]);
    expect(rest?.status).toBe('succeeded');
    expect((await mock.charges()).find((c) => c.id === chargeReference)).toMatchObject({
      amount_refunded: 5000,
    });
  });

  it("finds a refund by payops' refund id among its charge's refunds, for a retry past the key lifetime", async () => {
    const [charged] = await psp.charge([chargeOf('ord_refund_lookup', 3000n)]);
    const chargeReference = (charged as { pspReference: string }).pspReference;
    const [refund] = await psp.refund([
      refundOf('rf_lookup', 'ord_refund_lookup', chargeReference, 1000n),
    ]);
    expect(await psp.lookupRefund({ refundId: 'rf_lookup', chargeReference })).toEqual({
      found: true,
      result: refund,
    });
    expect(await psp.lookupRefund({ refundId: 'rf_other', chargeReference })).toEqual({
      found: false,
    });
  });

  it('refunds a charge in full in one request', async () => {
    const [charged] = await psp.charge([chargeOf('ord_refund_full', 4200n)]);
    const chargeReference = (charged as { pspReference: string }).pspReference;
    const [refund] = await psp.refund([
      refundOf('rf_full', 'ord_refund_full', chargeReference, 4200n),
    ]);
    expect(refund?.status).toBe('succeeded');
    expect((await mock.charges()).find((c) => c.id === chargeReference)).toMatchObject({
      amount_refunded: 4200,
    });
  });

  it('dead-letters a refund key reused with another amount', async () => {
    const [charged] = await psp.charge([chargeOf('ord_refund_conflict', 4000n)]);
    const chargeReference = (charged as { pspReference: string }).pspReference;
    await psp.refund([refundOf('rf_conflict', 'ord_refund_conflict', chargeReference, 1000n)]);
    const [conflict] = await psp.refund([
      refundOf('rf_conflict', 'ord_refund_conflict', chargeReference, 2000n),
    ]);
    expect(conflict).toMatchObject({ status: 'rejected', reason: 'idempotency_key_reused' });
    expect((await mock.charges()).find((c) => c.id === chargeReference)).toMatchObject({
      amount_refunded: 1000,
    });
  });

  it('looks a charge up by order id without search (the mock has none), declined or captured, and finds nothing for an unknown order', async () => {
    const [charged] = await psp.charge([chargeOf('ord_lookup_ok', 2000n)]);
    await psp.charge([
      chargeOf('ord_lookup_declined', 2000n, 'tok_chargeDeclinedInsufficientFunds'),
    ]);
    expect(await psp.lookupCharge('ord_lookup_ok')).toEqual({ found: true, result: charged });
    expect(await psp.lookupCharge('ord_lookup_declined')).toEqual({
      found: true,
      result: {
        status: 'declined',
        pspReference: expect.stringMatching(/^ch_/),
        reason: expect.any(String),
      },
    });
    expect(await psp.lookupCharge('ord_never_sent')).toEqual({ found: false });
  });

  it('finds disputes through the charges (no dispute listing in the mock) and books none that is still open', async () => {
    await psp.charge([chargeOf('ord_disputed', 2500n, 'tok_createDispute')]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the mock opens the dispute just after the charge
    expect(
      (await mock.charges()).find((c) => c.metadata.payops_order_id === 'ord_disputed')?.dispute,
    ).toMatch(/^dp_/);
    expect(await psp.listDisputes()).toEqual([]);
  });

  it('stops with a usage error that does not repeat the key when Stripe rejects it', async () => {
    const rejected = stripeAt(mock.url, 'rk_test_canary0key');
    try {
      const failure = await rejected
        .charge([chargeOf('ord_auth', 1000n)])
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UsageError);
      expect((failure as UsageError).oneLine()).toMatch(
        /^Stripe rejected the API key in STRIPE_API_KEY/,
      );
      expect((failure as UsageError).oneLine()).not.toContain('canary');
    } finally {
      rejected.close();
    }
  });

  it('reports a refused connection as retryable and not sent', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = stripeAt(`http://127.0.0.1:${port}`);
    try {
      const [result] = await unreachable.charge([chargeOf('ord_refused', 1000n)]);
      expect(result).toMatchObject({
        status: 'retryable',
        kind: 'connection',
        sent: false,
        detail: expect.stringContaining('ECONNREFUSED'),
      });
    } finally {
      unreachable.close();
    }
  });

  it('reports an answer that never comes as a timeout whose outcome is unknown', async () => {
    const silent = http.createServer(() => {}); // reads the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const slow = stripeAt(`http://127.0.0.1:${port}`, MOCK_KEY, { timeoutMs: 200 });
    try {
      const [result] = await slow.charge([chargeOf('ord_silent', 1000n)]);
      expect(result).toMatchObject({ status: 'retryable', kind: 'timeout', sent: true });
    } finally {
      slow.close();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

/**
 * The paths stripe-stateful-mock lacks — search, the dispute listing, an expanded balance
 * transaction — against a stub that answers in the shape Stripe's API reference documents, so
 * the requests payops sends there are checked too.
 */
describe("StripePsp on the paths the mock lacks (a stub in the API's documented shape)", () => {
  const requests: {
    method: string;
    url: URL;
    body: URLSearchParams;
    idempotencyKey: string | undefined;
  }[] = [];
  let server: http.Server;
  let psp: StripePsp;
  const charge = (id: string, orderId: string, fields: Record<string, unknown> = {}) => ({
    object: 'charge',
    id,
    amount: 2500,
    currency: 'usd',
    status: 'succeeded',
    captured: true,
    created: 1_795_000_000,
    metadata: { payops_order_id: orderId },
    balance_transaction: {
      object: 'balance_transaction',
      id: `txn_${id}`,
      amount: 2500,
      fee: 103,
      currency: 'usd',
    },
    ...fields,
  });
  const answers: Record<string, (request: (typeof requests)[number]) => unknown> = {
    'POST /v1/charges': (request) =>
      charge('ch_stub_1', request.body.get('metadata[payops_order_id]') ?? ''),
    'GET /v1/charges/search': (request) => ({
      object: 'search_result',
      url: '/v1/charges/search',
      has_more: false,
      next_page: null,
      data:
        request.url.searchParams.get('query') === "metadata['payops_order_id']:'ord_found'"
          ? [charge('ch_found', 'ord_found')]
          : [],
    }),
    'GET /v1/disputes': () => ({
      object: 'list',
      url: '/v1/disputes',
      has_more: false,
      data: [
        {
          object: 'dispute',
          id: 'dp_lost',
          amount: 2500,
          currency: 'usd',
          status: 'lost',
          created: 1_795_000_000,
          charge: charge('ch_found', 'ord_found'),
          balance_transactions: [
            {
              object: 'balance_transaction',
              id: 'txn_dp',
              amount: -2500,
              fee: 1500,
              currency: 'usd',
            },
          ],
        },
        {
          object: 'dispute',
          id: 'dp_open',
          amount: 900,
          currency: 'usd',
          status: 'needs_response',
          created: 1_795_000_100,
          charge: charge('ch_other', 'ord_other'),
          balance_transactions: [],
        },
      ],
    }),
  };

  beforeAll(async () => {
    server = http.createServer((incoming, response) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        text += chunk;
      });
      incoming.on('end', () => {
        const url = new URL(incoming.url ?? '/', 'http://stub');
        const request = {
          method: incoming.method ?? '',
          url,
          body: new URLSearchParams(text),
          idempotencyKey: incoming.headers['idempotency-key'] as string | undefined,
        };
        requests.push(request);
        const answer = answers[`${request.method} ${url.pathname}`];
        response.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(
            answer
              ? answer(request)
              : {
                  error: { type: 'invalid_request_error', message: `no stub for ${url.pathname}` },
                },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    psp = new StripePsp(
      stripeSettingsFrom(
        { STRIPE_API_KEY: MOCK_KEY },
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ),
    );
  });
  afterAll(async () => {
    psp?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("asks for the balance transaction with the charge and books its fee, with the fixed key and the SDK's retries off", async () => {
    const [result] = await psp.charge([chargeOf('ord_fee', 2500n)]);
    expect(result).toEqual({ status: 'succeeded', pspReference: 'ch_stub_1', feeMinor: 103n });
    const sent = requests.find((request) => request.method === 'POST');
    expect(sent?.idempotencyKey).toBe('payops-ord_fee-charge');
    expect(Object.fromEntries(sent?.body ?? [])).toEqual({
      amount: '2500',
      currency: 'usd',
      source: 'tok_visa',
      description: 'payops order ord_fee',
      'metadata[payops_order_id]': 'ord_fee',
      'expand[0]': 'balance_transaction',
    });
    expect(requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it("looks a charge up with Stripe's search by the order id in the metadata", async () => {
    expect(await psp.lookupCharge('ord_found')).toEqual({
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_found', feeMinor: 103n },
    });
    expect(await psp.lookupCharge('ord_missing')).toEqual({ found: false });
    expect(requests.filter((request) => request.url.pathname === '/v1/charges').length).toBe(1); // only the charge above: no listing fallback
  });

  it('lists disputes and books only the lost one, with its order and dispute fee', async () => {
    expect(await psp.listDisputes()).toEqual([
      {
        disputeId: 'dp_lost',
        chargeReference: 'ch_found',
        merchantReference: 'ord_found',
        amountMinor: 2500n,
        disputeFeeMinor: 1500n,
        currency: 'USD',
        createdAt: new Date(1_795_000_000_000).toISOString(),
      },
    ]);
    expect(
      requests
        .find((request) => request.url.pathname === '/v1/disputes')
        ?.url.searchParams.get('expand[0]'),
    ).toBe('data.charge');
  });
});

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payops, tempDirPerTest } from '../helpers/cli.js';
import { eventsFile } from '../helpers/events.js';
import { MOCK_KEY, type StripeMock, startStripeMock } from '../helpers/stripe-mock.js';

interface CheckJson {
  ok: boolean;
  results: { name: string; ok: boolean; details: string[] }[];
}

/** A request straight to the mock, as a second payops (a restored book) or another program would make it. */
async function post(
  mock: StripeMock,
  resource: string,
  fields: Record<string, string>,
): Promise<{ id: string }> {
  const response = await fetch(`${mock.url}/v1/${resource}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${MOCK_KEY}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string };
}

/**
 * Issue 14 item 1: `payops check --psp stripe` reads Stripe's own record (charges and refunds by
 * the metadata payops attaches), so a charge or refund made twice cannot go unseen. One mock per
 * test, so that only this book's charges are at the PSP.
 */
describe('payops check --psp stripe (end to end, stripe-stateful-mock)', () => {
  let mock: StripeMock;
  const tmp = tempDirPerTest();
  const env = { env: { STRIPE_API_KEY: MOCK_KEY } };
  beforeAll(async () => {
    mock = await startStripeMock();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('passes on a book that matches Stripe, and fails naming an order charged twice and a refund made twice', async () => {
    const db = path.join(tmp.dir, 'books.db');
    const stripe = (...args: string[]) =>
      payops([...args, '--db', db, '--psp', 'stripe', '--psp-url', mock.url], env);
    expect(payops(['init', '--db', db]).code).toBe(0);
    const checkouts = eventsFile(tmp.dir, 'checkouts.ndjson', {
      eventId: 'sc_chk_1',
      type: 'pay_in',
      occurredAt: '2026-11-23T10:00:00Z',
      currency: 'USD',
      payer: { id: 'buyer_1' },
      paymentToken: 'tok_visa',
      orders: [
        { orderId: 'sc_ord_1', sellerId: 'seller_1', amount: '12.00' },
        { orderId: 'sc_ord_2', sellerId: 'seller_2', amount: '8.00' },
      ],
    });
    expect(stripe('payin', 'run', checkouts).code).toBe(0);
    const refund = eventsFile(tmp.dir, 'refund.ndjson', {
      eventId: 'sc_rf_1',
      type: 'refund',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'sc_ord_1',
      amount: '2.00',
    });
    expect(stripe('payin', 'run', refund).code).toBe(0);

    const passing = stripe('check', '--json');
    const report = JSON.parse(passing.stdout) as CheckJson;
    expect(report.results.filter((result) => !result.ok)).toEqual([]);
    expect(report.results.map((result) => result.name)).toEqual(
      expect.arrayContaining([
        'every order charged at most once at the PSP (stripe)',
        'every refund made at most once at the PSP (stripe)',
      ]),
    );
    expect(passing.code).toBe(0);

    // What a restored book sending blind would leave at Stripe: a second charge and a second refund.
    const second = await post(mock, 'charges', {
      amount: '1200',
      currency: 'usd',
      source: 'tok_visa',
      'metadata[payops_order_id]': 'sc_ord_1',
    });
    const charge = (
      JSON.parse(payops(['orders', 'list', '--json', '--db', db]).stdout) as {
        orderId: string;
        pspReference: string;
      }[]
    ).find((order) => order.orderId === 'sc_ord_1');
    await post(mock, 'refunds', {
      charge: charge?.pspReference ?? '',
      amount: '200',
      'metadata[payops_refund_id]': 'sc_rf_1',
    });
    const failing = stripe('check', '--json');
    expect(failing.code).toBe(5);
    const problems = (JSON.parse(failing.stdout) as CheckJson).results
      .filter((result) => !result.ok)
      .flatMap((result) => result.details);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^order sc_ord_1 was charged 2 times at the PSP \\(.*${second.id}`),
        ),
        expect.stringMatching(/^refund sc_rf_1 was made 2 times at the PSP/),
      ]),
    );
  }, 60_000);
});

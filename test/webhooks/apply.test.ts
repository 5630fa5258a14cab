import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { balances } from '../../src/ledger/index.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { showOrder } from '../../src/payments/queries.js';
import { SqliteOrderReads } from '../../src/payments/sqlite-order-reads.js';
import {
  type WebhookOutcome,
  type WebhookApplier,
  parseWebhookEvent,
} from '../../src/webhooks/apply.js';
import { InputError } from '../../src/errors.js';
import type { Currency } from '../../src/money/index.js';
import { syncChargebacks } from '../../src/refunds/chargebacks.js';
import { SqliteChargebackSyncStore } from '../../src/refunds/sqlite-chargeback-sync-store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { sqliteWebhookApplier } from '../../src/webhooks/sqlite-apply-store.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };
let eventCounter = 0;

function chargeEvent(
  orderId: string,
  status: 'pending' | 'succeeded' | 'failed',
  changes: { amountMinor?: string; charge?: string; id?: string } = {},
): string {
  return JSON.stringify({
    id: changes.id ?? `evt_${++eventCounter}`,
    type: `charge.${status}`,
    created: '2026-11-23T10:00:01.000Z',
    data: {
      object: {
        object: 'charge',
        id: changes.charge ?? `ch_${orderId}`,
        status,
        merchantReference: orderId,
        amountMinor: changes.amountMinor ?? '2500',
        currency: 'USD',
        feeMinor: status === 'succeeded' ? '102' : null,
        failureCode: status === 'failed' ? 'authentication_failed' : null,
        created: '2026-11-23T10:00:00.000Z',
      },
    },
  });
}

describe("webhook events applied through the executor's recorder", () => {
  let db: Database;
  let cleanup: () => void;
  let dir: string;
  let psp: FakePsp;
  let applier: WebhookApplier;
  // Parsing throws at once; applying resolves to the outcome.
  const apply = (body: string): Promise<WebhookOutcome> =>
    applier.apply(parseWebhookEvent(body), 'listen').then(({ outcome }) => outcome);
  const status = async (orderId: string) =>
    (await showOrder(new SqliteOrderReads(db), orderId)).status;

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
    psp = new FakePsp();
    (psp as { name: string }).name = 'http';
    const input = path.join(dir, 'events.ndjson');
    fs.writeFileSync(
      input,
      `${JSON.stringify({
        eventId: 'chk_1',
        type: 'pay_in',
        occurredAt: '2026-11-23T09:00:00Z',
        currency: 'USD',
        payer: { id: 'buyer_1' },
        paymentToken: 'tok_visa',
        orders: [
          { orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' },
          { orderId: 'ord_2', sellerId: 'seller_9', amount: '25.00' },
          { orderId: 'ord_3', sellerId: 'seller_9', amount: '25.00' },
        ],
      })}\n`,
    );
    await ingest(new SqliteIntakeStore(db), [input], { psp: 'http' });
    applier = sqliteWebhookApplier(db, { psp: 'http', retry: POLICY, clock: Date.now });
  });
  afterEach(() => cleanup());

  const execute = () =>
    new PayinExecutor(sqliteBook(db), {
      psp,
      retry: POLICY,
      clock: Date.now,
      random: () => 1,
      leaseMs: 60_000,
    }).runDue();

  it('books a pending order that succeeded, once: capture, PSP fee and wallet, as the executor would', async () => {
    psp.script('ord_1', { status: 'pending', pspReference: 'ch_ord_1' });
    await execute();
    expect(await status('ord_1')).toBe('pending');
    const succeeded = chargeEvent('ord_1', 'succeeded');
    expect(await apply(succeeded)).toBe('applied');
    expect(await status('ord_1')).toBe('succeeded');
    const byAccount = Object.fromEntries(
      balances(db).map((row) => [row.account, row.balanceMinor]),
    );
    expect(byAccount['liabilities:sellers:seller_7:pending']).toBe(2250n);
    expect(byAccount['expenses:psp-fees']).toBe(30n + 30n + 102n); // ord_2 and ord_3 by the fake, ord_1 by the event
    // Duplicated delivery, and a late pending that overtook nothing: neither changes a thing.
    expect(await apply(succeeded)).toBe('duplicate');
    expect(await apply(chargeEvent('ord_1', 'pending'))).toBe('stale');
    expect(await apply(chargeEvent('ord_1', 'succeeded'))).toBe('already_applied');
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('applies a failure to a pending order, and calls the opposite of a final state a conflict, changing nothing', async () => {
    psp.script('ord_1', { status: 'pending', pspReference: 'ch_ord_1' });
    await execute();
    expect(await apply(chargeEvent('ord_1', 'failed'))).toBe('applied');
    expect(await status('ord_1')).toBe('failed');
    expect(await apply(chargeEvent('ord_1', 'succeeded'))).toBe('conflict');
    expect(await status('ord_1')).toBe('failed');
    expect(await apply(chargeEvent('ord_2', 'failed', { charge: 'ch_ord_2' }))).toBe('conflict');
    expect(await status('ord_2')).toBe('succeeded');
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('leaves an order that has no answer yet to the executor: a final event is not remembered (the PSP delivers it again)', async () => {
    const early = chargeEvent('ord_1', 'succeeded', { id: 'evt_early' });
    expect(await apply(early)).toBe('retry_later');
    expect(await apply(chargeEvent('ord_1', 'pending'))).toBe('deferred');
    expect(await status('ord_1')).toBe('created');
    // The executor learns pending; the redelivered event then applies.
    psp.script('ord_1', { status: 'pending', pspReference: 'ch_ord_1' });
    await execute();
    expect(await apply(early)).toBe('applied');
    expect(await status('ord_1')).toBe('succeeded');
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('leaves unknown orders to reconciliation and refuses to apply events that disagree with the order', async () => {
    psp.script('ord_1', { status: 'pending', pspReference: 'ch_ord_1' });
    await execute();
    expect(await apply(chargeEvent('ord_404', 'succeeded'))).toBe('unknown_order');
    expect(await apply(chargeEvent('ord_1', 'succeeded', { amountMinor: '2501' }))).toBe(
      'mismatch',
    );
    expect(await apply(chargeEvent('ord_1', 'succeeded', { charge: 'ch_other' }))).toBe('mismatch');
    expect(await status('ord_1')).toBe('pending');
    const remembered = db.prepare('SELECT outcome FROM webhook_events ORDER BY outcome').all() as {
      outcome: string;
    }[];
    expect(remembered.map((row) => row.outcome)).toEqual(['mismatch', 'mismatch', 'unknown_order']);
  });

  it('books a dispute as a chargeback once, with the same function as chargebacks sync', async () => {
    psp.script('ord_2', { status: 'pending', pspReference: 'ch_ord_2' });
    await execute();
    const disputeEvent = (id: string, orderId: string, disputeId = 'dp_1') =>
      JSON.stringify({
        id,
        type: 'dispute.created',
        created: '2026-11-24T10:00:00.000Z',
        data: {
          object: {
            object: 'dispute',
            id: disputeId,
            charge: `ch_${orderId}`,
            merchantReference: orderId,
            amountMinor: '2500',
            feeMinor: '1500',
            currency: 'USD',
            created: '2026-11-24T10:00:00.000Z',
          },
        },
      });
    expect(await apply(disputeEvent('evt_d1', 'ord_1'))).toBe('applied');
    expect(await apply(disputeEvent('evt_d1', 'ord_1'))).toBe('duplicate');
    expect(await apply(disputeEvent('evt_d2', 'ord_1'))).toBe('already_applied'); // another event, the same dispute
    expect(await apply(disputeEvent('evt_d3', 'ord_2', 'dp_2'))).toBe('retry_later'); // not captured in payops yet
    const byAccount = Object.fromEntries(
      balances(db).map((row) => [row.account, row.balanceMinor]),
    );
    expect(byAccount['expenses:chargeback-fees']).toBe(1500n);
    expect(byAccount['liabilities:sellers:seller_7:pending'] ?? 0n).toBe(0n); // the whole share clawed back
    psp.disputes.push({
      disputeId: 'dp_1',
      chargeReference: 'ch_ord_1',
      merchantReference: 'ord_1',
      amountMinor: 2500n,
      disputeFeeMinor: 1500n,
      currency: 'USD' as Currency,
      createdAt: '2026-11-24T10:00:00.000Z',
    });
    expect(await syncChargebacks(new SqliteChargebackSyncStore(db), psp)).toMatchObject({
      recorded: 0,
      alreadyRecorded: 1,
    });
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('refuses malformed events before anything is written, and ignores types it does not act on', async () => {
    expect(() => parseWebhookEvent('{')).toThrow(InputError);
    expect(() =>
      parseWebhookEvent(
        chargeEvent('ord_1', 'succeeded').replace('"amountMinor":"2500"', '"amountMinor":2500'),
      ),
    ).toThrow(/amountMinor/);
    expect(() =>
      parseWebhookEvent(
        chargeEvent('ord_1', 'succeeded').replace(
          '"type":"charge.succeeded"',
          '"type":"charge.failed"',
        ),
      ),
    ).toThrow(/does not match the event type/);
    expect(() => parseWebhookEvent(chargeEvent('ord_1', 'succeeded', { id: 'nope' }))).toThrow(
      /not an event id/,
    );
    // Ids are stored and printed on a terminal: no escape sequence, no unpaired surrogate.
    expect(() =>
      parseWebhookEvent(chargeEvent('ord_\u001b[31mred', 'succeeded', { charge: 'ch_1' })),
    ).toThrow(/data\.object\.merchantReference: "ord_\?\[31mred" holds a control character/);
    expect(() =>
      parseWebhookEvent(chargeEvent('ord_\ud800', 'succeeded', { charge: 'ch_1' })),
    ).toThrow(/unpaired surrogate/);
    expect(
      parseWebhookEvent(chargeEvent('=HYPERLINK("x")', 'succeeded', { charge: 'ch_1' })),
    ).toMatchObject({ charge: { merchantReference: '=HYPERLINK("x")' } });
    expect(() =>
      parseWebhookEvent(
        chargeEvent('ord_1', 'succeeded').replace(
          '"status":"succeeded"',
          '"status":"\\u001b[2Jwiped"',
        ),
      ),
    ).toThrow('data.object.status: "?[2Jwiped" does not match the event type charge.succeeded');
    expect(
      await apply(
        JSON.stringify({
          id: 'evt_x',
          type: 'payout.paid',
          created: '2026-11-23T10:00:00Z',
          data: { object: {} },
        }),
      ),
    ).toBe('ignored');
    expect(
      await apply(
        JSON.stringify({
          id: 'evt_x',
          type: 'payout.paid',
          created: '2026-11-23T10:00:00Z',
          data: { object: {} },
        }),
      ),
    ).toBe('duplicate');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containsCardNumber } from '../../src/input/card-numbers.js';
import { IDENTIFIER } from '../../src/input/ids.js';
import type { Database } from '../../src/db/index.js';
import { UsageError } from '../../src/errors.js';
import { PayinExecutor } from '../../src/payments/executor.js';
import { ingest } from '../../src/payments/intake/intake.js';
import { PayoutExecutor } from '../../src/payouts/executor.js';
import { runPayouts } from '../../src/payouts/payout-run.js';
import { listPayouts } from '../../src/payouts/queries.js';
import { payoutIdOf } from '../../src/payouts/store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';

/** seller_7's first payout: the share of ord_1 (25.00 less its 2.50 fee); ids come from content. */
const PAYOUT_ID = payoutIdOf({ sellerId: 'seller_7', currency: 'USD', amountMinor: 2250n }, 0n, 0);

const T0 = Date.parse('2026-11-25T10:00:00Z');
const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 1 };

describe('payout runs and the PSP that sends them', () => {
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let psp: FakePsp;
  const clock = () => T0;

  beforeEach(async () => {
    ({ db, file, cleanup } = tempDatabase());
    psp = new FakePsp();
    const events = path.join(path.dirname(file), 'events.ndjson');
    fs.writeFileSync(events, [
      { eventId: 'chk_1', type: 'pay_in', occurredAt: '2026-11-23T10:00:00Z', currency: 'USD', payer: { id: 'buyer_1' }, paymentToken: 'tok_visa', orders: [{ orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }] },
    ].map((event) => JSON.stringify(event)).join('\n'));
    await ingest(db, [events], { psp: 'sim' });
    await new PayinExecutor(db, { psp, retry: POLICY, clock }).runDue();
    const deliveries = path.join(path.dirname(file), 'deliveries.ndjson');
    fs.writeFileSync(deliveries, JSON.stringify({ eventId: 'po_1', type: 'pay_out', occurredAt: '2026-11-24T10:00:00Z', orderId: 'ord_1', seller: { id: 'seller_7', name: 'Acme', account: { iban: 'DE89370400440532013000' } } }));
    await ingest(db, [deliveries], { psp: 'sim' });
  });
  afterEach(() => cleanup());

  it('refuses a PSP that does not send payouts before it creates or claims anything, dry run included', async () => {
    const stripeLike = Object.assign(new FakePsp('stripe'), { supportsPayouts: false });
    for (const dryRun of [false, true]) {
      const refused = await runPayouts(db, { psp: stripeLike, retry: POLICY, clock, dryRun }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UsageError);
      expect((refused as UsageError).message).toBe('payout run: payops does not send payouts through --psp stripe; nothing was claimed');
    }
    expect(listPayouts(db)).toEqual([]);
    expect(stripeLike.payoutCalls).toEqual([]);
    const summary = await runPayouts(db, { psp, retry: POLICY, clock });
    expect(summary.execution.succeeded).toBe(1); // the money is still payable, untouched
  });

  it('requeues a dead-lettered payout only through the PSP it was created for', async () => {
    psp.payoutScripts.set(`payops-${PAYOUT_ID}-payout`, [{ status: 'retryable', kind: 'timeout', sent: true, detail: 'test timeout' }]);
    await runPayouts(db, { psp, retry: POLICY, clock });
    expect(listPayouts(db)).toEqual([expect.objectContaining({ payoutId: PAYOUT_ID, status: 'dead_lettered' })]);
    const other = new FakePsp('other');
    const elsewhere = await new PayoutExecutor(db, { psp: other, retry: POLICY, clock }).requeue([PAYOUT_ID], 'test operator');
    expect(elsewhere.attempted).toBe(0);
    expect(other.payoutCalls).toEqual([]);
    expect(listPayouts(db)[0]?.status).toBe('dead_lettered');
    const home = await new PayoutExecutor(db, { psp, retry: POLICY, clock }).requeue([PAYOUT_ID], 'test operator');
    expect(home.succeeded).toBe(1);
  });
});

describe('payout ids from content (issue 14 item 1)', () => {
  it('are the same for the same seller, currency, amount and place in the seller\'s history, and differ otherwise', () => {
    const payout = { sellerId: 'seller_7', currency: 'USD', amountMinor: 2250n };
    expect(payoutIdOf(payout, 0n, 0)).toBe(payoutIdOf({ ...payout }, 0n, 0));
    expect(payoutIdOf(payout, 0n, 0)).toMatch(/^po_[a-p]{24}$/);
    const others = [payoutIdOf({ ...payout, sellerId: 'seller_8' }, 0n, 0), payoutIdOf({ ...payout, currency: 'EUR' }, 0n, 0), payoutIdOf({ ...payout, amountMinor: 2251n }, 0n, 0), payoutIdOf(payout, 100n, 0), payoutIdOf(payout, 0n, 1)];
    expect(new Set([payoutIdOf(payout, 0n, 0), ...others]).size).toBe(6);
  });

  it('never holds what a card-number scan or an id rule would refuse (a hex id did: psp serve dead-lettered it)', () => {
    // The payout of seller_3 in the http end-to-end test had the id po_b9fa080e237916142516139f.
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.nat(5), (sellerId, amountMinor, before, ordinal) => {
        const id = payoutIdOf({ sellerId, currency: 'EUR', amountMinor }, before, ordinal);
        expect(containsCardNumber(id)).toBe(false);
        expect(IDENTIFIER.test(id)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

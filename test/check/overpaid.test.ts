import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';
import { runPayin } from '../../src/work/executors/payin.js';
import { payoutSentTransaction } from '../../src/postings/index.js';
import type { ClaimedPayout } from '../../src/payouts/store.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { Wallets } from '../../src/wallet/wallet-store.js';
import { tempDatabase } from '../helpers/db.js';
import { eventsFile } from '../helpers/events.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

/**
 * Found in review: check's payout identity (payable + paid out = released less refunds) holds
 * whatever a payout's amount, since every payout moves payable to paid out; a seller paid twice
 * for one release passed as a seller who "owes" the difference.
 */
const USD = toCurrency('USD');

describe('payops check and sellers paid more than was released to them', () => {
  let db: Database;
  let cleanup: () => void;

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    const psp = new FakePsp();
    const execution = {
      psp,
      retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 },
      clock: () => Date.parse('2026-11-23T10:00:00Z'),
    };
    const input = (name: string, event: unknown) => eventsFile(path.dirname(file), name, event);
    await runPayin(
      sqliteBook(db),
      [
        input('checkout.ndjson', {
          eventId: 'chk_1',
          type: 'pay_in',
          occurredAt: '2026-11-23T09:00:00Z',
          currency: 'USD',
          payer: { id: 'buyer_1' },
          paymentToken: 'tok_visa',
          orders: [
            { orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' },
          ],
        }),
      ],
      {},
      execution,
    );
    await runPayin(
      sqliteBook(db),
      [
        input('delivery.ndjson', {
          eventId: 'dlv_1',
          type: 'pay_out',
          occurredAt: '2026-11-23T09:30:00Z',
          orderId: 'ord_1',
          seller: { id: 'seller_7', name: 'Seller 7', account: { iban: 'DE89370400440532013000' } },
        }),
      ],
      {},
      execution,
    );
    await runPayouts(sqliteBook(db), execution);
  });
  afterEach(() => cleanup());

  it('passes the seller paid once what was released', async () => {
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('fails a second payout of the same release, though every posting and the wallet agree with it', async () => {
    const at = '2026-11-23T11:00:00.000Z';
    const payout = {
      payoutId: 'po_twice',
      sellerId: 'seller_7',
      currency: USD,
      amountMinor: 2250n,
    } as ClaimedPayout;
    db.prepare(
      `INSERT INTO payouts (payout_id, seller_id, currency, amount_minor, destination, payout_key, psp, status, created_at, updated_at)
       VALUES ('po_twice', 'seller_7', 'USD', 2250, 'DE89370400440532013000', 'payops-po_twice-payout', 'sim', 'succeeded', ?, ?)`,
    ).run(at, at);
    new Ledger(db).postBatch([payoutSentTransaction(payout, 'tr_twice', at)]);
    new Wallets(db).apply(
      [
        {
          sellerId: 'seller_7',
          currency: USD,
          pendingMinor: 0n,
          payableMinor: -2250n,
          paidOutMinor: 2250n,
        },
      ],
      at,
    );
    const report = await checkBooks(db);
    expect(report.ok).toBe(false);
    expect(report.results.flatMap((result) => result.details ?? [])).toContain(
      'seller_7 USD: paid out 4500, more than the 2250 ever released to them',
    );
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { UnrecordedAnswers } from '../../src/payments/unrecorded-answers-store.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { resolveAttention } from '../../src/work/executors/resolve-attention.js';
import { SqliteAttentionStore } from '../../src/work/executors/sqlite-attention-store.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { listPayouts } from '../../src/payouts/queries.js';
import { SqlitePayoutsStore } from '../../src/payouts/sqlite-payouts-store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };

/** This connection's ledger refuses every payout posting until the trigger is dropped. */
const BLOCK_PAYOUTS = `CREATE TEMP TRIGGER block_payouts BEFORE INSERT ON main.ledger_transactions WHEN NEW.kind = 'payout.sent'
  BEGIN SELECT RAISE(ABORT, 'test: payout postings are blocked'); END`;

describe('a payout the PSP sent and payops could not record', () => {
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let psp: FakePsp;
  const clock = () => T0;
  const events = async (name: string, ...list: unknown[]) => {
    const input = path.join(path.dirname(file), name);
    fs.writeFileSync(input, `${list.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };

  beforeEach(async () => {
    ({ db, file, cleanup } = tempDatabase());
    psp = new FakePsp();
    await events('checkouts.ndjson', {
      eventId: 'chk_1',
      type: 'pay_in',
      occurredAt: '2026-11-23T10:00:00Z',
      currency: 'USD',
      payer: { id: 'buyer_1' },
      paymentToken: 'tok_visa',
      orders: [{ orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }],
    });
    await new PayinExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue();
    await events('deliveries.ndjson', {
      eventId: 'po_1',
      type: 'pay_out',
      occurredAt: '2026-11-24T10:00:00Z',
      orderId: 'ord_1',
      seller: { id: 'seller_7', name: 'Acme', account: { iban: 'DE89370400440532013000' } },
    });
  });
  afterEach(() => cleanup());

  it('keeps the answer, holds the payable against a second payout, and resolve books the transfer once', async () => {
    db.exec(BLOCK_PAYOUTS);
    const first = await runPayouts(sqliteBook(db), { psp, retry: POLICY, clock });
    expect(first.execution).toMatchObject({ attempted: 1, succeeded: 0, needsAttention: 1 });
    expect(first.open.needsAttention).toBe(1);
    const payoutId = first.payoutIds[0] as string;
    expect(await listPayouts(new SqlitePayoutsStore(db))).toEqual([
      expect.objectContaining({
        payoutId,
        status: 'needs_attention',
        pspReference: `tr_${payoutId}`,
      }),
    ]);
    expect(new UnrecordedAnswers(db).open()).toEqual([
      expect.objectContaining({
        kind: 'payout',
        itemId: payoutId,
        answerStatus: 'succeeded',
        amountMinor: 2250n,
        currency: 'USD',
        error: 'test: payout postings are blocked',
      }),
    ]);
    // The payable is still in the wallet (not booked as paid): a second run must not pay it again.
    const second = await runPayouts(sqliteBook(db), { psp, retry: POLICY, clock });
    expect(second.execution.attempted).toBe(0);
    expect(psp.payoutCalls).toHaveLength(1);
    expect((await checkBooks(db)).results.filter((r) => !r.ok).map((r) => r.name)).toEqual([
      'every PSP answer recorded',
    ]);

    db.exec('DROP TRIGGER temp.block_payouts');
    expect(
      await resolveAttention(
        new SqliteAttentionStore(db),
        { ids: [payoutId] },
        'test operator',
        clock,
      ),
    ).toEqual([expect.objectContaining({ outcome: 'booked' })]);
    expect(
      await resolveAttention(
        new SqliteAttentionStore(db),
        { ids: [payoutId] },
        'test operator',
        clock,
      ),
    ).toEqual([expect.objectContaining({ outcome: 'already_booked' })]);
    expect((await listPayouts(new SqlitePayoutsStore(db)))[0]?.status).toBe('succeeded');
    expect(
      db
        .prepare("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'payout.sent'")
        .pluck()
        .get(),
    ).toBe(1n);
    expect((await runPayouts(sqliteBook(db), { psp, retry: POLICY, clock })).payoutIds).toEqual([]);
    expect(psp.payoutCalls).toHaveLength(1);
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

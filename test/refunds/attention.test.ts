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
import { RefundExecutor } from '../../src/work/executors/refund.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };
const clock = () => Date.parse('2026-11-26T12:00:00Z');

/** A cause payops cannot get past: this connection's ledger refuses every refund posting until the trigger is dropped. */
const BLOCK_REFUNDS = `CREATE TEMP TRIGGER block_refunds BEFORE INSERT ON main.ledger_transactions WHEN NEW.kind = 'refund.sent'
  BEGIN SELECT RAISE(ABORT, 'test: refund postings are blocked'); END`;

describe('a refund the PSP made and payops could not record', () => {
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let psp: FakePsp;
  const events = async (name: string, ...list: unknown[]) => {
    const input = path.join(path.dirname(file), name);
    fs.writeFileSync(input, `${list.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };
  const refundsState = () => db.prepare('SELECT refund_id, status FROM refunds ORDER BY id').all();

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
      orders: [
        { orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' },
        { orderId: 'ord_2', sellerId: 'seller_9', amount: '10.00' },
      ],
    });
    await new PayinExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue();
    await events(
      'refunds.ndjson',
      {
        eventId: 'rf_1',
        type: 'refund',
        occurredAt: '2026-11-26T12:00:00Z',
        orderId: 'ord_1',
        amount: '20.00',
        reason: 'damaged',
      },
      {
        eventId: 'rf_2',
        type: 'refund',
        occurredAt: '2026-11-26T12:00:00Z',
        orderId: 'ord_2',
        amount: '4.00',
        reason: 'late',
      },
    );
  });
  afterEach(() => cleanup());

  it('keeps the answer, moves the refund to needs_attention, never sends it again, and resolve books it once after the cause is gone', async () => {
    db.exec(BLOCK_REFUNDS);
    const tally = await new RefundExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue();
    expect(tally).toMatchObject({ attempted: 2, succeeded: 0, needsAttention: 2 });
    expect(refundsState()).toEqual([
      { refund_id: 'rf_1', status: 'needs_attention' },
      { refund_id: 'rf_2', status: 'needs_attention' },
    ]);
    expect(new UnrecordedAnswers(db).open()).toEqual([
      expect.objectContaining({
        kind: 'refund',
        itemId: 'rf_1',
        answerStatus: 'succeeded',
        pspReference: 're_rf_1',
        amountMinor: 2000n,
        currency: 'USD',
        error: 'test: refund postings are blocked',
      }),
      expect.objectContaining({
        kind: 'refund',
        itemId: 'rf_2',
        pspReference: 're_rf_2',
        amountMinor: 400n,
      }),
    ]);
    expect(
      (await new RefundExecutor(sqliteBook(db), { psp, retry: POLICY, clock }).runDue()).attempted,
    ).toBe(0);
    const check = await checkBooks(db);
    expect(check.results.filter((r) => !r.ok).map((r) => [r.name, r.details])).toEqual([
      [
        'every PSP answer recorded',
        [
          'refund rf_1: the PSP answered succeeded (re_rf_1) and payops could not record it: test: refund postings are blocked (fix the cause, then `payops attention resolve rf_1`)',
          'refund rf_2: the PSP answered succeeded (re_rf_2) and payops could not record it: test: refund postings are blocked (fix the cause, then `payops attention resolve rf_2`)',
        ],
      ],
    ]);
    expect(
      await resolveAttention(
        new SqliteAttentionStore(db),
        { ids: ['rf_1'] },
        'test operator',
        clock,
      ),
    ).toEqual([expect.objectContaining({ outcome: 'refused' })]);

    db.exec('DROP TRIGGER temp.block_refunds');
    expect(
      (
        await resolveAttention(new SqliteAttentionStore(db), { all: true }, 'test operator', clock)
      ).map((r) => r.outcome),
    ).toEqual(['booked', 'booked']);
    expect(
      await resolveAttention(new SqliteAttentionStore(db), { all: true }, 'test operator', clock),
    ).toEqual([]);
    expect(refundsState()).toEqual([
      { refund_id: 'rf_1', status: 'succeeded' },
      { refund_id: 'rf_2', status: 'succeeded' },
    ]);
    expect(
      db
        .prepare("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'refund.sent'")
        .pluck()
        .get(),
    ).toBe(2n);
    expect(
      db
        .prepare(
          "SELECT from_status, to_status FROM refund_transitions WHERE to_status = 'succeeded'",
        )
        .all(),
    ).toEqual([
      { from_status: 'needs_attention', to_status: 'succeeded' },
      { from_status: 'needs_attention', to_status: 'succeeded' },
    ]);
    expect(psp.refundCalls.map((call) => call.refundId)).toEqual(['rf_1', 'rf_2']);
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

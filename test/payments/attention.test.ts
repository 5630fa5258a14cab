import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { MAX_MINOR } from '../../src/money/index.js';
import { UnrecordedAnswers } from '../../src/payments/unrecorded-answers-store.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { assertTransition } from '../../src/payments/order-state.js';
import { showOrder } from '../../src/payments/queries.js';
import { SqliteOrderReads, statusCounts } from '../../src/payments/sqlite-order-reads.js';
import { resolveAttention } from '../../src/work/executors/resolve-attention.js';
import { SqliteAttentionStore } from '../../src/work/executors/sqlite-attention-store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from './fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 };
const RECEIVABLE = 'assets:psp:sim:receivable';

function payIn(
  eventId: string,
  currency: string,
  orders: [orderId: string, sellerId: string, amount: string][],
) {
  return {
    eventId,
    type: 'pay_in',
    occurredAt: '2026-11-23T09:00:00Z',
    currency,
    payer: { id: 'buyer_1' },
    paymentToken: 'tok_visa',
    orders: orders.map(([orderId, sellerId, amount]) => ({ orderId, sellerId, amount })),
  };
}

/** Raises (or puts back) an account's stored balance so that the next capture overflows it: the cause the issue found. */
function setBalance(db: Database, account: string, currency: string, balanceMinor: bigint): bigint {
  const before = db
    .prepare('SELECT balance_minor FROM ledger_accounts WHERE name = ? AND currency = ?')
    .pluck()
    .get(account, currency) as bigint;
  db.prepare('UPDATE ledger_accounts SET balance_minor = ? WHERE name = ? AND currency = ?').run(
    balanceMinor,
    account,
    currency,
  );
  return before;
}

describe('a charge the PSP captured and payops could not record', () => {
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let psp: FakePsp;
  const clock = () => T0;
  const executor = () =>
    new PayinExecutor(sqliteBook(db), {
      psp,
      retry: POLICY,
      clock,
      random: () => 1,
      leaseMs: 60_000,
    });
  const load = async (name: string, ...events: unknown[]) => {
    const input = path.join(path.dirname(file), name);
    fs.writeFileSync(input, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  };

  beforeEach(async () => {
    ({ db, file, cleanup } = tempDatabase());
    psp = new FakePsp();
    await load('first.ndjson', payIn('chk_0', 'USD', [['ord_0', 'seller_7', '1.00']]));
    await executor().runDue();
  });
  afterEach(() => cleanup());

  const overflowBatch = async () => {
    const original = setBalance(db, RECEIVABLE, 'USD', MAX_MINOR - 100n);
    await load(
      'day.ndjson',
      payIn('chk_1', 'USD', [
        ['ord_1', 'seller_7', '25.00'],
        ['ord_2', 'seller_9', '10.00'],
      ]),
      payIn('chk_2', 'EUR', [['ord_3', 'seller_7', '5.00']]),
    );
    return original;
  };

  it('books the good orders of the batch, keeps each unrecordable capture as a fact and moves its order to needs_attention', async () => {
    await overflowBatch();
    const tally = await executor().runDue();
    expect(tally).toMatchObject({ attempted: 3, succeeded: 1, needsAttention: 2 });
    expect((await showOrder(new SqliteOrderReads(db), 'ord_3')).status).toBe('succeeded');
    for (const orderId of ['ord_1', 'ord_2']) {
      const order = await showOrder(new SqliteOrderReads(db), orderId);
      expect(order.status).toBe('needs_attention');
      expect(order.pspReference).toBe(`ch_${orderId}`);
      expect(order.transitions.at(-1)).toMatchObject({ from: 'executing', to: 'needs_attention' });
      expect(order.ledgerTransactions).toEqual([]);
    }
    const facts = new UnrecordedAnswers(db).open();
    expect(facts).toEqual([
      expect.objectContaining({
        kind: 'charge',
        itemId: 'ord_1',
        psp: 'sim',
        answerStatus: 'succeeded',
        pspReference: 'ch_ord_1',
        amountMinor: 2500n,
        currency: 'USD',
        pspFeeMinor: 30n,
        resolvedAt: null,
      }),
      expect.objectContaining({
        kind: 'charge',
        itemId: 'ord_2',
        answerStatus: 'succeeded',
        pspReference: 'ch_ord_2',
        amountMinor: 1000n,
        currency: 'USD',
      }),
    ]);
    expect(facts[0]?.error).toMatch(
      /assets:psp:sim:receivable, whose balance is .* would take it beyond the largest balance payops can hold/,
    );
  });

  it('never sends an order in needs_attention again: later runs claim nothing', async () => {
    await overflowBatch();
    await executor().runDue();
    const again = await executor().runDue();
    expect(again.attempted).toBe(0);
    expect(psp.callsFor('ord_1')).toBe(1);
    expect(psp.callsFor('ord_2')).toBe(1);
    expect(statusCounts(db, 'sim').needs_attention).toBe(2);
  });

  it('a resolve that another run beat to a fact reports it already booked, not refused', async () => {
    const original = await overflowBatch();
    await executor().runDue();
    setBalance(db, RECEIVABLE, 'USD', original);
    const open = SqliteAttentionStore.prototype.open;
    // The other run books everything between this run's listing and its booking.
    vi.spyOn(SqliteAttentionStore.prototype, 'open').mockImplementationOnce(async function (
      this: SqliteAttentionStore,
    ) {
      const listed = await open.call(this);
      expect(
        (
          await resolveAttention(
            new SqliteAttentionStore(db),
            { all: true },
            'other operator',
            clock,
          )
        ).map((r) => r.outcome),
      ).toEqual(['booked', 'booked']);
      return listed;
    });
    const late = await resolveAttention(
      new SqliteAttentionStore(db),
      { all: true },
      'test operator',
      clock,
    );
    expect(late.map((r) => [r.itemId, r.outcome])).toEqual([
      ['ord_1', 'already_booked'],
      ['ord_2', 'already_booked'],
    ]);
    expect(late[0]?.detail).toMatch(/^booked at \S+ by other operator$/);
    expect((await showOrder(new SqliteOrderReads(db), 'ord_1')).ledgerTransactions).toHaveLength(2);
    vi.restoreAllMocks();
  });

  it('resolve refuses while the cause stands, then books each kept capture exactly once', async () => {
    const original = await overflowBatch();
    await executor().runDue();
    const refused = await resolveAttention(
      new SqliteAttentionStore(db),
      { all: true },
      'test operator',
      clock,
    );
    expect(refused.map((r) => r.outcome)).toEqual(['refused', 'refused']);
    expect(refused[0]?.detail).toMatch(
      /^still cannot be booked: .*beyond the largest balance payops can hold .*; it stays in needs_attention$/,
    );
    expect((await showOrder(new SqliteOrderReads(db), 'ord_1')).status).toBe('needs_attention');
    expect(new UnrecordedAnswers(db).openCount()).toBe(2);

    setBalance(db, RECEIVABLE, 'USD', original);
    const booked = await resolveAttention(
      new SqliteAttentionStore(db),
      { all: true },
      'test operator',
      clock,
    );
    expect(booked.map((r) => [r.itemId, r.outcome])).toEqual([
      ['ord_1', 'booked'],
      ['ord_2', 'booked'],
    ]);
    const order = await showOrder(new SqliteOrderReads(db), 'ord_1');
    expect(order.status).toBe('succeeded');
    expect(order.transitions.at(-1)).toMatchObject({ from: 'needs_attention', to: 'succeeded' });
    expect(order.ledgerTransactions.map((tx) => tx.kind)).toEqual([
      'payin.capture',
      'payin.psp-fee',
    ]);

    expect(
      await resolveAttention(new SqliteAttentionStore(db), { all: true }, 'test operator', clock),
    ).toEqual([]);
    expect(
      await resolveAttention(
        new SqliteAttentionStore(db),
        { ids: ['ord_1'] },
        'test operator',
        clock,
      ),
    ).toEqual([expect.objectContaining({ itemId: 'ord_1', outcome: 'already_booked' })]);
    expect((await showOrder(new SqliteOrderReads(db), 'ord_1')).ledgerTransactions).toHaveLength(2);
    expect((await checkBooks(db)).ok).toBe(true);
    expect(psp.calls.length).toBe(4);
  });

  it('names an id with no kept answer as a usage error', async () => {
    await expect(
      resolveAttention(new SqliteAttentionStore(db), { ids: ['ord_nope'] }, 'test operator', clock),
    ).rejects.toThrow(/no PSP answer is kept for ord_nope/);
  });

  it('allows executing → needs_attention → succeeded | failed and nothing back to executing', () => {
    expect(() => assertTransition('ord_1', 'executing', 'needs_attention')).not.toThrow();
    expect(() => assertTransition('ord_1', 'needs_attention', 'succeeded')).not.toThrow();
    expect(() => assertTransition('ord_1', 'needs_attention', 'failed')).not.toThrow();
    expect(() => assertTransition('ord_1', 'needs_attention', 'executing')).toThrow(
      /illegal transition needs_attention → executing/,
    );
    expect(() => assertTransition('ord_1', 'needs_attention', 'retry_scheduled')).toThrow(
      /illegal transition/,
    );
  });
});

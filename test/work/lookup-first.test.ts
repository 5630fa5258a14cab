import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/check.js';
import { runChecksWithPsp } from '../../src/check/with-psp.js';
import { SqliteCheckSource } from '../../src/check/sqlite-check-source.js';
import type { Database } from '../../src/db/index.js';
import { sendOrLookUp } from '../../src/work/lookup-first.js';
import { runPayin } from '../../src/work/executors/payin.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { DEFAULT_FEE_RULE } from '../../src/psp/fee-rule.js';
import type {
  Lookup,
  PayoutRequest,
  PayoutResult,
  RefundRequest,
  RefundResult,
  RetryableFailure,
} from '../../src/psp/port.js';
import { SimPsp } from '../../src/psp/sim/adapter.js';
import { NO_FAULTS } from '../../src/psp/sim/faults.js';
import { retryDue } from '../../src/queue/retry.js';
import { tempDatabase } from '../helpers/db.js';
import { payoutIdOf } from '../../src/payouts/store.js';

/** seller_1's first payout: the share of ord_1 (40.00 less its 4.00 fee); ids come from content. */
const PAYOUT_ID = payoutIdOf({ sellerId: 'seller_1', currency: 'USD', amountMinor: 3600n }, 0n, 0);
import { eventsFile } from '../helpers/events.js';
import { FakePsp } from '../payments/fake-psp.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const lost: RetryableFailure = {
  status: 'retryable',
  kind: 'timeout',
  sent: true,
  detail: 'test: processed, the answer was lost',
};

describe('sendOrLookUp', () => {
  const item = (id: string, attempts: number, firstAttemptAt: string | null) => ({
    id,
    attempts,
    firstAttemptAt,
  });
  type Item = ReturnType<typeof item>;
  const nowMs = Date.parse('2026-11-25T12:00:00Z');
  const run = (items: Item[], answers: Record<string, Lookup<string>>) => {
    const lookedUp: string[] = [];
    const sent: string[] = [];
    const results = sendOrLookUp(items, {
      keyLifetimeMs: DAY_MS,
      nowMs,
      lookUp: async (i) => {
        lookedUp.push(i.id);
        return answers[i.id] ?? { found: false };
      },
      send: async (batch) => {
        sent.push(...batch.map((i) => i.id));
        return batch.map((i) => `sent ${i.id}`);
      },
    });
    return { results, lookedUp, sent };
  };

  it('sends first attempts and retries inside the key lifetime without asking, in order', async () => {
    const { results, lookedUp, sent } = run(
      [
        item('a', 1, null),
        item('b', 3, '2026-11-25T00:00:01Z'),
        item('c', 1, '2026-11-20T00:00:00Z'),
      ],
      {},
    );
    expect(await results).toEqual(['sent a', 'sent b', 'sent c']);
    expect(lookedUp).toEqual([]);
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('past the key lifetime: uses what the PSP found, sends only what it has no record of, keeps a failed look-up retryable', async () => {
    const failure: RetryableFailure = {
      status: 'retryable',
      kind: 'server_error',
      sent: false,
      detail: 'look-up failed',
    };
    const old = '2026-11-24T12:00:00Z'; // exactly one key lifetime ago
    const { results, lookedUp, sent } = run(
      [
        item('found', 2, old),
        item('new', 2, old),
        item('fresh', 2, '2026-11-25T11:00:00Z'),
        item('down', 2, old),
      ],
      {
        found: { found: true, result: 'earlier outcome' },
        down: failure,
      },
    );
    expect(await results).toEqual(['earlier outcome', 'sent new', 'sent fresh', failure]);
    expect(lookedUp).toEqual(['found', 'new', 'down']);
    expect(sent).toEqual(['new', 'fresh']);
  });
});

/** The sim, except that the first answer to each refund and payout key is lost after it was processed. */
class LosesFirstAnswers extends SimPsp {
  private readonly answered = new Set<string>();

  override async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    return (await super.refund(requests)).map((result, index) =>
      this.loseFirst((requests[index] as RefundRequest).idempotencyKey, result),
    );
  }

  override async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    return (await super.payout(requests)).map((result, index) =>
      this.loseFirst((requests[index] as PayoutRequest).idempotencyKey, result),
    );
  }

  private loseFirst<R>(key: string, result: R): R | RetryableFailure {
    if (this.answered.has(key)) return result;
    this.answered.add(key);
    return lost;
  }
}

/**
 * Found in review: refunds and payouts were sent again with their first key a day later, when the
 * PSP had forgotten it, so an answer lost the first time became a second refund or transfer.
 */
describe('refunds and payouts retried after the PSP forgot their key', () => {
  let db: Database;
  let dbFile: string;
  let cleanup: () => void;
  let now: number;
  const clock = () => now;
  const retry = { baseMs: 1_000, capMs: 8_000, maxAttempts: 5 };
  const file = (name: string, ...events: unknown[]) =>
    eventsFile(path.dirname(dbFile), name, ...events);
  const status = (table: 'refunds' | 'payouts') =>
    (db.prepare(`SELECT status FROM ${table}`).all() as { status: string }[]).map(
      (row) => row.status,
    );

  beforeEach(() => {
    ({ db, file: dbFile, cleanup } = tempDatabase());
    now = Date.parse('2026-11-23T10:00:00Z');
  });
  afterEach(() => cleanup());

  const setUp = async (psp: SimPsp | FakePsp) => {
    const execution = { psp, retry, clock };
    await runPayin(
      sqliteBook(db),
      [
        file('checkout.ndjson', {
          eventId: 'chk_1',
          type: 'pay_in',
          occurredAt: '2026-11-23T09:00:00Z',
          currency: 'USD',
          payer: { id: 'buyer_1' },
          paymentToken: 'tok_visa',
          orders: [
            { orderId: 'ord_1', sellerId: 'seller_1', amount: '40.00', platformFee: '4.00' },
            { orderId: 'ord_2', sellerId: 'seller_1', amount: '10.00' },
          ],
        }),
      ],
      {},
      execution,
    );
    await runPayin(
      sqliteBook(db),
      [
        file('delivery.ndjson', {
          eventId: 'dlv_1',
          type: 'pay_out',
          occurredAt: '2026-11-23T09:30:00Z',
          orderId: 'ord_1',
          seller: { id: 'seller_1', name: 'Seller 1', account: { iban: 'DE89370400440532013000' } },
        }),
      ],
      {},
      execution,
    );
    await runPayin(
      sqliteBook(db),
      [
        file('refund.ndjson', {
          eventId: 'rf_1',
          type: 'refund',
          occurredAt: '2026-11-23T09:45:00Z',
          orderId: 'ord_2',
          amount: '4.00',
        }),
      ],
      {},
      execution,
    );
    await runPayouts(sqliteBook(db), execution);
    return execution;
  };

  it('asks the PSP by refund and payout id, and books what it did: one refund and one transfer', async () => {
    const stateFile = `${dbFile}.psp`;
    const psp = new LosesFirstAnswers({
      stateFile,
      seed: '1',
      faults: NO_FAULTS,
      feeRule: DEFAULT_FEE_RULE,
      clock,
      keyLifetimeMs: 60_000,
    });
    try {
      const execution = await setUp(psp);
      expect([...status('refunds'), ...status('payouts')]).toEqual([
        'retry_scheduled',
        'retry_scheduled',
      ]);
      now += 120_000; // past the sim's key lifetime
      await retryDue(sqliteBook(db), execution);
      expect([...status('refunds'), ...status('payouts')]).toEqual(['succeeded', 'succeeded']);
      expect(psp.engine.refunds()).toHaveLength(1);
      expect(psp.engine.payouts()).toHaveLength(1);
      expect(
        (await runChecksWithPsp(new SqliteCheckSource(db), { psp: 'sim', stateFile }, runChecks))
          .ok,
      ).toBe(true);
    } finally {
      psp.close();
    }
  });

  it('sends again with the same key only when the PSP has no record of the first attempt', async () => {
    const psp = new FakePsp();
    psp.refundScripts.set('payops-rf_1-refund', [lost]);
    psp.payoutScripts.set(`payops-${PAYOUT_ID}-payout`, [lost]);
    const execution = await setUp(psp);
    now += psp.keyLifetimeMs;
    await retryDue(sqliteBook(db), execution);
    expect(psp.transferLookups).toEqual(['rf_1', PAYOUT_ID]);
    expect(psp.refundCalls.map((call) => call.idempotencyKey)).toEqual([
      'payops-rf_1-refund',
      'payops-rf_1-refund',
    ]);
    expect(psp.payoutCalls.map((call) => call.idempotencyKey)).toEqual([
      `payops-${PAYOUT_ID}-payout`,
      `payops-${PAYOUT_ID}-payout`,
    ]);
    expect([...status('refunds'), ...status('payouts')]).toEqual(['succeeded', 'succeeded']);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('books a refund the PSP declined the first time as declined, without sending it again', async () => {
    const psp = new FakePsp();
    psp.refundScripts.set('payops-rf_1-refund', [lost]);
    const execution = await setUp(psp);
    psp.refundLookupAnswers.set('rf_1', {
      found: true,
      result: { status: 'declined', pspReference: 're_1', reason: 'charge_disputed' },
    });
    now += psp.keyLifetimeMs + 1;
    await retryDue(sqliteBook(db), execution);
    expect(psp.refundCalls).toHaveLength(1);
    expect(status('refunds')).toEqual(['failed']);
    expect((await checkBooks(db)).ok).toBe(true);
  });
});

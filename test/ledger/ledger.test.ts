import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { IdempotencyConflictError, InputError } from '../../src/errors.js';
import { Ledger, type PostingRequest, balances } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';
import { verifyBooks } from '../helpers/check.js';

const USD = toCurrency('USD');
const EUR = toCurrency('EUR');

function capture(
  key: string,
  amountMinor: bigint,
  effectiveAt = '2026-11-23T10:00:00Z',
): PostingRequest {
  return {
    idempotencyKey: key,
    kind: 'test.capture',
    description: `capture ${key}`,
    effectiveAt,
    entries: [
      { account: 'assets:psp:sim:receivable', currency: USD, direction: 'debit', amountMinor },
      {
        account: 'liabilities:sellers:seller_7:pending',
        currency: USD,
        direction: 'credit',
        amountMinor,
      },
    ],
  };
}

function balanceOf(db: Database, account: string, asOf?: string): bigint {
  return (
    balances(db, { asOf, accountPrefix: account, includeZero: true }).find(
      (row) => row.account === account,
    )?.balanceMinor ?? 0n
  );
}

function transactionCount(db: Database): bigint {
  return (db.prepare('SELECT COUNT(*) AS n FROM ledger_transactions').get() as { n: bigint }).n;
}

describe('Ledger', () => {
  let db: Database;
  let cleanup: () => void;
  let ledger: Ledger;

  beforeEach(() => {
    ({ db, cleanup } = tempDatabase());
    ledger = new Ledger(db);
  });
  afterEach(() => cleanup());

  it("posts a balanced transaction and keeps balances in each account's normal direction", async () => {
    const result = ledger.post(capture('k1', 2500n));
    expect(result).toEqual({ txId: 1, created: true });
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(2500n);
    expect(balanceOf(db, 'liabilities:sellers:seller_7:pending')).toBe(2500n);
    expect((await verifyBooks(db)).ok).toBe(true);
  });

  it('returns the existing transaction for the same key and content, writing nothing', () => {
    ledger.post(capture('k1', 2500n));
    expect(ledger.post(capture('k1', 2500n))).toEqual({ txId: 1, created: false });
    expect(transactionCount(db)).toBe(1n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(2500n);
  });

  describe('postBatchWithin (the flows that hold the transaction)', () => {
    it('refuses to run outside a transaction', () => {
      expect(() => ledger.postBatchWithin([capture('k1', 100n)], () => 'k1')).toThrow(
        /inside its caller's transaction/,
      );
      expect(transactionCount(db)).toBe(0n);
    });

    it("posts in the caller's transaction, and a conflict half way leaves nothing once the error leaves it", async () => {
      ledger.post(capture('k2', 200n));
      const flow = db.transaction(() => {
        db.prepare(
          "INSERT INTO sellers (seller_id, name, iban, source_event_id, updated_at) VALUES ('s', 's', 'x', 'e', 't')",
        ).run();
        ledger.postBatchWithin(
          [capture('k1', 100n), capture('k2', 999n), capture('k3', 300n)],
          (index) => `request ${index + 1}`,
        );
      });
      expect(() => flow.immediate()).toThrow(IdempotencyConflictError);
      expect(transactionCount(db)).toBe(1n);
      expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(200n);
      expect(db.prepare('SELECT COUNT(*) AS n FROM sellers').get()).toEqual({ n: 0n });
      expect((await verifyBooks(db)).ok).toBe(true);

      db.transaction(() =>
        ledger.postBatchWithin(
          [capture('k1', 100n), capture('k3', 300n)],
          (index) => `request ${index + 1}`,
        ),
      ).immediate();
      expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(600n);
      expect((await verifyBooks(db)).ok).toBe(true);
    });
  });

  describe('balances stay within 64 bits (issue 14 item 2)', () => {
    const NEAR_MAX = 2n ** 63n - 1n - 100n;

    it("checks every account of a batch before writing anything, even inside a caller's transaction that then commits", async () => {
      db.exec('BEGIN');
      // The first posting alone fits; the second would carry the receivable past 64 bits.
      expect(() =>
        ledger.postBatchWithin(
          [capture('fits', NEAR_MAX), capture('too-far', 101n)],
          (index) => `posting ${index + 1}`,
        ),
      ).toThrow(InputError);
      db.exec('COMMIT');
      expect(transactionCount(db)).toBe(0n);
      expect(
        (db.prepare('SELECT COUNT(*) AS n FROM ledger_entries').get() as { n: bigint }).n,
      ).toBe(0n);
      expect((await verifyBooks(db)).ok).toBe(true);
    });

    it('names the account, its balance and the amount, with a hint', () => {
      ledger.post(capture('big', NEAR_MAX));
      let thrown: unknown;
      try {
        ledger.post(capture('one-more', 2500n));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InputError);
      const error = thrown as InputError;
      expect(error.message).toContain('assets:psp:sim:receivable');
      expect(error.message).toContain('92233720368547757.07 USD'); // the balance
      expect(error.message).toContain('25.00 USD'); // the amount
      expect(error.hint).toMatch(/ledger reverse/);
      expect(transactionCount(db)).toBe(1n);
    });

    it('lets a reversal bring an overflowing account back, and posts again after it', () => {
      const { txId } = ledger.post({ ...capture('big', NEAR_MAX), kind: 'manual' });
      expect(() => ledger.post(capture('one-more', 2500n))).toThrow(/assets:psp:sim:receivable/);
      ledger.reverse(txId, 'entered by mistake');
      ledger.post(capture('one-more', 2500n));
      expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(2500n);
    });
  });

  it('refuses the same key with different content and leaves the original untouched', () => {
    ledger.post(capture('k1', 2500n));
    expect(() => ledger.post(capture('k1', 2600n))).toThrow(IdempotencyConflictError);
    expect(() => ledger.post(capture('k1', 2600n))).toThrow(/different content/);
    expect(transactionCount(db)).toBe(1n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(2500n);
  });

  it('treats a duplicate inside one batch like a duplicate across batches', () => {
    const results = ledger.postBatch([capture('k1', 100n), capture('k1', 100n)]);
    expect(results).toEqual([
      { txId: 1, created: true },
      { txId: 1, created: false },
    ]);
  });

  it.each([
    [
      'unbalanced',
      {
        entries: [
          { account: 'assets:a', currency: USD, direction: 'debit', amountMinor: 100n },
          { account: 'equity:b', currency: USD, direction: 'credit', amountMinor: 99n },
        ],
      },
      /differ in USD by 1/,
    ],
    [
      'balanced only across currencies',
      {
        entries: [
          { account: 'assets:a', currency: USD, direction: 'debit', amountMinor: 100n },
          { account: 'equity:b', currency: EUR, direction: 'credit', amountMinor: 100n },
        ],
      },
      /must balance in each currency/,
    ],
    [
      'single entry',
      { entries: [{ account: 'assets:a', currency: USD, direction: 'debit', amountMinor: 100n }] },
      /at least two entries/,
    ],
    [
      'zero amount',
      {
        entries: [
          { account: 'assets:a', currency: USD, direction: 'debit', amountMinor: 0n },
          { account: 'equity:b', currency: USD, direction: 'credit', amountMinor: 0n },
        ],
      },
      /greater than zero/,
    ],
    [
      'negative amount',
      {
        entries: [
          { account: 'assets:a', currency: USD, direction: 'debit', amountMinor: -5n },
          { account: 'equity:b', currency: USD, direction: 'credit', amountMinor: -5n },
        ],
      },
      /greater than zero/,
    ],
    [
      'unknown root',
      {
        entries: [
          { account: 'cash:a', currency: USD, direction: 'debit', amountMinor: 5n },
          { account: 'equity:b', currency: USD, direction: 'credit', amountMinor: 5n },
        ],
      },
      /must start with one of/,
    ],
    [
      'empty segment',
      {
        entries: [
          { account: 'assets::a', currency: USD, direction: 'debit', amountMinor: 5n },
          { account: 'equity:b', currency: USD, direction: 'credit', amountMinor: 5n },
        ],
      },
      /invalid segment/,
    ],
    [
      'unknown currency',
      {
        entries: [
          { account: 'assets:a', currency: 'XXX', direction: 'debit', amountMinor: 5n },
          { account: 'equity:b', currency: 'XXX', direction: 'credit', amountMinor: 5n },
        ],
      },
      /not an ISO 4217/,
    ],
    ['time without zone', { effectiveAt: '2026-11-23T10:00:00' }, /does not guess time zones/],
    ['control character in description', { description: 'a\u0007b' }, /control characters/],
    ['numeric metadata', { metadata: { orderId: 5 } }, /values must be strings/],
  ] as const)('rejects a posting that is %s, writing nothing', (_name, patch, message) => {
    const request = { ...capture('bad', 100n), ...patch } as unknown as PostingRequest;
    expect(() => ledger.post(request)).toThrow(InputError);
    expect(() => ledger.post(request)).toThrow(message);
    expect(transactionCount(db)).toBe(0n);
  });

  it('posts a batch atomically: one invalid request and nothing is written', () => {
    const bad = { ...capture('k2', 100n), entries: capture('k2', 100n).entries.slice(0, 1) };
    expect(() => ledger.postBatch([capture('k1', 100n), bad], (i) => `line ${i + 1}`)).toThrow(
      /line 2 entries/,
    );
    expect(transactionCount(db)).toBe(0n);
  });

  it('refuses text with an unpaired surrogate: SQLite would store U+FFFD and verify would then cry tampering', async () => {
    for (const change of [
      { description: 'half \ud800' },
      { metadata: { note: 'x\udc00' } },
      { idempotencyKey: 'k\ud800' },
    ]) {
      expect(() => ledger.post({ ...capture('surrogate', 100n), ...change })).toThrow(InputError);
    }
    expect(transactionCount(db)).toBe(0n);
    ledger.post({ ...capture('whole', 100n), description: 'Payout to 佐藤 💶' });
    expect((await verifyBooks(db)).ok).toBe(true);
  });

  it('rolls back the whole batch on an idempotency conflict', () => {
    ledger.post(capture('k1', 100n));
    expect(() => ledger.postBatch([capture('k2', 100n), capture('k1', 999n)])).toThrow(
      IdempotencyConflictError,
    );
    expect(transactionCount(db)).toBe(1n);
  });

  it('reverses a transaction once, with the mirror image of its entries', async () => {
    ledger.post(capture('k1', 2500n));
    const reversal = ledger.reverse(1, 'charged twice');
    expect(reversal.created).toBe(true);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
    const tx = ledger.getTransaction(reversal.txId);
    expect(tx.reversesTxId).toBe(1);
    expect(tx.entries.map((entry) => entry.direction)).toEqual(['credit', 'debit']);
    expect(ledger.getTransaction(1).reversedByTxId).toBe(reversal.txId);
    expect(() => ledger.reverse(1, 'again')).toThrow(/already reversed by transaction 2/);
    expect((await verifyBooks(db)).ok).toBe(true);
  });

  it('refuses to reverse a transaction written by the payment pipeline', () => {
    ledger.post({ ...capture('k1', 100n), kind: 'payin.capture' });
    expect(() => ledger.reverse(1, 'no')).toThrow(/payin\.capture written by payops' own flow/);
  });

  it('refuses UPDATE and DELETE on the journal and its entries at the schema level', () => {
    ledger.post(capture('k1', 2500n));
    expect(() => db.prepare('UPDATE ledger_entries SET amount_minor = 1').run()).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM ledger_entries').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE ledger_transactions SET description = 'x'").run()).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM ledger_transactions').run()).toThrow(/append-only/);
  });

  it('answers as-of balances by effective time, including backdated postings', () => {
    ledger.post(capture('day1', 100n, '2026-11-21T12:00:00Z'));
    ledger.post(capture('day3', 300n, '2026-11-23T12:00:00Z'));
    ledger.post(capture('day2-late', 20n, '2026-11-22T12:00:00Z')); // backdated
    ledger.post(capture('day1-late', 1n, '2026-11-21T13:00:00Z')); // backdated further
    const receivable = 'assets:psp:sim:receivable';
    expect(balanceOf(db, receivable, '2026-11-20T23:59:59.999Z')).toBe(0n);
    expect(balanceOf(db, receivable, '2026-11-21T12:00:00.000Z')).toBe(100n);
    expect(balanceOf(db, receivable, '2026-11-21T23:59:59.999Z')).toBe(101n);
    expect(balanceOf(db, receivable, '2026-11-22T23:59:59.999Z')).toBe(121n);
    expect(balanceOf(db, receivable, '2026-11-23T23:59:59.999Z')).toBe(421n);
    expect(balanceOf(db, receivable)).toBe(421n);
  });

  it('rolls balances up by depth and filters by a segment-aware prefix', () => {
    ledger.post(capture('k1', 100n));
    ledger.post({
      ...capture('k2', 50n),
      entries: [
        { account: 'assets:psp:other', currency: USD, direction: 'debit', amountMinor: 50n },
        { account: 'assets:pspx', currency: USD, direction: 'credit', amountMinor: 50n },
      ],
    });
    const rolled = balances(db, { depth: 2, accountPrefix: 'assets:psp' });
    expect(rolled).toEqual([
      expect.objectContaining({ account: 'assets:psp', currency: 'USD', balanceMinor: 150n }),
    ]);
    const all = balances(db, { depth: 1 });
    expect(all.map((row) => [row.account, row.balanceMinor])).toEqual([
      ['assets', 100n],
      ['liabilities', 100n],
    ]);
  });
});

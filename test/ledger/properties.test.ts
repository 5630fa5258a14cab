import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { InputError } from '../../src/errors.js';
import { Ledger, type PostingRequest, balances } from '../../src/ledger/index.js';
import { type Currency, toCurrency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';
import { verifyBooks } from '../helpers/check.js';

const CURRENCIES: Currency[] = ['USD', 'JPY', 'KWD'].map((code) => toCurrency(code));
const ACCOUNTS = [
  'assets:psp:receivable',
  'assets:bank:operating',
  'liabilities:sellers:s1:pending',
  'revenue:platform-fees',
  'expenses:psp-fees',
  'equity:opening',
];
const DAY_MS = 86_400_000;
const START_MS = Date.parse('2026-11-01T00:00:00Z');

type Operation =
  | {
      type: 'post';
      key: number;
      dayOffset: number;
      legs: { debit: number; credit: number; currency: number; amount: bigint }[];
    }
  | { type: 'unbalanced'; key: number; amount: bigint }
  | { type: 'conflict'; key: number }
  | { type: 'reverse'; pick: number };

const leg = fc.record({
  debit: fc.nat(ACCOUNTS.length - 1),
  credit: fc.nat(ACCOUNTS.length - 1),
  currency: fc.nat(CURRENCIES.length - 1),
  amount: fc.bigInt({ min: 1n, max: 10n ** 12n }),
});

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('post' as const),
      key: fc.nat(40),
      dayOffset: fc.nat(30),
      legs: fc.array(leg, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('unbalanced' as const),
      key: fc.nat(1000),
      amount: fc.bigInt({ min: 1n, max: 10n ** 6n }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('conflict' as const), key: fc.nat(40) }) },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('reverse' as const), pick: fc.nat(1000) }),
  },
);

function toRequest(op: Extract<Operation, { type: 'post' }>): PostingRequest {
  return {
    idempotencyKey: `k${op.key}`,
    kind: 'manual',
    description: `op ${op.key}`,
    effectiveAt: new Date(START_MS + op.dayOffset * DAY_MS).toISOString(),
    entries: op.legs.flatMap((l) => [
      {
        account: ACCOUNTS[l.debit] as string,
        currency: CURRENCIES[l.currency] as Currency,
        direction: 'debit' as const,
        amountMinor: l.amount,
      },
      {
        account: ACCOUNTS[l.credit] as string,
        currency: CURRENCIES[l.currency] as Currency,
        direction: 'credit' as const,
        amountMinor: l.amount,
      },
    ]),
  };
}

/** Balances recomputed from scratch out of the entries, the slow and obviously right way. */
function bruteForce(db: Database, asOf: string): Map<string, bigint> {
  const rows = db
    .prepare(
      `SELECT a.name, a.currency, SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END) AS net
       FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
       WHERE e.effective_at <= ? GROUP BY a.id`,
    )
    .all(asOf) as { name: string; currency: string; net: bigint }[];
  return new Map(
    rows.filter((row) => row.net !== 0n).map((row) => [`${row.name} ${row.currency}`, row.net]),
  );
}

function reported(db: Database, asOf?: string): Map<string, bigint> {
  return new Map(
    balances(db, { asOf }).map((row) => [
      `${row.account} ${row.currency}`,
      row.debitMinusCreditMinor,
    ]),
  );
}

describe('ledger invariants under random sequences of posts, reversals and rejected posts', () => {
  it('keeps debits = credits, an intact chain, and as-of balances equal to a recomputation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
        const { db, cleanup } = tempDatabase();
        try {
          const ledger = new Ledger(db);
          const posted = new Map<string, PostingRequest>();
          const txIds: number[] = [];
          for (const op of operations) {
            const before = reported(db);
            if (op.type === 'post') {
              const request = toRequest(op);
              const previous = posted.get(request.idempotencyKey);
              try {
                const result = ledger.post(request);
                if (result.created) txIds.push(result.txId);
                posted.set(request.idempotencyKey, previous ?? request);
                expect(result.created).toBe(previous === undefined);
              } catch (error) {
                // Same key, different content: refused, and nothing moved.
                expect(error).toBeInstanceOf(InputError);
                expect(previous).toBeDefined();
                expect(reported(db)).toEqual(before);
              }
            } else if (op.type === 'unbalanced') {
              const request = toRequest({
                type: 'post',
                key: 10_000 + op.key,
                dayOffset: 0,
                legs: [{ debit: 0, credit: 1, currency: 0, amount: op.amount }],
              });
              const broken = {
                ...request,
                entries: [
                  request.entries[0]!,
                  { ...request.entries[1]!, amountMinor: op.amount + 1n },
                ],
              };
              expect(() => ledger.post(broken)).toThrow(InputError);
              expect(reported(db)).toEqual(before);
            } else if (op.type === 'conflict') {
              const original = posted.get(`k${op.key}`);
              if (!original) continue;
              const changed = { ...original, description: `${original.description} (changed)` };
              expect(() => ledger.post(changed)).toThrow(InputError);
              expect(reported(db)).toEqual(before);
            } else if (txIds.length > 0) {
              const target = txIds[op.pick % txIds.length] as number;
              const alreadyReversed = ledger.getTransaction(target).reversedByTxId !== null;
              if (alreadyReversed) {
                expect(() => ledger.reverse(target, 'again')).toThrow(InputError);
                expect(reported(db)).toEqual(before);
              } else {
                ledger.reverse(target, 'property test', '2026-12-15T00:00:00Z');
              }
            }
          }
          expect(await verifyBooks(db)).toMatchObject({ ok: true, problems: [] });
          // Per currency, the whole ledger nets to zero.
          const net = new Map<string, bigint>();
          for (const row of balances(db))
            net.set(row.currency, (net.get(row.currency) ?? 0n) + row.debitMinusCreditMinor);
          for (const total of net.values()) expect(total).toBe(0n);
          // Every past balance equals a recomputation from the entries effective by then.
          for (let day = 0; day <= 46; day += 3) {
            const asOf = new Date(START_MS + day * DAY_MS + DAY_MS - 1).toISOString();
            expect(reported(db, asOf)).toEqual(bruteForce(db, asOf));
          }
        } finally {
          cleanup();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('never changes a balance as of T by posting things effective after T', () => {
    fc.assert(
      fc.property(
        fc.array(
          operation.filter((op) => op.type === 'post'),
          { minLength: 2, maxLength: 30 },
        ),
        fc.nat(30),
        (operations, cutDay) => {
          const { db, cleanup } = tempDatabase();
          try {
            const ledger = new Ledger(db);
            const cutoff = new Date(START_MS + cutDay * DAY_MS + DAY_MS - 1).toISOString();
            const early = operations
              .map((op) => toRequest(op as Extract<Operation, { type: 'post' }>))
              .filter((r) => r.effectiveAt <= cutoff);
            const late = operations
              .map((op) => toRequest(op as Extract<Operation, { type: 'post' }>))
              .filter((r) => r.effectiveAt > cutoff);
            const seen = new Set<string>();
            const unique = (list: PostingRequest[]) =>
              list.filter((r) => !seen.has(r.idempotencyKey) && seen.add(r.idempotencyKey));
            ledger.postBatch(unique(early));
            const snapshot = reported(db, cutoff);
            const rest = unique(late);
            if (rest.length > 0) ledger.postBatch(rest);
            expect(reported(db, cutoff)).toEqual(snapshot);
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

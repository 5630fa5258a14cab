import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BankStore, DUPLICATE_QUERIES, EXPECTED_PAYOUT_QUERIES } from '../../src/bank/store.js';
import type { Database } from '../../src/db/index.js';
import { bankOperating as BANK_OPERATING_ACCOUNT } from '../../src/postings/index.js';
import { Ledger, type PostingRequest, balances } from '../../src/ledger/index.js';
import { tempDatabase } from '../helpers/db.js';
import { type TestBook, USD, tempBook } from '../reconcile/book.js';
import { BATCH, settledAndPaidOut } from './book.js';

describe('the bank store', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  afterEach(() => cleanup());

  it('finds an entry of another file by an index, whatever the size of bank_entries', () => {
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x', 'y', 'USD', 1n) as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
    expect(plan(DUPLICATE_QUERIES.byServicerRef)).toMatch(
      /SEARCH e USING INDEX bank_entries_by_servicer_ref/,
    );
    const fingerprint = (
      db.prepare(`EXPLAIN QUERY PLAN ${DUPLICATE_QUERIES.byFingerprint}`).all('x', 1n) as {
        detail: string;
      }[]
    )
      .map((row) => row.detail)
      .join('\n');
    expect(fingerprint).toMatch(/USING INDEX bank_entries_by_fingerprint/);
  });

  it('asks bank_matches about each expected payout by an index on the payout itself (migration 17)', () => {
    const plan = (sql: string, parameters: string[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
    // The seller query binds the payout.sent key prefix first.
    const queries: [string, string[]][] = [
      [EXPECTED_PAYOUT_QUERIES.psp, ['USD', 'x']],
      [EXPECTED_PAYOUT_QUERIES.seller, ['payout.sent:', 'USD', 'x']],
    ];
    for (const [sql, parameters] of queries) {
      expect(plan(sql, parameters)).toMatch(
        /SEARCH m USING (COVERING )?INDEX bank_matches_by_payout_ref \(payout_kind=\? AND psp=\? AND payout_ref=\? AND currency=\?\)/,
      );
    }
  });
});

describe("the books' operating balance as of a moment", () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => ({ db, cleanup } = tempDatabase()));
  afterEach(() => cleanup());

  const moved = (
    key: string,
    account: string,
    amountMinor: bigint,
    effectiveAt: string,
  ): PostingRequest => ({
    idempotencyKey: key,
    kind: 'test.bank',
    description: key,
    effectiveAt,
    entries: [
      { account, currency: USD, direction: 'debit', amountMinor },
      { account: 'equity:opening', currency: USD, direction: 'credit', amountMinor },
    ],
  });

  it("is the ledger's as-of balance of that one account, backdated entries included, whatever other accounts hold", () => {
    const ledger = new Ledger(db);
    ledger.post(moved('a', BANK_OPERATING_ACCOUNT, 1_000n, '2026-11-23T10:00:00.000Z'));
    ledger.post(moved('b', BANK_OPERATING_ACCOUNT, 500n, '2026-11-25T10:00:00.000Z'));
    ledger.post(moved('c', 'assets:bank:operating:other', 7n, '2026-11-23T11:00:00.000Z'));
    ledger.post(moved('d', BANK_OPERATING_ACCOUNT, 30n, '2026-11-22T10:00:00.000Z')); // backdated
    for (let seller = 0; seller < 20; seller++)
      ledger.post(moved(`s${seller}`, `assets:sellers:s${seller}`, 1n, '2026-11-23T12:00:00.000Z'));
    const store = new BankStore(db);
    for (const asOf of [
      '2026-11-21T00:00:00.000Z',
      '2026-11-22T23:59:59.999Z',
      '2026-11-23T23:59:59.999Z',
      '2026-11-26T00:00:00.000Z',
    ]) {
      const ledgerSays =
        balances(db, { asOf, accountPrefix: BANK_OPERATING_ACCOUNT }).find(
          (row) => row.account === BANK_OPERATING_ACCOUNT,
        )?.balanceMinor ?? 0n;
      expect(store.operatingBalance(USD, asOf), asOf).toBe(ledgerSays);
    }
    expect(store.operatingBalance(USD, '2026-11-23T23:59:59.999Z')).toBe(1_030n);
    expect(store.operatingBalance('EUR' as typeof USD, '2026-11-26T00:00:00.000Z')).toBe(0n);
  });
});

describe('what the bank leg expects', () => {
  let book: TestBook;
  let cleanup: () => void;
  beforeEach(() => ({ book, cleanup } = tempBook()));
  afterEach(() => cleanup());

  it('a settled PSP batch in transit and a sent seller payout, each with its day and references', async () => {
    const payoutId = await settledAndPaidOut(book);
    const store = new BankStore(book.db);
    expect(store.expectedPspPayouts(USD)).toEqual([
      {
        psp: 'sim',
        batchId: BATCH,
        references: [],
        currency: USD,
        amountMinor: 6440n,
        payoutDate: '2026-11-23',
        payoutAt: '2026-11-23T23:59:59.000Z',
      },
    ]);
    expect(store.expectedSellerPayouts(USD)).toEqual([
      {
        payoutId,
        pspReference: `tr_${payoutId}`,
        psp: 'sim',
        currency: USD,
        amountMinor: 2400n,
        sentDate: '2026-11-23',
        sentAt: '2026-11-23T10:00:00.000Z',
      },
    ]);
    expect(store.expectedPspPayouts('EUR' as typeof USD)).toEqual([]);
    // Once received, neither is expected again.
    const at = '2026-11-24T00:00:00.000Z';
    store.insertMatch({
      payoutKind: 'psp_payout',
      part: 'difference',
      entryId: null,
      itemId: null,
      psp: 'sim',
      payoutRef: BATCH,
      currency: USD,
      amountMinor: 6440n,
      txId: null,
      runId: null,
      at,
    });
    store.insertMatch({
      payoutKind: 'seller_payout',
      part: 'difference',
      entryId: null,
      itemId: null,
      psp: 'sim',
      payoutRef: payoutId,
      currency: USD,
      amountMinor: 1000n,
      txId: null,
      runId: null,
      at,
    });
    expect(store.expectedPspPayouts(USD)).toEqual([]);
    expect(store.expectedSellerPayouts(USD)).toHaveLength(1); // a part decided is not the whole payout
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { IdempotencyConflictError, InputError, NotFoundError } from '../../src/errors.js';
import type { PostingRequest } from '../../src/ledger/index.js';
import { SqliteJournalStore } from '../../src/ledger/sqlite-journal-store.js';
import { SqliteLedgerReads } from '../../src/ledger/sqlite-ledger-reads.js';
import { toCurrency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';

const USD = toCurrency('USD');

function opening(key: string, amountMinor: bigint, kind = 'manual'): PostingRequest {
  return {
    idempotencyKey: key,
    kind,
    description: `opening ${key}`,
    effectiveAt: '2026-11-23T10:00:00Z',
    entries: [
      { account: 'assets:bank:operating', currency: USD, direction: 'debit', amountMinor },
      { account: 'equity:opening', currency: USD, direction: 'credit', amountMinor },
    ],
  };
}

describe('the ledger ports on SQLite', () => {
  let db: Database;
  let cleanup: () => void;
  let journal: SqliteJournalStore;
  let reads: SqliteLedgerReads;
  beforeEach(() => {
    ({ db, cleanup } = tempDatabase());
    journal = new SqliteJournalStore(db);
    reads = new SqliteLedgerReads(db);
  });
  afterEach(() => cleanup());

  it('posts a batch as one unit of work: an invalid posting leaves nothing of it written', async () => {
    const bad = { ...opening('b', 5n), entries: opening('b', 5n).entries.slice(0, 1) };
    await expect(
      journal.postBatch([opening('a', 100n), bad], (index) => `file.ndjson:${index + 1}`),
    ).rejects.toThrow(InputError);
    expect(await reads.balances({})).toEqual([]);
    expect(await reads.whyNoBalances({})).toBe('empty-ledger');

    const posted = await journal.postBatch([opening('a', 100n), opening('a', 100n)], String);
    expect(posted).toEqual([
      { txId: 1, created: true },
      { txId: 1, created: false },
    ]);
    const changed = journal.postBatch([opening('a', 101n)], () => 'file.ndjson:3');
    await expect(changed).rejects.toThrow(IdempotencyConflictError);
  });

  it('reads balances, accounts, history and a transaction', async () => {
    await journal.postBatch([opening('a', 100n), opening('b', 20n)], String);
    expect(
      (await reads.balances({ accountPrefix: 'assets' })).map((row) => row.balanceMinor),
    ).toEqual([120n]);
    expect((await reads.accounts('equity')).map((row) => [row.account, row.entries])).toEqual([
      ['equity:opening', 2],
    ]);
    const lines = await reads.history('assets:bank:operating', { limit: 1 });
    expect(lines.map((line) => [line.txId, line.runningBalanceMinor])).toEqual([[2, 120n]]);
    await expect(reads.history('assets:nowhere', {})).rejects.toThrow(NotFoundError);
    expect((await journal.transaction(2)).idempotencyKey).toBe('b');
    await expect(journal.transaction(3)).rejects.toThrow(NotFoundError);
  });

  it('reverses by id or by key, once, and says when no transaction has the key', async () => {
    await journal.postBatch([opening('a', 100n), opening('b', 20n)], String);
    const byKey = await journal.reverse({ idempotencyKey: 'b' }, 'typo');
    expect(byKey).toEqual({ txId: 2, result: { txId: 3, created: true } });
    await expect(journal.reverse({ txId: 2 }, 'again')).rejects.toThrow(IdempotencyConflictError);
    await expect(journal.reverse({ idempotencyKey: 'nope' }, 'x')).rejects.toThrow(
      'no transaction has idempotency key "nope"',
    );
    expect((await reads.balances({ accountPrefix: 'assets' }))[0]?.balanceMinor).toBe(100n);
  });

  it('verifies and exports the whole book', async () => {
    await journal.postBatch([opening('a', 100n), opening('b', 20n)], String);
    const report = await journal.verify();
    expect(report).toMatchObject({ ok: true, transactionsChecked: 2, entriesChecked: 4 });
    let text = '';
    const count = await journal.exportJournal('csv', (chunk) => {
      text += chunk;
    });
    expect(count).toBe(2);
    expect(text.split('\n').filter((line) => line.length > 0)).toHaveLength(5);
  });
});

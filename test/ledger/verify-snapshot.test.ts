import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/index.js';
import { Ledger, type PostingRequest } from '../../src/ledger/index.js';
import { SqliteJournalStore } from '../../src/ledger/sqlite-journal-store.js';
import type { Currency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';

const USD = 'USD' as Currency;

function capture(key: string, amountMinor: bigint): PostingRequest {
  return {
    idempotencyKey: key,
    kind: 'test.capture',
    description: `capture ${key}`,
    effectiveAt: '2026-11-23T10:00:00Z',
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

/** `db` whose `commit` runs once, right after its `statements`-th prepare. */
function committingAfter(db: Database, commit: () => void, statements: number): Database {
  let prepared = 0;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'prepare')
        return (sql: string) => {
          if (++prepared === statements) commit();
          return target.prepare(sql);
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('ledger verify on books another process writes meanwhile', () => {
  // Seen failing: the accounts were read, then a posting committed, then the entries were read on
  // a newer snapshot: "stores balance 2600, its entries sum to 2700" on right books, exit 5.
  it('reads one snapshot: a posting committed between its statements is never a problem', async () => {
    const { db, file, cleanup } = tempDatabase();
    const other = openDatabase(file);
    try {
      new Ledger(db).post(capture('k1', 2500n));
      let n = 2;
      for (let statements = 1; statements <= 20; statements++) {
        const watched = committingAfter(
          db,
          () => new Ledger(other).post(capture(`k${n++}`, 100n)),
          statements,
        );
        const report = await new SqliteJournalStore(watched).verify();
        expect(report.problems, `a posting committed after statement ${statements}`).toEqual([]);
      }
      expect(n).toBeGreaterThan(5);
    } finally {
      other.close();
      cleanup();
    }
  });

  // Seen failing: a throwing writer left the entries cursor open, and closing the book then
  // failed with "connection is busy", hiding the writer's own error (ENOSPC on --out).
  it('export closes its cursors when the writer throws: the writer error is the one seen', async () => {
    const { db, cleanup } = tempDatabase();
    try {
      // More than one page of the export (500 transactions), so the writer throws mid-journal.
      new Ledger(db).postBatch(Array.from({ length: 1_200 }, (_, i) => capture(`k${i}`, 100n)));
      const store = new SqliteJournalStore(db);
      let chunks = 0;
      await expect(
        store.exportJournal('hledger', () => {
          // The first chunks are written; the disk fills in the middle of the journal.
          if (++chunks > 2) throw new Error('ENOSPC: no space left on device');
        }),
      ).rejects.toThrow('ENOSPC');
      expect(chunks).toBe(3);
      expect(db.inTransaction).toBe(false);
      expect(() => db.exec('BEGIN IMMEDIATE; COMMIT')).not.toThrow();
    } finally {
      cleanup();
    }
  });
});

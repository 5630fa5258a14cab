import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckResult, runChecks } from '../../src/check/check.js';
import { runChecksWithPsp } from '../../src/check/with-psp.js';
import { SqliteCheckSource } from '../../src/check/sqlite-check-source.js';
import { type Database, inTransaction, openDatabase } from '../../src/db/index.js';
import { emptyTally } from '../../src/work/executors/charge.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { executeDue } from '../../src/work/executors/payin.js';
import { sqliteChargeRecorder } from '../../src/work/executors/sqlite-charge-recorder.js';
import { DEFAULT_RETRY_POLICY } from '../../src/payments/retry-policy.js';
import { type ClaimedOrder, PaymentsStore } from '../../src/payments/store.js';
import { tempDatabase } from '../helpers/db.js';
import { FakePsp } from '../payments/fake-psp.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const OWNER = 'another-process';

/**
 * Books with one captured order, and a second order that another process (its own connection)
 * has claimed and holds the PSP's answer for: `commit()` books that capture, as that process would.
 */
async function booksWithACaptureInFlight(): Promise<{
  db: Database;
  commit: () => void;
  close: () => void;
}> {
  const { db, file, cleanup } = tempDatabase();
  const input = path.join(path.dirname(file), 'events.ndjson');
  const checkout = (eventId: string, orderId: string) =>
    JSON.stringify({
      eventId,
      type: 'pay_in',
      occurredAt: '2026-11-23T10:00:00Z',
      currency: 'USD',
      payer: { id: 'b' },
      paymentToken: 'tok_visa',
      orders: [{ orderId, sellerId: 'seller_1', amount: '25.00', platformFee: '2.50' }],
    });
  fs.writeFileSync(input, `${checkout('chk_1', 'ord_1')}\n`);
  await ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  await executeDue(sqliteBook(db), {
    psp: new FakePsp(),
    retry: DEFAULT_RETRY_POLICY,
    clock: Date.now,
  });
  fs.writeFileSync(input, `${checkout('chk_2', 'ord_2')}\n`);
  await ingest(new SqliteIntakeStore(db), [input], { psp: 'sim' });
  const other = openDatabase(file);
  const now = new Date().toISOString();
  const [claimed] = inTransaction(other, () =>
    new PaymentsStore(other).claimDue(
      'sim',
      OWNER,
      new Date(Date.now() + 60_000).toISOString(),
      now,
      10,
    ),
  ) as [ClaimedOrder];
  return {
    db,
    commit: () =>
      inTransaction(other, () =>
        sqliteChargeRecorder(other, {
          psp: 'sim',
          retry: DEFAULT_RETRY_POLICY,
          random: () => 1,
        }).record(
          [claimed],
          [{ status: 'succeeded', pspReference: 'ch_ord_2', feeMinor: 30n }],
          emptyTally(),
          OWNER,
          new Date().toISOString(),
        ),
      ),
    close: () => {
      other.close();
      cleanup();
    },
  };
}

/** `payops check` on `db`, with `commit` run right after check prepares its N-th statement. */
async function checkWithCommitAfter(
  db: Database,
  commit: () => void,
  statements: number,
): Promise<{ failed: CheckResult[]; committed: boolean }> {
  let prepared = 0;
  let committed = false;
  const watched = new Proxy(db, {
    get(target, property) {
      if (property === 'prepare') {
        return (sql: string) => {
          if (++prepared === statements) {
            commit();
            committed = true;
          }
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  const report = await runChecksWithPsp(new SqliteCheckSource(watched), undefined, runChecks);
  return { failed: report.results.filter((result) => !result.ok), committed };
}

/**
 * `payops check` runs while payops works (a webhook listener is always up, a retry run may be).
 * Found by the chaos campaign: each of its queries saw the books at another moment, so a capture
 * committed between two of them made check fail on books that were right ("pending ≠ captured,
 * not yet released"). Here another process commits a capture between every pair of statements.
 */
describe('payops check on books that change while it runs', () => {
  it('sees the books as of one moment, whenever another process commits', async () => {
    let moments = 0;
    for (let statements = 1; statements < 500; statements++) {
      const books = await booksWithACaptureInFlight();
      try {
        const { failed, committed } = await checkWithCommitAfter(
          books.db,
          books.commit,
          statements,
        );
        if (!committed) break; // check prepares fewer statements: every moment was tried
        moments++;
        expect(failed, `a capture committed after check's statement ${statements}`).toEqual([]);
      } finally {
        books.close();
      }
    }
    expect(moments).toBeGreaterThan(10);
  });
});

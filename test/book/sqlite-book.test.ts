import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Book } from '../../src/book/book.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';
import type { Database } from '../../src/db/index.js';
import { runPayin } from '../../src/work/executors/payin.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDatabase } from '../helpers/db.js';
import { eventsFile } from '../helpers/events.js';
import { FakePsp } from '../payments/fake-psp.js';

const POLICY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 5 };

/** The SQLite Book with every port it hands out counted by name: what a flow asked the book for. */
function countedBook(db: Database): { book: Book; asked: Map<string, number> } {
  const inner = sqliteBook(db);
  const asked = new Map<string, number>();
  const count =
    <T>(name: string, make: () => T) =>
    () => {
      asked.set(name, (asked.get(name) ?? 0) + 1);
      return make();
    };
  const book: Book = {
    work: {
      charges: count('work.charges', inner.work.charges),
      refunds: count('work.refunds', inner.work.refunds),
      payouts: count('work.payouts', inner.work.payouts),
    },
    pendingCharges: count('pendingCharges', inner.pendingCharges),
    intake: count('intake', inner.intake),
    payouts: count('payouts', inner.payouts),
    workReads: count('workReads', inner.workReads),
    refundReads: count('refundReads', inner.refundReads),
    queueReads: count('queueReads', inner.queueReads),
  };
  return { book, asked };
}

describe('the SQLite Book', () => {
  let db: Database;
  let dir: string;
  let cleanup: () => void;

  beforeEach(() => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    dir = path.dirname(file);
  });
  afterEach(() => cleanup());

  it('runs `payin run` through the ports it hands out: intake, the work stores, held pay_outs, the summary reads', async () => {
    const { book, asked } = countedBook(db);
    const checkout = eventsFile(dir, 'checkout.ndjson', {
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
    });
    const now = Date.parse('2026-11-23T10:00:00Z');
    const summary = await runPayin(
      book,
      [checkout],
      {},
      { psp: new FakePsp(), retry: POLICY, clock: () => now },
    );
    expect(summary.intake.ordersAccepted).toBe(2);
    expect(summary.execution.succeeded).toBe(2);
    expect(Object.fromEntries(summary.execution.capturedMinor)).toEqual({ USD: 5000n });
    expect(summary.queue.succeeded).toBe(2);
    expect(summary.refundsOpen).toEqual({ retryScheduled: 0, deadLettered: 0, needsAttention: 0 });
    expect(Object.fromEntries(asked)).toEqual({
      intake: 1,
      'work.charges': 1,
      pendingCharges: 1,
      'work.refunds': 1,
      payouts: 1,
      workReads: 1,
    });
  });
});

/**
 * The flows take ports (src/book/book.ts); only the SQLite side names the driver's `Database`:
 * src/db/sqlite/, the `sqlite-*.ts` files and the stores (`store.ts`, `*-store.ts`). Outside them
 * exactly these may name it, each for its reason (.dependency-cruiser.cjs holds the import rule).
 */
const NAMES_DATABASE: readonly { file: string; why: string }[] = [
  { file: 'src/cli/context.ts', why: 'the composition root: opens the database, builds the Book' },
  { file: 'src/db/index.ts', why: "re-exports the SQLite side's type" },
  { file: 'src/ledger/ledger.ts', why: "the journal's writer" },
  { file: 'src/runs/record.ts', why: 'opens its own connection to record a run' },
];

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('which files name the driver', () => {
  it('names `Database` only on the SQLite side and in the allowed files', () => {
    const sqliteSide = /^src\/db\/sqlite\/|\/sqlite-[^/]*\.ts$|(-store|\/store)\.ts$/;
    const naming = tsFilesUnder(path.join(REPO_ROOT, 'src'))
      .map((file) => path.relative(REPO_ROOT, file).split(path.sep).join('/'))
      .filter((file) => !sqliteSide.test(file))
      .filter((file) => /\bDatabase\b/.test(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')))
      .sort();
    expect(naming).toEqual(NAMES_DATABASE.map((allowed) => allowed.file));
  });
});

import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { openDatabase } from '../../src/db/index.js';
import { bookMarkOf } from '../../src/payments/book-mark-store.js';
import {
  compareWithMark,
  markFileOf,
  readMarkFile,
  writeMarkFile,
} from '../../src/payments/book-mark.js';
import { sendOrLookUp } from '../../src/work/lookup-first.js';
import { runPayin } from '../../src/work/executors/payin.js';
import { makeRetryPolicy } from '../../src/payments/retry-policy.js';
import { tempDatabase } from '../helpers/db.js';
import { eventsFile } from '../helpers/events.js';
import { FakePsp } from './fake-psp.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const BOOK = 'b00c';
const checkout = (eventId: string, orderId: string) => ({
  eventId,
  type: 'pay_in',
  occurredAt: '2026-11-23T10:00:00Z',
  currency: 'USD',
  payer: { id: 'buyer_1' },
  paymentToken: 'tok_visa',
  orders: [{ orderId, sellerId: 'seller_1', amount: '10.00' }],
});

describe('compareWithMark (pure)', () => {
  it('a book level with or ahead of its mark, or one that never made a mark, is not behind', () => {
    expect(
      compareWithMark(
        { bookId: BOOK, sends: 5n, marked: true },
        { kind: 'present', mark: { bookId: BOOK, sends: 5n } },
      ),
    ).toEqual({ behind: false });
    expect(
      compareWithMark(
        { bookId: BOOK, sends: 6n, marked: true },
        { kind: 'present', mark: { bookId: BOOK, sends: 5n } },
      ),
    ).toEqual({ behind: false });
    expect(
      compareWithMark({ bookId: BOOK, sends: 0n, marked: false }, { kind: 'missing' }),
    ).toEqual({ behind: false });
  });

  it('a book that sent work without ever making a mark cannot tell what it lost: behind by an unknown distance', () => {
    expect(
      compareWithMark({ bookId: BOOK, sends: 3n, marked: false }, { kind: 'missing' }),
    ).toMatchObject({ behind: true, lost: null });
  });

  it("a lower count is behind by the difference (known); another book's mark by an unknown distance", () => {
    expect(
      compareWithMark(
        { bookId: BOOK, sends: 2n, marked: true },
        { kind: 'present', mark: { bookId: BOOK, sends: 7n } },
      ),
    ).toMatchObject({ behind: true, catchUpUntil: 7n, lost: 5n });
    expect(
      compareWithMark(
        { bookId: BOOK, sends: 2n, marked: false },
        { kind: 'present', mark: { bookId: 'other', sends: 7n } },
      ),
    ).toMatchObject({ behind: true, lost: null });
  });

  it('a missing or unreadable mark of a book that had made one is behind by an unknown amount', () => {
    expect(
      compareWithMark({ bookId: BOOK, sends: 4n, marked: true }, { kind: 'missing' }),
    ).toMatchObject({ behind: true, lost: null, reason: expect.stringContaining('missing') });
    expect(
      compareWithMark(
        { bookId: BOOK, sends: 0n, marked: true },
        { kind: 'unreadable', detail: 'not JSON' },
      ),
    ).toMatchObject({ behind: true, lost: null });
  });
});

describe('sendOrLookUp while the book is behind its mark', () => {
  it('looks up every item, new ones included, and sends only what the PSP has no record of', async () => {
    const looked: string[] = [];
    const sent: string[] = [];
    const items = [
      { id: 'a', attempts: 1, firstAttemptAt: null },
      { id: 'b', attempts: 1, firstAttemptAt: null },
    ];
    const results = await sendOrLookUp(items, {
      keyLifetimeMs: 86_400_000,
      nowMs: 0,
      bookBehind: true,
      lookUp: async (item) => {
        looked.push(item.id);
        return item.id === 'a' ? { found: true, result: 'found a' } : { found: false };
      },
      send: async (batch) => {
        sent.push(...batch.map((item) => item.id));
        return batch.map((item) => `sent ${item.id}`);
      },
    });
    expect(looked).toEqual(['a', 'b']);
    expect(sent).toEqual(['b']);
    expect(results).toEqual(['found a', 'sent b']);
  });
});

describe('the mark file', () => {
  let dir: string;
  let db: Database;
  let file: string;
  let cleanup: () => void;
  let now: number;
  const clock = () => now;
  const retry = makeRetryPolicy({});
  beforeEach(() => {
    ({ db, file, cleanup } = tempDatabase());
    dir = file.slice(0, file.lastIndexOf('/'));
    now = Date.parse('2026-11-23T10:00:00Z');
  });
  afterEach(() => cleanup());

  it("is written 0600 beside the book after each claim, with the book's identity and count", async () => {
    const psp = new FakePsp();
    await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'a.ndjson', checkout('chk_1', 'ord_1'), checkout('chk_2', 'ord_2'))],
      {},
      { psp, retry, clock },
    );
    const markFile = markFileOf(file) as string;
    expect(fs.statSync(markFile).mode & 0o777).toBe(0o600);
    const mark = readMarkFile(markFile);
    expect(mark).toMatchObject({ kind: 'present', mark: { sends: 2n } });
    expect(psp.lookups).toEqual([]);
  });

  it('a book restored behind its mark looks up each send until it has caught up, and remembers it across runs', async () => {
    const psp = new FakePsp();
    const backup = `${file}.backup`;
    db.close();
    fs.copyFileSync(file, backup);
    db = openDatabase(file);
    await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'a.ndjson', checkout('chk_1', 'ord_1'), checkout('chk_2', 'ord_2'))],
      {},
      { psp, retry, clock },
    );
    db.close();
    fs.copyFileSync(backup, file); // the restore: the mark beside it still says 2
    db = openDatabase(file);
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_earlier', feeMinor: null },
    });
    const first = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'b.ndjson', checkout('chk_1', 'ord_1'))],
      {},
      { psp, retry, clock },
    );
    expect(first.execution.bookBehind).toMatchObject({
      distance: 'known',
      lookUps: 2n,
      reason: 'it has made 0 sends, its mark says 2',
    });
    expect(psp.lookups).toEqual(['ord_1']);
    expect(psp.calls.map((call) => call.merchantReference)).toEqual(['ord_1', 'ord_2']); // only the run before the restore sent
    db.close();
    db = openDatabase(file); // a new command: the book still knows it is behind by one
    psp.lookupAnswers.set('ord_2', {
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_earlier_2', feeMinor: null },
    });
    const second = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'c.ndjson', checkout('chk_2', 'ord_2'))],
      {},
      { psp, retry, clock },
    );
    expect(second.execution.bookBehind).toMatchObject({ lookUps: 1n });
    expect(psp.lookups).toEqual(['ord_1', 'ord_2']);
    db.close();
    db = openDatabase(file); // caught up: new work is sent without a look-up
    const third = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'd.ndjson', checkout('chk_3', 'ord_3'))],
      {},
      { psp, retry, clock },
    );
    expect(third.execution.bookBehind).toBeNull();
    expect(psp.lookups).toEqual(['ord_1', 'ord_2']);
    expect(readMarkFile(markFileOf(file) as string)).toMatchObject({
      kind: 'present',
      mark: { sends: 3n },
    });
  });

  it('a book whose mark file went missing after it had made one is behind by an unknown amount', async () => {
    const psp = new FakePsp();
    await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'a.ndjson', checkout('chk_1', 'ord_1'))],
      {},
      { psp, retry, clock },
    );
    fs.rmSync(markFileOf(file) as string);
    db.close();
    db = openDatabase(file);
    const rerun = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'b.ndjson', checkout('chk_2', 'ord_2'))],
      {},
      { psp, retry, clock },
    );
    expect(rerun.execution.bookBehind).toMatchObject({
      distance: 'unknown',
      lookUps: null,
      reason: expect.stringMatching(/mark file is missing/),
    });
    expect(psp.lookups).toEqual(['ord_2']);
    db.close();
    db = openDatabase(file); // past the old guess (twice its own count): still looking up
    const more = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'c.ndjson', checkout('chk_3', 'ord_3'), checkout('chk_4', 'ord_4'))],
      {},
      { psp, retry, clock },
    );
    expect(more.execution.bookBehind).toMatchObject({ distance: 'unknown' });
    expect(psp.lookups).toEqual(['ord_2', 'ord_3', 'ord_4']);
    expect(bookMarkOf(db).caughtUp('ops', '2026-11-24T10:00:00.000Z')).toMatchObject({
      wasBehind: true,
      note: expect.stringContaining('ended by ops'),
    });
    expect(bookMarkOf(db).caughtUp('ops', '2026-11-24T10:00:01.000Z')).toEqual({
      wasBehind: false,
    });
    db.close();
    db = openDatabase(file);
    const after = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'd.ndjson', checkout('chk_5', 'ord_5'))],
      {},
      { psp, retry, clock },
    );
    expect(after.execution.bookBehind).toBeNull();
    expect(psp.lookups).toEqual(['ord_2', 'ord_3', 'ord_4']);
  });

  it('new work looked up while behind (found nowhere) does not count toward the catch-up; the lost work found does', async () => {
    const psp = new FakePsp();
    const backup = `${file}.backup`;
    db.close();
    fs.copyFileSync(file, backup);
    db = openDatabase(file);
    await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'a.ndjson', checkout('chk_1', 'ord_1'))],
      {},
      { psp, retry, clock },
    );
    db.close();
    fs.copyFileSync(backup, file);
    db = openDatabase(file);
    const fresh = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'n.ndjson', checkout('chk_n1', 'ord_n1'), checkout('chk_n2', 'ord_n2'))],
      {},
      { psp, retry, clock },
    );
    expect(fresh.execution.bookBehind).toMatchObject({ distance: 'known', lookUps: 1n });
    db.close();
    db = openDatabase(file);
    psp.lookupAnswers.set('ord_1', {
      found: true,
      result: { status: 'succeeded', pspReference: 'ch_earlier', feeMinor: null },
    });
    const lost = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'a2.ndjson', checkout('chk_1', 'ord_1'))],
      {},
      { psp, retry, clock },
    );
    expect(lost.execution.bookBehind).toMatchObject({ lookUps: 1n }); // still behind when the run began
    expect(psp.calls.map((call) => call.merchantReference)).toEqual(['ord_1', 'ord_n1', 'ord_n2']); // ord_1 found, not sent again
    db.close();
    db = openDatabase(file);
    const after = await runPayin(
      sqliteBook(db),
      [eventsFile(dir, 'z.ndjson', checkout('chk_z', 'ord_z'))],
      {},
      { psp, retry, clock },
    );
    expect(after.execution.bookBehind).toBeNull();
  });

  it("never lowers the mark of its own book, and replaces another book's mark with its own", () => {
    const markFile = `${file}.payops-mark`;
    writeMarkFile(markFile, { bookId: BOOK, sends: 9n });
    expect(readMarkFile(markFile)).toEqual({ kind: 'present', mark: { bookId: BOOK, sends: 9n } });
    bookMarkOf(db).advance(3n); // another book id, lower count: a level mark of this book is written instead
    expect(readMarkFile(markFile)).toMatchObject({ kind: 'present', mark: { sends: 3n } });
    bookMarkOf(db).advance(2n);
    expect(readMarkFile(markFile)).toMatchObject({ kind: 'present', mark: { sends: 3n } });
  });
});

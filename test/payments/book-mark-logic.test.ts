import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BookMark,
  type BookMarkRecords,
  type MarkState,
  readMarkFile,
  writeMarkFile,
} from '../../src/payments/book-mark.js';
import { tempDir } from '../helpers/cli.js';

/** The book_mark row in memory: what BookMark asks of its store, and every write it makes, in order. */
class FakeRecords implements BookMarkRecords {
  readonly writes: string[] = [];
  constructor(
    public current: MarkState,
    readonly enabled = true,
  ) {}
  state(): MarkState {
    return { ...this.current };
  }
  recordBehind(catchUpUntil: bigint | null, lostSends: bigint | null, reason: string, at: string) {
    this.writes.push('behind');
    Object.assign(this.current, { catchUpUntil, lostSends, behindReason: reason });
    this.current.behindSince = at;
    this.current.foundSinceBehind = 0n;
  }
  recordUnknownDistance(reason: string) {
    this.writes.push('unknown');
    Object.assign(this.current, { catchUpUntil: null, lostSends: null, behindReason: reason });
  }
  countSends(firstTimeSends: bigint) {
    this.writes.push(`count ${firstTimeSends}`);
    this.current.sends += firstTimeSends;
  }
  recordMarked() {
    this.writes.push('marked');
    this.current.marked = true;
  }
  settle(lostWorkFound: bigint) {
    this.writes.push(`settle ${lostWorkFound}`);
    this.current.foundSinceBehind += lostWorkFound;
    const { lostSends } = this.current;
    if (lostSends !== null && this.current.foundSinceBehind >= lostSends)
      Object.assign(this.current, { behindSince: null, behindReason: null, lostSends: null });
  }
  operatorCaughtUp(note: string) {
    this.writes.push(`caught up: ${note}`);
    Object.assign(this.current, { behindSince: null, behindReason: null, lostSends: null });
  }
}

const level = (sends: bigint): MarkState => ({
  bookId: 'b00c',
  sends,
  marked: true,
  catchUpUntil: null,
  behindReason: null,
  behindSince: null,
  lostSends: null,
  foundSinceBehind: 0n,
});

describe('BookMark over its records (no database)', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-mark-'));
    file = `${dir}/book.db.payops-mark`;
  });
  afterEach(() => cleanup());

  it('a book with no mark (older schema) asks its records nothing and writes no file', () => {
    const records = new FakeRecords(level(0n), false);
    const mark = new BookMark(records, null);
    expect(mark.open('2026-11-23T10:00:00.000Z')).toBeNull();
    expect(mark.claimed(3)).toEqual({ lookUpFirst: false, sends: 0n });
    mark.settle(1);
    expect(mark.caughtUp('ops', '2026-11-23T10:00:00.000Z')).toEqual({ wasBehind: false });
    expect(records.writes).toEqual([]);
  });

  it('a book found behind records it once, counts its sends in the claim, and leaves catch-up when the lost work is found', () => {
    writeMarkFile(file, { bookId: 'b00c', sends: 5n });
    const records = new FakeRecords(level(3n));
    const mark = new BookMark(records, file);
    expect(mark.open('2026-11-23T10:00:00.000Z')).toMatchObject({
      distance: 'known',
      lookUps: 2n,
    });
    expect(mark.open('2026-11-23T10:00:01.000Z')).toMatchObject({ lookUps: 2n }); // once per command
    expect(mark.claimed(2)).toEqual({ lookUpFirst: true, sends: 5n });
    mark.settle(2);
    expect(records.current.behindSince).toBeNull();
    expect(records.writes).toEqual(['behind', 'count 2', 'settle 2']);
  });

  it('`payops init --caught-up` notes who ended an unknown distance, and writes a fresh mark', () => {
    fs.writeFileSync(file, 'not json');
    const records = new FakeRecords(level(4n));
    const mark = new BookMark(records, file);
    expect(mark.open('2026-11-23T10:00:00.000Z')).toMatchObject({ distance: 'unknown' });
    const ended = mark.caughtUp('ops', '2026-11-24T10:00:00.000Z');
    expect(ended).toMatchObject({
      wasBehind: true,
      note: expect.stringMatching(
        /^ended by ops at 2026-11-24T10:00:00.000Z \(behind since 2026-11-23T10:00:00.000Z: .*unreadable.*; 0 lost sends found, distance unknown\)$/,
      ),
    });
    expect(readMarkFile(file)).toEqual({ kind: 'present', mark: { bookId: 'b00c', sends: 4n } });
  });

  // Seen in the chaos run (two `payout run`s on one book): the book was read, the other process
  // committed its claim of 20 and wrote its mark, then the file was read: "it has made 2220
  // sends, its mark says 2240", and a live book looked every send up until an operator ended it.
  it('another process claiming and marking between the two reads never makes a live book behind', () => {
    writeMarkFile(file, { bookId: 'b00c', sends: 2220n });
    const records = new FakeRecords(level(2220n));
    const read = records.state.bind(records);
    let raced = false;
    records.state = () => {
      const seen = read();
      if (!raced) {
        raced = true;
        // The other process: its claim commits in the book, then it writes its mark.
        records.current.sends += 20n;
        writeMarkFile(file, { bookId: 'b00c', sends: 2240n });
      }
      return seen;
    };
    const mark = new BookMark(records, file);
    expect(mark.open('2026-11-23T10:00:00.000Z')).toBeNull();
    expect(records.writes).not.toContain('behind');
    expect(readMarkFile(file)).toEqual({ kind: 'present', mark: { bookId: 'b00c', sends: 2240n } });
  });
});

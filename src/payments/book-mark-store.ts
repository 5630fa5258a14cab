import { type Database, readOneRow, rowShape } from '../db/index.js';
import {
  BookMark,
  type BookMarkRecords,
  type MarkState,
  behindOf,
  markFileOf,
} from './book-mark.js';

const ROW_SQL =
  'SELECT book_id, sends, marked, catch_up_until, behind_reason, behind_since, lost_sends, found_since_behind FROM book_mark WHERE singleton = 1';

const MARK_ROW = rowShape('book_mark', {
  book_id: 'text',
  sends: 'bigint',
  marked: 'bigint',
  catch_up_until: 'bigint?',
  behind_reason: 'text?',
  behind_since: 'text?',
  lost_sends: 'bigint?',
  found_since_behind: 'bigint',
});

function hasMarkTable(db: Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_mark'").get() !==
    undefined
  );
}

function stateOf(row: unknown): MarkState {
  const checked = readOneRow(MARK_ROW, row);
  return {
    bookId: checked.book_id,
    sends: checked.sends,
    marked: checked.marked === 1n,
    catchUpUntil: checked.catch_up_until,
    behindReason: checked.behind_reason,
    behindSince: checked.behind_since,
    lostSends: checked.lost_sends,
    foundSinceBehind: checked.found_since_behind,
  };
}

/** All SQL of book_mark (one row). */
class BookMarkStore implements BookMarkRecords {
  readonly enabled: boolean;
  private readonly s;

  constructor(private readonly db: Database) {
    this.enabled = hasMarkTable(db);
    const prepare = (sql: string) => db.prepare(this.enabled ? sql : 'SELECT 1');
    this.s = {
      row: prepare(ROW_SQL),
      behind: prepare(
        'UPDATE book_mark SET catch_up_until = ?, lost_sends = ?, found_since_behind = 0, behind_reason = ?, behind_since = ? WHERE singleton = 1',
      ),
      unknown: prepare(
        'UPDATE book_mark SET catch_up_until = NULL, lost_sends = NULL, behind_reason = ? WHERE singleton = 1',
      ),
      count: prepare('UPDATE book_mark SET sends = sends + ? WHERE singleton = 1'),
      marked: prepare('UPDATE book_mark SET marked = 1 WHERE singleton = 1 AND marked = 0'),
      found: prepare(
        'UPDATE book_mark SET found_since_behind = found_since_behind + ? WHERE singleton = 1',
      ),
      caughtUp: prepare(
        'UPDATE book_mark SET catch_up_until = NULL, lost_sends = NULL, found_since_behind = 0, behind_reason = NULL, behind_since = NULL WHERE singleton = 1 AND behind_since IS NOT NULL AND lost_sends IS NOT NULL AND found_since_behind >= lost_sends',
      ),
      operatorCaughtUp: prepare(
        'UPDATE book_mark SET catch_up_until = NULL, lost_sends = NULL, found_since_behind = 0, behind_reason = NULL, behind_since = NULL, caught_up_note = ? WHERE singleton = 1',
      ),
    };
  }

  state(): MarkState {
    return stateOf(this.s.row.get());
  }

  recordBehind(
    catchUpUntil: bigint | null,
    lostSends: bigint | null,
    reason: string,
    at: string,
  ): void {
    this.db.transaction(() => this.s.behind.run(catchUpUntil, lostSends, reason, at)).immediate();
  }

  recordUnknownDistance(reason: string): void {
    this.db.transaction(() => this.s.unknown.run(reason)).immediate();
  }

  /** In the caller's transaction (the claim's). */
  countSends(firstTimeSends: bigint): void {
    this.s.count.run(firstTimeSends);
  }

  recordMarked(): void {
    this.db.transaction(() => this.s.marked.run()).immediate();
  }

  settle(lostWorkFound: bigint): void {
    this.db
      .transaction(() => {
        if (lostWorkFound > 0n) this.s.found.run(lostWorkFound);
        this.s.caughtUp.run();
      })
      .immediate();
  }

  operatorCaughtUp(note: string): void {
    this.db.transaction(() => this.s.operatorCaughtUp.run(note)).immediate();
  }
}

const marks = new WeakMap<Database, BookMark>();

/** The book's mark, shared by the executors of one command: one per open database. */
export function bookMarkOf(db: Database): BookMark {
  let mark = marks.get(db);
  if (mark === undefined) {
    const store = new BookMarkStore(db);
    mark = new BookMark(store, store.enabled ? markFileOf(db.name) : null);
    marks.set(db, mark);
  }
  return mark;
}

/**
 * Read only, for `ledger verify`: whether the book is behind its mark (recorded in the book, or
 * found by comparing now), without recording anything. Null when it is not, or has no mark.
 */
export function behindWithoutRecording(db: Database): string | null {
  const hasMark = hasMarkTable(db);
  const file = markFileOf(db.name);
  if (!hasMark || file === null) return null;
  return behindOf(() => stateOf(db.prepare(ROW_SQL).get()), file);
}

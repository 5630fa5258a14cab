import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../db/index.js';
import { StorageError } from '../errors.js';
import { realPathOf } from '../real-path.js';

/**
 * The high-water mark kept OUTSIDE the database (DESIGN.md §5, issue 14 item 1). A backup restored
 * over the books, a copy, a rollback: the book forgets work it sent, and once the PSP has
 * forgotten those idempotency keys (24 h) the same files would charge, refund and pay out again.
 * The book counts its first-time sends; after each claim commits and before the PSP is called,
 * the count and the book's identity are written to `<db>.payops-mark`. A book whose count is
 * below its mark is behind: it records so, and every send is looked up at the PSP first until
 * the PSP has FOUND as many of its first-time sends as the mark says it lost (new work, found
 * nowhere, does not count). When how far it is behind is unknown, it looks up until the operator
 * runs `payops init --caught-up`.
 */
const MARK_FORMAT = 'payops-mark/1';

export interface Mark {
  bookId: string;
  sends: bigint;
}

/** What the book knows of itself (the book_mark row). */
export interface BookState extends Mark {
  /** The book has written its mark file before. */
  marked: boolean;
}

export type MarkFile =
  | { kind: 'present'; mark: Mark }
  | { kind: 'missing' }
  | { kind: 'unreadable'; detail: string };

/** lost: how many sends the book lost; null when that is unknown. */
export type Comparison =
  | { behind: false }
  | { behind: true; catchUpUntil: bigint | null; lost: bigint | null; reason: string };

/**
 * `books.db` → `books.db.payops-mark`, by the book's REAL path: a book opened through a symlink
 * or another spelling has one mark. Null for a book with no file (in memory).
 */
export function markFileOf(dbFile: string): string | null {
  if (dbFile === '' || dbFile === ':memory:' || dbFile.startsWith('file::memory:')) return null;
  return `${realPathOf(dbFile)}.payops-mark`;
}

/**
 * Pure: is the book behind its mark? A lower count than the mark's is behind by the difference
 * (known). A mark of another book (a file replaced by another, a copy used elsewhere) or a missing
 * or unreadable mark of a book that had written one is behind by an UNKNOWN distance: no guess,
 * the book looks up until the operator says it has caught up. A book that never wrote a mark
 * (new, or older than the mark) just makes one.
 */
export function compareWithMark(book: BookState, file: MarkFile): Comparison {
  if (file.kind === 'present') {
    if (file.mark.bookId !== book.bookId) {
      return {
        behind: true,
        catchUpUntil: null,
        lost: null,
        reason: `its mark file belongs to another book (${file.mark.bookId.slice(0, 8)}…, ${file.mark.sends} sends)`,
      };
    }
    if (file.mark.sends > book.sends)
      return {
        behind: true,
        catchUpUntil: file.mark.sends,
        lost: file.mark.sends - book.sends,
        reason: `it has made ${book.sends} sends, its mark says ${file.mark.sends}`,
      };
    return { behind: false };
  }
  // Never marked: a new book makes its mark. One that has sent work without ever marking it
  // (made by `payops demo` or a test, copied before its first mark) cannot tell what it lost.
  if (!book.marked && book.sends === 0n) return { behind: false };
  const what =
    file.kind === 'missing'
      ? 'its mark file is missing'
      : `its mark file is unreadable (${file.detail})`;
  return {
    behind: true,
    catchUpUntil: null,
    lost: null,
    reason: `${what}: how far it is behind is unknown`,
  };
}

export function readMarkFile(file: string): MarkFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', detail: (error as Error).message };
  }
  try {
    const parsed = JSON.parse(text) as { format?: unknown; bookId?: unknown; sends?: unknown };
    if (
      parsed.format !== MARK_FORMAT ||
      typeof parsed.bookId !== 'string' ||
      typeof parsed.sends !== 'string' ||
      !/^[0-9]{1,19}$/.test(parsed.sends)
    ) {
      return { kind: 'unreadable', detail: `not a ${MARK_FORMAT} file` };
    }
    return { kind: 'present', mark: { bookId: parsed.bookId, sends: BigInt(parsed.sends) } };
  } catch {
    return { kind: 'unreadable', detail: 'not JSON' };
  }
}

/**
 * Writes the mark durably and atomically: a temporary file in the same folder (0600), fsynced,
 * renamed over the mark, then the folder fsynced so the rename itself survives a power cut.
 */
export function writeMarkFile(file: string, mark: Mark): void {
  const directory = path.dirname(file);
  const temporary = path.join(
    directory,
    `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`,
  );
  const body = `${JSON.stringify({ format: MARK_FORMAT, bookId: mark.bookId, sends: mark.sends.toString() })}\n`;
  try {
    const fd = fs.openSync(
      temporary,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      0o600,
    );
    try {
      fs.writeSync(fd, body);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
    const dirFd = fs.openSync(directory, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new StorageError(`cannot write the book's mark ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'payops keeps its high-water mark beside the database: make that folder writable; nothing was sent',
    });
  }
}

/** The book is behind its mark: what the summary and stderr say, once per command. */
export interface BehindNotice {
  reason: string;
  /** known: the mark says how many sends were lost; unknown: the book looks up until `payops init --caught-up`. */
  distance: 'known' | 'unknown';
  /** Lost sends the PSP has yet to find before the book has caught up; null when unknown. */
  lookUps: bigint | null;
  /** One line for stderr and the summary. */
  line: string;
}

function behindLine(reason: string, lookUps: bigint | null): string {
  const see = '(see "Restoring from a backup" in docs/RELIABILITY.md)';
  if (lookUps === null) {
    return `the book is behind its mark by an unknown distance (${reason}): every charge, refund and payout will be looked up at the PSP before anything is sent, until \`payops init --caught-up\` is run once every file since the backup has been rerun ${see}`;
  }
  return `the book is behind its mark by a known distance (${reason}): every charge, refund and payout will be looked up at the PSP before anything is sent until the PSP has found the ${lookUps} sends it lost (new work found nowhere does not count; \`payops init --caught-up\` ends it early) ${see}`;
}

/** Who ran `payops init --caught-up`, for the note in the book. */
export function operatorName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown user';
  }
}

/** The summary's words for the notice: which case, and what ends it. */
export function behindSummary(behind: { lookUps: bigint | null }): string {
  if (behind.lookUps === null)
    return 'unknown distance: every send is looked up at the PSP until `payops init --caught-up` (run it once every file since the backup has been rerun)';
  return `${behind.lookUps} lost sends still to be found at the PSP before it has caught up (every send is looked up meanwhile)`;
}

interface MarkRow {
  book_id: string;
  sends: bigint;
  marked: bigint;
  catch_up_until: bigint | null;
  behind_reason: string | null;
  behind_since: string | null;
  lost_sends: bigint | null;
  found_since_behind: bigint;
}

const ROW_SQL =
  'SELECT book_id, sends, marked, catch_up_until, behind_reason, behind_since, lost_sends, found_since_behind FROM book_mark WHERE singleton = 1';

/** What `payops init --caught-up` did. */
export type CaughtUp = { wasBehind: false } | { wasBehind: true; reason: string; note: string };

const marks = new WeakMap<Database, BookMark>();

/**
 * The book's side of the mark, shared by the executors of one command (one per open database).
 * Callers hold the transaction for `claimed`; `open`, `advance` and `settle` make their own.
 */
export class BookMark {
  private readonly file: string | null;
  private opened: BehindNotice | null | undefined;
  private readonly enabled: boolean;
  private readonly s;

  static of(db: Database): BookMark {
    let mark = marks.get(db);
    if (mark === undefined) marks.set(db, (mark = new BookMark(db)));
    return mark;
  }

  private constructor(private readonly db: Database) {
    // A book at an older schema (built so by a migration test) has no mark: nothing to compare or count.
    const hasMark =
      db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_mark'")
        .get() !== undefined;
    this.file = hasMark ? markFileOf(db.name) : null;
    this.enabled = hasMark;
    const prepare = (sql: string) => db.prepare(hasMark ? sql : 'SELECT 1');
    this.s = {
      row: prepare(ROW_SQL),
      behind: prepare(
        'UPDATE book_mark SET catch_up_until = ?, lost_sends = ?, found_since_behind = 0, behind_reason = ?, behind_since = ? WHERE singleton = 1',
      ),
      // Already behind and now the distance is unknown too: unknown wins (it never ends on a count).
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

  /**
   * Once per command that sends work: compares the book with its mark file, records a book found
   * behind (so the next run remembers it even if this one stops), and returns the notice while
   * the book is behind. A book level with its mark (or new) writes its mark now.
   */
  open(at: string): BehindNotice | null {
    if (!this.enabled) return null;
    if (this.opened !== undefined) return this.opened;
    const row = this.row();
    if (this.file !== null) {
      const comparison = compareWithMark(
        { bookId: row.book_id, sends: row.sends, marked: row.marked === 1n },
        readMarkFile(this.file),
      );
      if (comparison.behind) this.recordBehind(row, comparison, at);
      else if (row.behind_since === null) this.advance(row.sends, true);
    }
    const now = this.row();
    this.opened = now.behind_since === null ? null : noticeOf(now);
    return this.opened;
  }

  /** A book found behind for the first time starts counting; one already behind keeps its count. */
  private recordBehind(
    row: MarkRow,
    comparison: Extract<Comparison, { behind: true }>,
    at: string,
  ): void {
    if (row.behind_since === null) {
      this.db
        .transaction(() =>
          this.s.behind.run(comparison.catchUpUntil, comparison.lost, comparison.reason, at),
        )
        .immediate();
    } else if (comparison.lost === null && row.lost_sends !== null) {
      this.db.transaction(() => this.s.unknown.run(comparison.reason)).immediate();
    }
  }

  /** Inside the claim's transaction: counts first-time sends; true when the batch must be looked up first. */
  claimed(firstTimeSends: number): { lookUpFirst: boolean; sends: bigint } {
    if (!this.enabled) return { lookUpFirst: false, sends: 0n };
    if (firstTimeSends > 0) this.s.count.run(BigInt(firstTimeSends));
    const row = this.row();
    return { lookUpFirst: row.behind_since !== null, sends: row.sends };
  }

  /** After the claim commits, before the PSP is called: the mark never goes down. */
  advance(sends: bigint, force = false): void {
    if (this.file === null) return;
    const current = readMarkFile(this.file);
    const row = this.row();
    const level =
      current.kind === 'present' &&
      current.mark.bookId === row.book_id &&
      current.mark.sends >= sends;
    if (level && !force) return;
    if (!level) writeMarkFile(this.file, { bookId: row.book_id, sends });
    if (row.marked === 0n) this.db.transaction(() => this.s.marked.run()).immediate();
  }

  /**
   * After a batch is recorded: `lostWorkFound` look-ups found a record of work the book had lost.
   * A book whose PSP has found as many as it lost leaves catch-up; an unknown distance never does.
   */
  settle(lostWorkFound = 0): void {
    if (!this.enabled || this.row().behind_since === null) return;
    this.db
      .transaction(() => {
        if (lostWorkFound > 0) this.s.found.run(BigInt(lostWorkFound));
        this.s.caughtUp.run();
      })
      .immediate();
  }

  /**
   * `payops init`: the operator establishes the book here. A book that never wrote a mark (new,
   * or migrated from before the mark) writes one now, whatever it has sent, so that a backup taken
   * from now on and restored elsewhere is found behind; any other book is compared as `open` does.
   */
  establish(at: string): BehindNotice | null {
    if (!this.enabled || this.file === null) return null;
    const row = this.row();
    if (
      row.marked === 0n &&
      row.behind_since === null &&
      readMarkFile(this.file).kind === 'missing'
    ) {
      this.advance(row.sends, true);
      return null;
    }
    return this.open(at);
  }

  /**
   * `payops init --caught-up`: the operator says every file since the backup has been rerun (or
   * the rest will never be). Ends look-up mode, notes who and when, writes a fresh mark.
   */
  caughtUp(by: string, at: string): CaughtUp {
    if (!this.enabled) return { wasBehind: false };
    const row = this.row();
    if (row.behind_since === null) return { wasBehind: false };
    const reason = row.behind_reason ?? 'behind its mark';
    const found =
      row.lost_sends === null
        ? `${row.found_since_behind} lost sends found, distance unknown`
        : `${row.found_since_behind} of ${row.lost_sends} lost sends found`;
    const note = `ended by ${by} at ${at} (behind since ${row.behind_since}: ${reason}; ${found})`;
    this.db.transaction(() => this.s.operatorCaughtUp.run(note)).immediate();
    this.opened = undefined;
    this.advance(row.sends, true);
    return { wasBehind: true, reason, note };
  }

  private row(): MarkRow {
    return this.s.row.get() as MarkRow;
  }
}

/**
 * Read only, for `ledger verify`: whether the book is behind its mark (recorded in the book, or
 * found by comparing now), without recording anything. Null when it is not, or has no mark.
 */
export function behindWithoutRecording(db: Database): string | null {
  const hasMark =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_mark'").get() !==
    undefined;
  const file = markFileOf(db.name);
  if (!hasMark || file === null) return null;
  const row = db.prepare(ROW_SQL).get() as MarkRow;
  if (row.behind_since !== null) return noticeOf(row).line;
  const comparison = compareWithMark(
    { bookId: row.book_id, sends: row.sends, marked: row.marked === 1n },
    readMarkFile(file),
  );
  return comparison.behind ? behindLine(comparison.reason, comparison.lost) : null;
}

function noticeOf(row: MarkRow): BehindNotice {
  const reason = row.behind_reason ?? 'behind its mark';
  if (row.lost_sends === null)
    return { reason, distance: 'unknown', lookUps: null, line: behindLine(reason, null) };
  const lookUps =
    row.lost_sends > row.found_since_behind ? row.lost_sends - row.found_since_behind : 0n;
  return { reason, distance: 'known', lookUps, line: behindLine(reason, lookUps) };
}

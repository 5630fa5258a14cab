import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/index.js';
import { StorageError } from '../errors.js';

/**
 * The high-water mark kept OUTSIDE the database (DESIGN.md §5, issue 14 item 1). A backup restored
 * over the books, a copy, a rollback: the book forgets work it sent, and once the PSP has
 * forgotten those idempotency keys (24 h) the same files would charge, refund and pay out again.
 * The book counts its first-time sends; after each claim commits and before the PSP is called,
 * the count and the book's identity are written to `<db>.payops-mark`. A book whose count is
 * below its mark is behind: it records so, and every send is looked up at the PSP first until
 * the book has made as many first-time sends as the mark says it had.
 */
export const MARK_FORMAT = 'payops-mark/1';

export interface Mark {
  bookId: string;
  sends: bigint;
}

/** What the book knows of itself (the book_mark row). */
export interface BookState extends Mark {
  /** The book has written its mark file before. */
  marked: boolean;
}

export type MarkFile = { kind: 'present'; mark: Mark } | { kind: 'missing' } | { kind: 'unreadable'; detail: string };

export type Comparison = { behind: false } | { behind: true; catchUpUntil: bigint; reason: string };

/** `books.db` → `books.db.payops-mark`; null for a book with no file (in memory). */
export function markFileOf(dbFile: string): string | null {
  if (dbFile === '' || dbFile === ':memory:' || dbFile.startsWith('file::memory:')) return null;
  return `${path.resolve(dbFile)}.payops-mark`;
}

/**
 * Pure: is the book behind its mark? A lower count than the mark's is behind by the difference; a
 * mark of another book (a file replaced by another, or a new book where one was lost) is behind
 * by that book's whole count; a missing or unreadable mark of a book that had written one is
 * behind by an unknown amount, taken as the book's own count again (it may have lost as much
 * as it still knows). A book that never wrote a mark (new, or older than the mark) just makes one.
 */
export function compareWithMark(book: BookState, file: MarkFile): Comparison {
  if (file.kind === 'present') {
    if (file.mark.bookId !== book.bookId) {
      return { behind: true, catchUpUntil: book.sends + file.mark.sends, reason: `its mark file belongs to another book (${file.mark.bookId.slice(0, 8)}…, ${file.mark.sends} sends)` };
    }
    if (file.mark.sends > book.sends) return { behind: true, catchUpUntil: file.mark.sends, reason: `it has made ${book.sends} sends, its mark says ${file.mark.sends}` };
    return { behind: false };
  }
  if (!book.marked) return { behind: false };
  const what = file.kind === 'missing' ? 'its mark file is missing' : `its mark file is unreadable (${file.detail})`;
  return { behind: true, catchUpUntil: book.sends + (book.sends > 0n ? book.sends : 1n), reason: `${what}: how far it is behind is unknown` };
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
    if (parsed.format !== MARK_FORMAT || typeof parsed.bookId !== 'string' || typeof parsed.sends !== 'string' || !/^[0-9]{1,19}$/.test(parsed.sends)) {
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
  const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const body = `${JSON.stringify({ format: MARK_FORMAT, bookId: mark.bookId, sends: mark.sends.toString() })}\n`;
  try {
    const fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
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
  /** First-time sends still to be looked up before the book has caught up. */
  lookUps: bigint;
  /** One line for stderr and the summary. */
  line: string;
}

export function behindLine(reason: string, lookUps: bigint): string {
  return `the book is behind its mark (${reason}): the next ${lookUps} charges, refunds and payouts, and every retry meanwhile, will be looked up at the PSP before anything is sent (see "Restoring from a backup" in docs/RELIABILITY.md)`;
}

interface MarkRow {
  book_id: string;
  sends: bigint;
  marked: bigint;
  catch_up_until: bigint | null;
  behind_reason: string | null;
}

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
    const hasMark = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_mark'").get() !== undefined;
    this.file = hasMark ? markFileOf(db.name) : null;
    this.enabled = hasMark;
    const prepare = (sql: string) => db.prepare(hasMark ? sql : 'SELECT 1');
    this.s = {
      row: prepare('SELECT book_id, sends, marked, catch_up_until, behind_reason FROM book_mark WHERE singleton = 1'),
      behind: prepare('UPDATE book_mark SET catch_up_until = MAX(COALESCE(catch_up_until, 0), ?), behind_reason = ?, behind_since = COALESCE(behind_since, ?) WHERE singleton = 1'),
      count: prepare('UPDATE book_mark SET sends = sends + ? WHERE singleton = 1'),
      marked: prepare('UPDATE book_mark SET marked = 1 WHERE singleton = 1 AND marked = 0'),
      caughtUp: prepare('UPDATE book_mark SET catch_up_until = NULL, behind_reason = NULL, behind_since = NULL WHERE singleton = 1 AND catch_up_until <= sends'),
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
      const comparison = compareWithMark({ bookId: row.book_id, sends: row.sends, marked: row.marked === 1n }, readMarkFile(this.file));
      if (comparison.behind) {
        this.db.transaction(() => this.s.behind.run(comparison.catchUpUntil, comparison.reason, at)).immediate();
      } else if (row.catch_up_until === null) {
        this.advance(row.sends, true);
      }
    }
    const now = this.row();
    this.opened = now.catch_up_until === null ? null : this.notice(now);
    return this.opened;
  }

  /** Inside the claim's transaction: counts first-time sends; true when the batch must be looked up first. */
  claimed(firstTimeSends: number): { lookUpFirst: boolean; sends: bigint } {
    if (!this.enabled) return { lookUpFirst: false, sends: 0n };
    if (firstTimeSends > 0) this.s.count.run(BigInt(firstTimeSends));
    const row = this.row();
    return { lookUpFirst: row.catch_up_until !== null, sends: row.sends };
  }

  /** After the claim commits, before the PSP is called: the mark never goes down. */
  advance(sends: bigint, force = false): void {
    if (this.file === null) return;
    const current = readMarkFile(this.file);
    const row = this.row();
    const level = current.kind === 'present' && current.mark.bookId === row.book_id && current.mark.sends >= sends;
    if (level && !force) return;
    if (!level) writeMarkFile(this.file, { bookId: row.book_id, sends });
    if (row.marked === 0n) this.db.transaction(() => this.s.marked.run()).immediate();
  }

  /** After a batch is recorded: a book that has made the sends its mark said leaves catch-up. */
  settle(): void {
    if (!this.enabled || this.row().catch_up_until === null) return;
    this.db.transaction(() => this.s.caughtUp.run()).immediate();
  }

  private notice(row: MarkRow): BehindNotice {
    const lookUps = (row.catch_up_until ?? 0n) > row.sends ? (row.catch_up_until ?? 0n) - row.sends : 0n;
    const reason = row.behind_reason ?? 'behind its mark';
    return { reason, lookUps, line: behindLine(reason, lookUps) };
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
  const hasMark = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_mark'").get() !== undefined;
  const file = markFileOf(db.name);
  if (!hasMark || file === null) return null;
  const row = db.prepare('SELECT book_id, sends, marked, catch_up_until, behind_reason FROM book_mark WHERE singleton = 1').get() as MarkRow;
  if (row.catch_up_until !== null) return behindLine(row.behind_reason ?? 'behind its mark', row.catch_up_until > row.sends ? row.catch_up_until - row.sends : 0n);
  const comparison = compareWithMark({ bookId: row.book_id, sends: row.sends, marked: row.marked === 1n }, readMarkFile(file));
  return comparison.behind ? behindLine(comparison.reason, comparison.catchUpUntil - row.sends) : null;
}

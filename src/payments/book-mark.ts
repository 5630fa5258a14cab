import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** The book's side of the mark as it reads (the book_mark row). */
export interface MarkState extends BookState {
  catchUpUntil: bigint | null;
  behindReason: string | null;
  behindSince: string | null;
  /** While behind, how many sends the book lost; null when that is unknown. */
  lostSends: bigint | null;
  foundSinceBehind: bigint;
}

/**
 * What the book mark needs of its storage (src/payments/book-mark-store.ts holds the SQL).
 * `countSends` runs in the caller's transaction; every other write makes its own.
 */
export interface BookMarkRecords {
  /** The book has a mark at all (a book at an older schema, built so by a migration test, has none). */
  readonly enabled: boolean;
  state(): MarkState;
  /** Found behind for the first time: starts counting what the PSP finds. */
  recordBehind(
    catchUpUntil: bigint | null,
    lostSends: bigint | null,
    reason: string,
    at: string,
  ): void;
  /** Already behind and now the distance is unknown too: unknown wins (it never ends on a count). */
  recordUnknownDistance(reason: string): void;
  countSends(firstTimeSends: bigint): void;
  recordMarked(): void;
  /** Adds what look-ups found of the lost work, and leaves catch-up once all of it is found. */
  settle(lostWorkFound: bigint): void;
  operatorCaughtUp(note: string): void;
}

/** What `payops init --caught-up` did. */
export type CaughtUp = { wasBehind: false } | { wasBehind: true; reason: string; note: string };

/**
 * The book's side of the mark, shared by the executors of one command (one per open database:
 * `bookMarkOf` in book-mark-store.ts). Callers hold the transaction for `claimed`; `open`,
 * `advance` and `settle` make their own.
 */
export class BookMark {
  private opened: BehindNotice | null | undefined;

  /** file: the mark file, null for a book with none (in memory, or no mark at all). */
  constructor(
    private readonly records: BookMarkRecords,
    private readonly file: string | null,
  ) {}

  /**
   * Once per command that sends work: compares the book with its mark file, records a book found
   * behind (so the next run remembers it even if this one stops), and returns the notice while
   * the book is behind. A book level with its mark (or new) writes its mark now.
   */
  open(at: string): BehindNotice | null {
    if (!this.records.enabled) return null;
    if (this.opened !== undefined) return this.opened;
    if (this.file !== null) {
      // The file first, then the book: a claim commits in the book before its mark is written,
      // so another process sending between the two reads can make the book newer than the file
      // read, never the file newer than the book (read the other way, a live book was found
      // behind by that process's batch and looked everything up until the operator intervened).
      const onFile = readMarkFile(this.file);
      const state = this.records.state();
      const comparison = compareWithMark(state, onFile);
      if (comparison.behind) this.recordBehind(state, comparison, at);
      else if (state.behindSince === null) this.advance(state.sends, true);
    }
    const now = this.records.state();
    this.opened = now.behindSince === null ? null : noticeOf(now);
    return this.opened;
  }

  /** A book found behind for the first time starts counting; one already behind keeps its count. */
  private recordBehind(
    state: MarkState,
    comparison: Extract<Comparison, { behind: true }>,
    at: string,
  ): void {
    if (state.behindSince === null) {
      this.records.recordBehind(comparison.catchUpUntil, comparison.lost, comparison.reason, at);
    } else if (comparison.lost === null && state.lostSends !== null) {
      this.records.recordUnknownDistance(comparison.reason);
    }
  }

  /** Inside the claim's transaction: counts first-time sends; true when the batch must be looked up first. */
  claimed(firstTimeSends: number): { lookUpFirst: boolean; sends: bigint } {
    if (!this.records.enabled) return { lookUpFirst: false, sends: 0n };
    if (firstTimeSends > 0) this.records.countSends(BigInt(firstTimeSends));
    const state = this.records.state();
    return { lookUpFirst: state.behindSince !== null, sends: state.sends };
  }

  /** After the claim commits, before the PSP is called: the mark never goes down. */
  advance(sends: bigint, force = false): void {
    if (this.file === null) return;
    const current = readMarkFile(this.file);
    const state = this.records.state();
    const level =
      current.kind === 'present' &&
      current.mark.bookId === state.bookId &&
      current.mark.sends >= sends;
    if (level && !force) return;
    if (!level) writeMarkFile(this.file, { bookId: state.bookId, sends });
    if (!state.marked) this.records.recordMarked();
  }

  /**
   * After a batch is recorded: `lostWorkFound` look-ups found a record of work the book had lost.
   * A book whose PSP has found as many as it lost leaves catch-up; an unknown distance never does.
   */
  settle(lostWorkFound = 0): void {
    if (!this.records.enabled || this.records.state().behindSince === null) return;
    this.records.settle(BigInt(lostWorkFound));
  }

  /**
   * `payops init`: the operator establishes the book here. A book that never wrote a mark (new,
   * or migrated from before the mark) writes one now, whatever it has sent, so that a backup taken
   * from now on and restored elsewhere is found behind; any other book is compared as `open` does.
   */
  establish(at: string): BehindNotice | null {
    if (!this.records.enabled || this.file === null) return null;
    const state = this.records.state();
    if (!state.marked && state.behindSince === null && readMarkFile(this.file).kind === 'missing') {
      this.advance(state.sends, true);
      return null;
    }
    return this.open(at);
  }

  /**
   * `payops init --caught-up`: the operator says every file since the backup has been rerun (or
   * the rest will never be). Ends look-up mode, notes who and when, writes a fresh mark.
   */
  caughtUp(by: string, at: string): CaughtUp {
    if (!this.records.enabled) return { wasBehind: false };
    const state = this.records.state();
    if (state.behindSince === null) return { wasBehind: false };
    const note = caughtUpNote(state, by, at);
    this.records.operatorCaughtUp(note);
    this.opened = undefined;
    this.advance(state.sends, true);
    return { wasBehind: true, reason: state.behindReason ?? 'behind its mark', note };
  }
}

/** Pure: the note `payops init --caught-up` leaves in the book of a book that was behind. */
function caughtUpNote(state: MarkState, by: string, at: string): string {
  const reason = state.behindReason ?? 'behind its mark';
  const found =
    state.lostSends === null
      ? `${state.foundSinceBehind} lost sends found, distance unknown`
      : `${state.foundSinceBehind} of ${state.lostSends} lost sends found`;
  return `ended by ${by} at ${at} (behind since ${state.behindSince}: ${reason}; ${found})`;
}

/**
 * Read only, for `ledger verify`: whether the book is behind its mark (recorded in the book, or
 * found by comparing now with its mark file), without recording anything. Null when it is not.
 */
export function behindOf(readState: () => MarkState, file: string): string | null {
  const onFile = readMarkFile(file); // before the book: see BookMark.open
  const state = readState();
  if (state.behindSince !== null) return noticeOf(state).line;
  const comparison = compareWithMark(state, onFile);
  return comparison.behind ? behindLine(comparison.reason, comparison.lost) : null;
}

function noticeOf(state: MarkState): BehindNotice {
  const reason = state.behindReason ?? 'behind its mark';
  if (state.lostSends === null)
    return { reason, distance: 'unknown', lookUps: null, line: behindLine(reason, null) };
  const lookUps =
    state.lostSends > state.foundSinceBehind ? state.lostSends - state.foundSinceBehind : 0n;
  return { reason, distance: 'known', lookUps, line: behindLine(reason, lookUps) };
}

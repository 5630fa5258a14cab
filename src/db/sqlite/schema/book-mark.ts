/**
 * The book's high-water mark (issue 14, DESIGN.md §5): one row.
 * - book_id: this book's identity, written once; a copy of the file keeps it.
 * - sends: how many charges, refunds and payouts this book has claimed for the first time; it only
 *   grows, in the claim's own transaction. payops writes it to `<db>.payops-mark` beside the file
 *   after each claim and before the PSP call.
 * - marked: 1 once this book has written its mark file (a missing file is then a warning sign).
 * - catch_up_until: set when the book was found behind its mark (restored, copied, rolled back):
 *   until `sends` reaches it and the batch that reached it is recorded, every send is looked up at
 *   the PSP first. behind_reason and behind_since say why and since when.
 * - lost_sends: while behind, how many sends the book lost (its mark's count minus its own at
 *   detection); NULL while behind means the distance is unknown (mark missing, unreadable, of
 *   another book): the book then stays behind until `payops init --caught-up`.
 * - found_since_behind: look-ups of first-time sends that FOUND a record at the PSP since the book
 *   was found behind (the lost work met again); the book has caught up when it reaches lost_sends.
 * - caught_up_note: who ended the last catch-up with `payops init --caught-up`, when and from what.
 */
export const BOOK_MARK_SCHEMA = `
CREATE TABLE book_mark (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  book_id TEXT NOT NULL,
  sends INTEGER NOT NULL DEFAULT 0 CHECK (sends >= 0),
  marked INTEGER NOT NULL DEFAULT 0 CHECK (marked IN (0, 1)),
  catch_up_until INTEGER CHECK (catch_up_until IS NULL OR catch_up_until >= 0),
  behind_reason TEXT,
  behind_since TEXT,
  lost_sends INTEGER CHECK (lost_sends IS NULL OR lost_sends >= 0),
  found_since_behind INTEGER NOT NULL DEFAULT 0 CHECK (found_since_behind >= 0),
  caught_up_note TEXT
);
INSERT INTO book_mark (singleton, book_id, sends)
  VALUES (1, lower(hex(randomblob(16))),
          (SELECT COUNT(*) FROM orders WHERE first_attempt_at IS NOT NULL)
          + (SELECT COUNT(*) FROM refunds WHERE first_attempt_at IS NOT NULL)
          + (SELECT COUNT(*) FROM payouts WHERE first_attempt_at IS NOT NULL));
CREATE TRIGGER book_mark_no_delete BEFORE DELETE ON book_mark
BEGIN SELECT RAISE(ABORT, 'book_mark is never deleted'); END;
CREATE TRIGGER book_mark_identity_fixed BEFORE UPDATE OF book_id ON book_mark
BEGIN SELECT RAISE(ABORT, 'book_mark.book_id never changes'); END;
`;

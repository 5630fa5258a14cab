import { type TextLine, readDecodedLines } from '../../input/lines.js';

/** No MT940 or BAI2 line is this long; a longer one is refused before it is held whole. */
const MAX_STATEMENT_LINE_BYTES = 4096;

/** The non-blank lines of a statement file (`FILE:LINE encoding|size: reason` refuses it whole). */
export function readTextLines(file: string): AsyncGenerator<TextLine> {
  return readDecodedLines(file, MAX_STATEMENT_LINE_BYTES, 'a statement line');
}

/** YYMMDD → YYYY-MM-DD (00–79 → 20xx, 80–99 → 19xx), or undefined when it is not a real day. */
export function dateOfYymmdd(text: string): string | undefined {
  if (!/^\d{6}$/.test(text)) return undefined;
  const yy = Number(text.slice(0, 2));
  return realDate(
    yy < 80 ? 2000 + yy : 1900 + yy,
    Number(text.slice(2, 4)),
    Number(text.slice(4, 6)),
  );
}

/** YYYY-MM-DD of a real calendar day, else undefined. */
export function realDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    return undefined;
  return date.toISOString().slice(0, 10);
}

/** YYYY-MM-DD plus `days` (negative allowed). */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** YYYY-MM-DD → YYMMDD (the writers' dates; the year must be 1980–2079 to read back the same). */
export function yymmddOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4));
  if (year < 1980 || year > 2079)
    throw new RangeError(`${isoDate}: a YYMMDD date can only say 1980-2079`);
  return isoDate.slice(2, 4) + isoDate.slice(5, 7) + isoDate.slice(8, 10);
}

/**
 * Splits `text` into chunks of at most `width` characters, breaking at single spaces (which a
 * reader that joins continuation lines with one space restores); a word longer than `width` is cut.
 */
export function wrapText(text: string, width: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(' ', width);
    const cut = space > 0 ? space : width;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(space > 0 ? cut + 1 : cut);
  }
  chunks.push(rest);
  return chunks;
}

import fs from 'node:fs';
import { type CsvError, Parser } from 'csv-parse';
import { parse as parseWhole } from 'csv-parse/sync';
import { CR, LF } from './char-codes.js';
import { invalidUtf8Offset, invalidUtf8Reason } from './utf8.js';

/**
 * The one CSV reader, on csv-parse. Settlement files and bank CSV statements: `readCsvBatches`
 * (below); event files, whose header names the columns: `readKeyedCsv` (at the end).
 *
 * `readCsvBatches` streams records with the physical
 * line each starts on, so a bad row is reported where a person finds it in an editor, even after
 * a quoted field that spans lines.
 *
 * csv-parse reads every line that holds a quote (and every line of a record whose quoted field
 * is still open); a line without one is split on the delimiter, which is what csv-parse would
 * make of it, at a fifth of the cost (a settlement file of 1,000,000 unquoted rows is most of the
 * reconcile stage's reading). Lines are ours to count: a record starts on the line its first
 * field does, which csv-parse's `info` does not say (it counts the line a record ends on).
 *
 * Tolerated: a UTF-8 byte-order mark, CRLF or LF line ends, blank lines between records (skipped),
 * quoted fields with "" escapes and line breaks. Refused per record, and reading goes on with the
 * next line: a quote inside an unquoted field, text after a closing quote, a quoted field never
 * closed, a control character or invalid UTF-8 in any field (a formula such as "=SUM(A1)" is plain
 * text here: nothing is ever evaluated). A last record with no line break after it is marked, for
 * the reader to refuse (a file cut short can end in a record that still parses). Rows of
 * different lengths are passed on as they are: each format says which lengths it accepts.
 */
export type CsvItem = CsvRecord | CsvProblem;

export interface CsvRecord {
  line: number;
  fields: string[];
  problem?: undefined;
  /** The record ends the file with no line break after it: the file may have been cut short in it. */
  unterminated?: true;
}

export interface CsvProblem {
  line: number;
  problem: CsvFault;
}

interface CsvFault {
  /** 0-based column of the field at fault, when there is one. */
  column: number | null;
  reason: string;
}

export interface CsvOptions {
  /** One character; "," unless the format says otherwise. */
  delimiter?: string;
  /** Bytes read per chunk (tests use small chunks to cross every boundary). */
  chunkBytes?: number;
}

/** 64 KiB reads keep the garbage young: 1,000,000 rows parse faster and in a third of the memory of 1 MiB reads. */
const DEFAULT_CHUNK_CHARS = 64 * 1024;

/** No record may be longer than this: a quote never closed must not swallow the whole file. */
export const MAX_RECORD_CHARS = 1 << 20;

// C0 and C1 controls and U+FFFD (what the UTF-8 decoder puts for invalid bytes). CR and LF count:
// inside a quoted field a line break is a control character like any other.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

const NEVER_CLOSED = 'a quoted field is never closed (a missing closing quote)';

/**
 * Yields the records of `file` in batches (one per chunk read), in file order. Memory holds one
 * chunk and at most one record being assembled.
 */
export async function* readCsvBatches(
  file: string,
  options: CsvOptions = {},
): AsyncGenerator<CsvItem[]> {
  const reader = new CsvReader(options.delimiter ?? ',');
  const stream = fs.createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_CHARS,
  });
  for await (const chunk of stream) {
    if (typeof chunk !== 'string') throw new TypeError('a utf8 read stream yields strings');
    const batch = reader.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const rest = reader.end();
  if (rest.length > 0) yield rest;
}

/** The first record of `text` (the beginning of a file), or undefined when it holds none. */
export function firstRecord(text: string, delimiter = ','): CsvItem | undefined {
  const reader = new CsvReader(delimiter);
  const items = reader.push(text);
  return items[0] ?? reader.end()[0];
}

/** A record being assembled across lines because a quoted field is still open. */
interface OpenRecord {
  startLine: number;
  /** Raw lines since the record started, kept to re-read them if the quote never closes. */
  lines: string[];
  chars: number;
}

/** Splits text into physical lines and each line, or run of lines, into a record. */
export class CsvReader {
  private readonly delimiter: string;
  private readonly quoted: QuotedLines;
  private carry = '';
  private line = 0;
  private started = false;
  /** After an over-long line was dropped: the rest of it, up to the next line end, goes too. */
  private skipToNextLine = false;
  private open: OpenRecord | undefined;
  private out: CsvItem[] = [];

  constructor(delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(`not a CSV delimiter: ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = delimiter;
    this.quoted = new QuotedLines(delimiter);
  }

  push(chunk: string): CsvItem[] {
    let text = this.carry + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    if (this.skipToNextLine) {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        this.carry = '';
        return this.take();
      }
      this.skipToNextLine = false;
      this.line++;
      start = newline + 1;
    }
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.acceptLine(text.slice(start, end));
      start = newline + 1;
    }
    this.carry = text.slice(start);
    if (this.carry.length > MAX_RECORD_CHARS) this.dropLongLine();
    return this.take();
  }

  /** The end of the file: a last record with no line break after it is marked `unterminated`. */
  end(): CsvItem[] {
    if (this.carry.length > 0) {
      const last =
        this.carry.charCodeAt(this.carry.length - 1) === 13 ? this.carry.slice(0, -1) : this.carry;
      this.carry = '';
      const before = this.out.length;
      this.acceptLine(last);
      if (!this.open) {
        for (let index = before; index < this.out.length; index++) {
          const item = this.out[index];
          if (item !== undefined && !item.problem)
            this.out[index] = { ...item, unterminated: true };
        }
      }
    }
    while (this.open) this.abandonOpenRecord(this.open);
    return this.take();
  }

  /** A line this long is not a settlement row (a binary file, or no line ends at all). */
  private dropLongLine(): void {
    this.out.push({
      line: this.line + 1,
      problem: {
        column: null,
        reason: `line is longer than ${MAX_RECORD_CHARS} characters (not a CSV file?)`,
      },
    });
    this.carry = '';
    this.skipToNextLine = true;
  }

  private take(): CsvItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }

  private acceptLine(text: string): void {
    this.line++;
    this.readLine(text, this.line);
  }

  private readLine(text: string, line: number): void {
    const open = this.open;
    if (open) {
      open.lines.push(text);
      open.chars += text.length + 1;
      this.settle(this.quoted.feed(text), open.startLine);
      if (this.open && this.open.chars > MAX_RECORD_CHARS) this.abandonOpenRecord(this.open);
      return;
    }
    if (text.length === 0) return;
    if (text.indexOf('"') < 0) {
      // No quote: exactly the fields csv-parse would read, without its cost.
      const fields = text.split(this.delimiter);
      this.out.push(FORBIDDEN.test(text) ? forbiddenIn(fields, line) : { line, fields });
      return;
    }
    const outcome = this.quoted.feed(text);
    if (outcome === 'open') this.open = { startLine: line, lines: [text], chars: text.length + 1 };
    else this.settle(outcome, line);
  }

  private settle(outcome: LineOutcome, line: number): void {
    if (outcome === 'open') return;
    this.open = undefined;
    if ('problem' in outcome) this.out.push({ line, problem: outcome.problem });
    else this.out.push(forbiddenIn(outcome.fields, line));
  }

  /** The quote opened at `open.startLine` never closed: report it and re-read the lines after it. */
  private abandonOpenRecord(open: OpenRecord): void {
    this.open = undefined;
    this.quoted.reset();
    this.out.push({
      line: open.startLine,
      problem: { column: this.quoted.openColumn(open.lines), reason: NEVER_CLOSED },
    });
    for (const [offset, text] of open.lines.entries())
      if (offset > 0) this.readLine(text, open.startLine + offset);
  }
}

type LineOutcome = { fields: string[] } | { problem: CsvFault } | 'open';

/**
 * csv-parse, fed one physical line at a time. Each line goes in followed by two line feeds: the
 * parser holds the last byte (or two, inside quotes) back to look ahead, so the first "\n" ends a
 * record that ends on this line and the second, an empty line, is skipped when the next line
 * comes. Inside a quoted field both are data, and that field is refused anyway (a line break is a
 * control character). After a refused record the parser is replaced: csv-parse reads on from
 * where it stopped, in the middle of the record, while a record here ends at its line.
 */
class QuotedLines {
  private readonly delimiter: string;
  private parser: Parser;
  private error: CsvError | undefined;

  constructor(delimiter: string) {
    this.delimiter = delimiter;
    this.parser = this.create();
  }

  feed(text: string): LineOutcome {
    this.parser.write(`${text}\n\n`);
    const error = this.error;
    if (error !== undefined) {
      this.reset();
      return { problem: faultOf(error) };
    }
    const record: unknown = this.parser.read();
    if (record === null) return 'open';
    return { fields: stringsOf(record) };
  }

  reset(): void {
    this.parser.destroy();
    this.error = undefined;
    this.parser = this.create();
  }

  /** The column of the field whose quote the record's `lines` leave open. */
  openColumn(lines: readonly string[]): number {
    let column = 0;
    parseWhole(lines.join('\n'), {
      ...this.options(),
      on_skip: (error) => {
        if (error?.code === 'CSV_QUOTE_NOT_CLOSED' && typeof error.column === 'number')
          column = error.column;
      },
    });
    return column;
  }

  private create(): Parser {
    const parser = new Parser(this.options());
    parser.on('skip', (error: CsvError) => {
      this.error ??= error;
    });
    return parser;
  }

  private options() {
    return {
      delimiter: this.delimiter,
      record_delimiter: '\n',
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    };
  }
}

function faultOf(error: CsvError): CsvFault {
  const column = typeof error.column === 'number' ? error.column : null;
  switch (error.code) {
    case 'INVALID_OPENING_QUOTE':
      return {
        column,
        reason:
          'a quote inside an unquoted field (quote the whole field, and write "" for the quote)',
      };
    case 'CSV_INVALID_CLOSING_QUOTE':
      return {
        column,
        reason: 'text after the closing quote of a quoted field (write "" for a quote inside one)',
      };
    default:
      return { column, reason: error.message };
  }
}

function stringsOf(record: unknown): string[] {
  if (!Array.isArray(record) || !record.every((field) => typeof field === 'string'))
    throw new TypeError('csv-parse gave a record that is not an array of strings');
  return record;
}

/** The record, or the problem of its first field holding a control character. */
function forbiddenIn(fields: string[], line: number): CsvItem {
  const column = fields.findIndex((field) => FORBIDDEN.test(field));
  const field = fields[column];
  if (field === undefined) return { line, fields }; // only a tab delimiter matched on the whole line
  const char = field.match(FORBIDDEN)?.[0] ?? '';
  const reason =
    char === '\ufffd'
      ? 'is not valid UTF-8 (save the file as UTF-8)'
      : `contains a control character (U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return { line, problem: { column, reason } };
}

/** A row of a CSV file whose header names the columns, as csv-parse gives it. */
export interface KeyedCsvRow {
  record: Record<string, string>;
  /** `lines`: the line the row ends on; `bytes`: the offset in the file just after the row and its line break. */
  info: { lines: number; bytes: number };
}

/** A row csv-parse could not read: the line it names, the fields read so far, its own message. */
export interface UnreadableCsvRow {
  line: number;
  fields: string[];
  /** The fields joined with commas, or whatever csv-parse held of the record. */
  text: string;
  reason: string;
}

/**
 * The rows of a CSV file whose first line names the columns (event files), read by csv-parse and
 * refused in its own words ("Invalid Record Length: …", "Quote Not Closed: …"): here a quoted
 * field may span lines, and a row's line is the one it ends on. `onHeader` receives the column
 * names before the first row; a row that cannot be read goes to `onUnreadable` (csv-parse reads
 * ahead: it may come before rows that precede it in the file, so callers order by line).
 */
export function readKeyedCsv(
  file: string,
  onHeader: (names: string[]) => void,
  onUnreadable: (row: UnreadableCsvRow) => void,
): AsyncIterable<KeyedCsvRow> {
  const parser = fs.createReadStream(file).pipe(
    new Parser({
      bom: true,
      columns: (names: string[]) => {
        onHeader(names);
        return names;
      },
      info: true,
      skip_empty_lines: true,
      trim: false,
      skip_records_with_error: true,
      // Not max_record_size: with skip_records_with_error, csv-parse 6 reports the record again for
      // every chunk after it and never emits the rows that follow, which would drop them silently.
      // A row over the limit is refused by the caller instead, once parsed.
    }),
  );
  parser.on('skip', (error: Error & { lines?: number; record?: unknown }) => {
    const fields = Array.isArray(error.record) ? error.record.map(String) : [];
    onUnreadable({
      line: error.lines ?? 0,
      fields,
      text: fields.length > 0 ? fields.join(',') : String(error.record ?? ''),
      reason: error.message,
    });
  });
  return parser as AsyncIterable<KeyedCsvRow>;
}

/**
 * Whether the bytes `start`..`end` of the file are UTF-8: a row that holds U+FFFD was decoded
 * with a replacement, and its bytes, read again, say whether the file really holds that character
 * or bytes that are not UTF-8. Only such rows are read twice.
 */
export function rangeEncodingProblem(
  fd: number,
  start: number,
  end: number,
): { field: string; reason: string } | undefined {
  const bytes = Buffer.alloc(end - start);
  fs.readSync(fd, bytes, 0, bytes.length, start);
  const bad = invalidUtf8Offset(bytes);
  return bad === -1
    ? undefined
    : { field: 'encoding', reason: invalidUtf8Reason(bytes, bad, start + bad) };
}

/**
 * Whether the file's bytes up to `end` end with a line break. RFC 4180 lets the last row go
 * without, but a file cut short (still being written, or copied in part) ends the same way, and
 * its cut row can still parse: "125.00" cut to "12". Money is not charged on a row that may be cut.
 */
export function endsWithLineBreak(fd: number, end: number): boolean {
  if (end === 0) return true;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, end - 1);
  return last[0] === LF || last[0] === CR;
}

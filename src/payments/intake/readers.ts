import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import { UsageError } from '../../errors.js';
import { duplicateKeyReason, findDuplicateKey } from '../../input/json-keys.js';
import { readLines } from '../../input/lines.js';
import {
  invalidUtf8Offset,
  invalidUtf8Reason,
  startsWithUtf8Bom,
  unsupportedEncodingReason,
} from '../../input/utf8.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  CR,
  LF,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  SPACE,
  TAB,
} from '../../input/char-codes.js';

export type InputFormat = 'ndjson' | 'json' | 'csv';
export const INPUT_FORMATS: readonly InputFormat[] = ['ndjson', 'json', 'csv'];

/**
 * The largest record an event file may hold: an NDJSON line, a JSON array element or a CSV row.
 * A checkout of 100 orders with the largest metadata is about 250 KB; anything beyond this is not
 * an event, and is refused without ever being held in memory whole.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** One record of an input file: a parsed value, or why it could not be parsed. */
export interface SourceRecord {
  line: number;
  /** The original text, for the rejects file. */
  text: string;
  value?: unknown;
  parseError?: { field: string; reason: string };
}

/** By extension, then by the first character: `[` is a JSON array, `{` NDJSON. */
export async function detectFormat(file: string, forced?: string): Promise<InputFormat> {
  if (forced !== undefined) {
    if (!(INPUT_FORMATS as readonly string[]).includes(forced))
      throw new UsageError(`--format: "${forced}" is not one of ${INPUT_FORMATS.join(', ')}`);
    return forced as InputFormat;
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  assertReadableFile(file);
  const handle = await fs.promises.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('[') ? 'json' : 'ndjson';
  } finally {
    await handle.close();
  }
}

export function readRecords(file: string, format: InputFormat): AsyncGenerator<SourceRecord> {
  assertReadableFile(file);
  const encodingProblem = unsupportedEncodingOf(file);
  if (encodingProblem !== undefined) return refuseWhole(encodingProblem);
  switch (format) {
    case 'ndjson':
      return readNdjson(file);
    case 'json':
      return readJsonArray(file);
    case 'csv':
      return readCsv(file);
  }
}

export function assertReadableFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`input file ${file} does not exist`);
  }
  if (!stat.isFile())
    throw new UsageError(`input ${file} is not a file`, {
      hint: 'name the event files themselves',
    });
}

/** A UTF-16 or UTF-32 file is refused whole: each of its lines would fail on its own otherwise. */
function unsupportedEncodingOf(file: string): string | undefined {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    return unsupportedEncodingReason(head.subarray(0, fs.readSync(fd, head, 0, 4, 0)));
  } finally {
    fs.closeSync(fd);
  }
}

async function* refuseWhole(reason: string): AsyncGenerator<SourceRecord> {
  yield { line: 1, text: '', parseError: { field: 'encoding', reason } };
}

function tooLong(bytes: number, what: string): { field: string; reason: string } {
  return {
    field: 'size',
    reason: `the ${what} is ${bytes} bytes, more than the ${MAX_RECORD_BYTES} (1 MiB) an event may take`,
  };
}

/** Checks a record's bytes and decodes them; the offset names the first bad byte in the file. */
function decodeRecord(
  bytes: Buffer,
  fileOffset: number,
): { text: string; problem?: { field: string; reason: string } } {
  const bad = invalidUtf8Offset(bytes);
  if (bad === -1) return { text: bytes.toString('utf8') };
  return {
    text: bytes.toString('utf8'),
    problem: { field: 'encoding', reason: invalidUtf8Reason(bytes, bad, fileOffset + bad) },
  };
}

/** One JSON object a line; blank lines are skipped; never holds more than one line. */
async function* readNdjson(file: string): AsyncGenerator<SourceRecord> {
  for await (const batch of readLines(file, MAX_RECORD_BYTES)) {
    for (const raw of batch) {
      if (raw.tooLong) {
        yield {
          line: raw.line,
          text: raw.bytes.toString('utf8'),
          parseError: tooLong(raw.length, 'line'),
        };
        continue;
      }
      const { text, problem } = decodeRecord(raw.bytes, raw.offset);
      if (problem) {
        yield { line: raw.line, text, parseError: problem };
        continue;
      }
      if (text.trim().length === 0) continue;
      yield parseJsonRecord(raw.line, text);
    }
  }
}

function parseJsonRecord(line: number, text: string): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return {
      line,
      text,
      parseError: { field: 'json', reason: `not valid JSON (${(error as Error).message})` },
    };
  }
  // JSON.parse keeps the last of two equal keys: refused, so what is charged is what a person reads.
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined)
    return {
      line,
      text,
      parseError: { field: duplicate.path, reason: duplicateKeyReason(duplicate.key) },
    };
  return { line, text, value };
}

const isJsonWhitespace = (byte: number): boolean =>
  byte === SPACE || byte === LF || byte === CR || byte === TAB;

/**
 * A JSON array of events, streamed element by element: the scanner works on bytes (every byte
 * JSON's structure depends on is ASCII, and no byte of a multi-byte UTF-8 character is), tracks
 * strings and nesting, and holds only the current element. Each element's bytes are checked as
 * UTF-8 before they are decoded. Elements that are not objects are passed on and rejected by
 * validation.
 */
async function* readJsonArray(file: string): AsyncGenerator<SourceRecord> {
  type Mode = 'before' | 'between' | 'composite' | 'scalar' | 'string' | 'after';
  let mode = 'before' as Mode; // "as": the whole union, so narrowing does not stick to 'before' across the loops
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: Buffer[] = [];
  let elementBytes = 0;
  let elementLine = 1;
  let elementOffset = 0;
  let expectElement = true; // after "[" or ",": a "]" here is a trailing comma unless the array is empty
  let elements = 0;
  let missingComma = false;
  let chunkOffset = 0;
  const keep = (piece: Buffer): void => {
    elementBytes += piece.length;
    if (elementBytes <= MAX_RECORD_BYTES) pieces.push(piece);
  };
  const finish = (): SourceRecord => {
    elements++;
    expectElement = false;
    const bytes = Buffer.concat(pieces);
    pieces = [];
    const size = elementBytes;
    elementBytes = 0;
    if (size > MAX_RECORD_BYTES)
      return {
        line: elementLine,
        text: bytes.subarray(0, 10_000).toString('utf8'),
        parseError: tooLong(size, 'element'),
      };
    const { text, problem } = decodeRecord(bytes, elementOffset);
    if (problem) return { line: elementLine, text, parseError: problem };
    if (missingComma) {
      missingComma = false;
      return {
        line: elementLine,
        text,
        parseError: { field: 'json', reason: 'missing "," before this element' },
      };
    }
    return parseJsonRecord(elementLine, text);
  };
  const excerpt = (chunk: Buffer, at: number): string =>
    chunk.subarray(at, at + 40).toString('utf8');

  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let start = mode === 'composite' || mode === 'scalar' || mode === 'string' ? 0 : -1;
    let i = chunkOffset === 0 && startsWithUtf8Bom(chunk) ? 3 : 0;
    for (; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte === LF) line++;
      if (mode === 'after') {
        // Only whitespace may follow the array: a second array (two files concatenated) or any
        // other text would otherwise be dropped without a word.
        if (!isJsonWhitespace(byte)) {
          yield {
            line,
            text: excerpt(chunk, i),
            parseError: {
              field: 'json',
              reason: 'unexpected content after the closing "]" of the JSON array',
            },
          };
          return;
        }
      } else if (mode === 'before') {
        if (byte === OPEN_BRACKET) mode = 'between';
        else if (!isJsonWhitespace(byte)) {
          yield {
            line,
            text: excerpt(chunk, i),
            parseError: { field: 'json', reason: 'expected a JSON array of events' },
          };
          return;
        }
      } else if (mode === 'between') {
        if (isJsonWhitespace(byte)) continue;
        if (byte === CLOSE_BRACKET) {
          if (expectElement && elements > 0)
            yield {
              line,
              text: ',]',
              parseError: { field: 'json', reason: 'trailing comma before "]"' },
            };
          mode = 'after';
        } else if (byte === COMMA) {
          if (expectElement)
            yield {
              line,
              text: ',',
              parseError: { field: 'json', reason: 'missing element between commas' },
            };
          expectElement = true;
        } else {
          start = i;
          elementLine = line;
          elementOffset = chunkOffset + i;
          missingComma = !expectElement;
          if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            mode = 'composite';
            depth = 1;
          } else if (byte === QUOTE) {
            mode = 'string';
          } else {
            mode = 'scalar';
          }
        }
      } else if (mode === 'string') {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) {
          keep(chunk.subarray(start, i + 1));
          yield finish();
          mode = 'between';
        }
      } else if (mode === 'scalar') {
        if (byte === COMMA || byte === CLOSE_BRACKET || isJsonWhitespace(byte)) {
          keep(chunk.subarray(start, i));
          yield finish();
          mode = 'between';
          i--; // let "between" see the delimiter
          if (byte === LF) line--;
        }
      } else if (mode === 'composite') {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) inString = false;
        } else if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            keep(chunk.subarray(start, i + 1));
            yield finish();
            mode = 'between';
          }
        }
      }
    }
    if (start >= 0 && (mode === 'composite' || mode === 'scalar' || mode === 'string'))
      keep(chunk.subarray(start));
    chunkOffset += chunk.length;
  }
  if (mode !== 'after') {
    yield {
      line,
      text: Buffer.concat(pieces).subarray(0, 200).toString('utf8'),
      parseError: { field: 'json', reason: 'the JSON array is not closed (truncated file?)' },
    };
  }
}

const CSV_COLUMNS = [
  'eventId',
  'type',
  'occurredAt',
  'currency',
  'payerId',
  'paymentToken',
  'orderId',
  'sellerId',
  'amount',
  'platformFee',
  'metadata',
] as const;
const CSV_REQUIRED = CSV_COLUMNS.filter(
  (column) => column !== 'platformFee' && column !== 'metadata',
);
const CSV_EVENT_FIELDS = ['type', 'occurredAt', 'currency', 'payerId', 'paymentToken'] as const;
const REPLACEMENT_CHARACTER = '\uFFFD';

interface CsvRow {
  record: Record<string, string>;
  /** `bytes`: the offset in the file just after the row and its line break. */
  info: { lines: number; bytes: number };
}

interface UnreadableRow extends SourceRecord {
  /** The eventId the row names, if it could be read. */
  eventId: string | undefined;
}

/**
 * One order a row; consecutive rows with the same eventId form one checkout. The header names the
 * columns (any order, each once): eventId,type,occurredAt,currency,payerId,paymentToken,orderId,
 * sellerId,amount[,platformFee][,metadata (a JSON object)]. Rows become the same event object an
 * NDJSON line would, so the same checkout hashes the same in either format.
 *
 * A checkout with a row that cannot be read (wrong number of fields, bad quoting, invalid UTF-8,
 * or a last row cut short) is rejected whole, never charged with an order missing.
 */
async function* readCsv(file: string): AsyncGenerator<SourceRecord> {
  const fd = fs.openSync(file, 'r');
  try {
    yield* readCsvRows(file, fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function* readCsvRows(file: string, fd: number): AsyncGenerator<SourceRecord> {
  let header: string[] | undefined;
  const skipped: UnreadableRow[] = [];
  const parser = fs.createReadStream(file).pipe(
    parseCsv({
      bom: true,
      columns: (names: string[]) => {
        header = names;
        return names;
      },
      info: true,
      skip_empty_lines: true,
      trim: false,
      skip_records_with_error: true,
      // Not max_record_size: with skip_records_with_error, csv-parse 6 reports the record again for
      // every chunk after it and never emits the rows that follow, which would drop them silently.
      // A row over the limit is refused below instead, once parsed.
    }),
  );
  parser.on('skip', (error: Error & { lines?: number; bytes?: number; record?: unknown }) => {
    const fields = Array.isArray(error.record) ? error.record.map(String) : [];
    const eventIdColumn = header?.indexOf('eventId') ?? -1;
    skipped.push({
      line: error.lines ?? 0,
      text: fields.length > 0 ? fields.join(',') : String(error.record ?? ''),
      parseError: { field: 'csv', reason: error.message },
      eventId: eventIdColumn >= 0 ? fields[eventIdColumn] : undefined,
    });
  });

  let group:
    | {
        eventId: string;
        line: number;
        lastLine: number;
        rows: Record<string, string>[];
        texts: string[];
        unreadableLines: number[];
        cutShort: boolean;
        endsAt: number;
      }
    | undefined;
  // Unreadable rows waiting for the next readable one: by the eventId they name, or, when that id
  // cannot be read, for whichever checkout comes next.
  let unreadableById = new Map<string, number[]>();
  let unreadableOfUnknownEvent: number[] = [];
  const flush = (): SourceRecord | undefined => {
    if (!group) return undefined;
    const current = group;
    group = undefined;
    const text = current.texts.join('\n');
    if (current.cutShort && current.unreadableLines.length === 0) {
      return {
        line: current.line,
        text,
        parseError: {
          field: 'csv',
          reason: `the last row (line ${current.lastLine}) does not end with a line break, so the file may have been cut short: event ${current.eventId} is rejected rather than charged from a row that may be cut (if the file is complete, end it with a newline)`,
        },
      };
    }
    if (current.unreadableLines.length > 0) {
      // Accepting the rows we could read would charge the checkout with an order missing.
      return {
        line: current.line,
        text,
        parseError: {
          field: 'csv',
          reason: `line ${current.unreadableLines.join(', ')} of event ${current.eventId} could not be read, so the whole checkout is rejected rather than charged with an order missing`,
        },
      };
    }
    return csvEvent(current.line, current.rows, text);
  };
  /**
   * An unreadable row taints the checkout it belongs to: the open one if it names it or sits
   * between its rows, else the next one of the id it names. A row whose eventId cannot be read
   * taints both the open checkout and the next one, rather than guess.
   */
  const unreadable = function* (
    row: UnreadableRow,
    nextEventId: string | undefined,
  ): Generator<SourceRecord> {
    const known =
      row.eventId !== undefined &&
      row.eventId !== '' &&
      !row.eventId.includes(REPLACEMENT_CHARACTER);
    if (
      group &&
      row.line > group.line &&
      (!known || nextEventId === group.eventId || row.eventId === group.eventId)
    )
      group.unreadableLines.push(row.line);
    if (!known) unreadableOfUnknownEvent.push(row.line);
    else if (group?.eventId !== row.eventId)
      unreadableById.set(row.eventId as string, [
        ...(unreadableById.get(row.eventId as string) ?? []),
        row.line,
      ]);
    yield {
      line: row.line,
      text: row.text,
      parseError: row.parseError as { field: string; reason: string },
    };
  };
  /** Reports unreadable rows that lie before `beforeLine`. The parser reads ahead, so order is decided by line number. */
  const drainSkipped = function* (
    beforeLine: number,
    nextEventId: string | undefined,
  ): Generator<SourceRecord> {
    while (skipped.length > 0 && (skipped[0] as UnreadableRow).line < beforeLine) {
      yield* unreadable(skipped.shift() as UnreadableRow, nextEventId);
    }
  };
  let checkedHeader = false;
  // Where the previous row ended: a row's bytes lie between that and its own end (with any
  // unreadable rows in between, which only matters when one of them is not UTF-8 either).
  let previousEnd = 0;
  for await (const { record, info } of parser as AsyncIterable<CsvRow>) {
    const start = previousEnd;
    previousEnd = info.bytes;
    yield* drainSkipped(info.lines, record.eventId);
    if (!checkedHeader) {
      checkedHeader = true;
      const problem = headerProblem(header ?? Object.keys(record));
      if (problem !== undefined) {
        yield problem;
        return;
      }
    }
    const eventId = record.eventId ?? '';
    const text = CSV_COLUMNS.map((column) => record[column] ?? '').join(',');
    const problem = csvRowProblem(record, fd, start, info.bytes);
    if (problem !== undefined) {
      yield* unreadable(
        { line: info.lines, text: text.slice(0, 10_000), parseError: problem, eventId },
        eventId,
      );
      continue;
    }
    if (group && group.eventId === eventId) {
      group.rows.push(record);
      group.texts.push(text);
      group.lastLine = info.lines;
      group.endsAt = info.bytes;
      if (unreadableOfUnknownEvent.length > 0) unreadableOfUnknownEvent = [];
      continue;
    }
    // Rows of one event that are not consecutive make two groups with one eventId: intake then
    // refuses the second as a conflict, so no per-file set of ids (and no unbounded memory) is needed.
    const done = flush();
    if (done) yield done;
    let unreadableLines: number[] = [];
    if (unreadableById.size > 0 || unreadableOfUnknownEvent.length > 0) {
      unreadableLines = [...(unreadableById.get(eventId) ?? []), ...unreadableOfUnknownEvent].sort(
        (a, b) => a - b,
      );
      unreadableById = new Map();
      unreadableOfUnknownEvent = [];
    }
    group = {
      eventId,
      line: info.lines,
      lastLine: info.lines,
      rows: [record],
      texts: [text],
      unreadableLines,
      cutShort: false,
      endsAt: info.bytes,
    };
  }
  if (!checkedHeader && header !== undefined) {
    const problem = headerProblem(header);
    if (problem !== undefined) {
      yield problem;
      return;
    }
  }
  yield* drainSkipped(Number.POSITIVE_INFINITY, undefined);
  if (group && !endsWithLineBreak(fd, group.endsAt)) group.cutShort = true;
  const last = flush();
  if (last) yield last;
}

function headerProblem(names: readonly string[]): SourceRecord | undefined {
  const missing = CSV_REQUIRED.filter((column) => !names.includes(column));
  const unknown = names.filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column));
  const repeated = names.filter((column, index) => names.indexOf(column) !== index);
  const problems = [
    ...(missing.length ? [`missing column(s) ${missing.join(', ')}`] : []),
    ...(unknown.length ? [`unknown column(s) ${unknown.join(', ')}`] : []),
    // Which of two "amount" columns would be charged? Neither is guessed.
    ...(repeated.length
      ? [`column(s) ${[...new Set(repeated)].join(', ')} given more than once`]
      : []),
  ];
  if (problems.length === 0) return undefined;
  const separator =
    names.length === 1
      ? [';', '\t', '|'].find((candidate) => (names[0] as string).includes(candidate))
      : undefined;
  const hint = separator
    ? `; the header seems separated by ${JSON.stringify(separator)}: payops reads comma-separated CSV`
    : '';
  return {
    line: 1,
    text: names.join(','),
    parseError: {
      field: 'header',
      reason: `${problems.join('; ')}${hint} (expected ${CSV_COLUMNS.join(',')})`,
    },
  };
}

/** Why a parsed row cannot be used: over the size limit, or bytes that are not UTF-8. */
function csvRowProblem(
  record: Record<string, string>,
  fd: number,
  start: number,
  end: number,
): { field: string; reason: string } | undefined {
  let characters = 0;
  let replaced = false;
  for (const value of Object.values(record)) {
    characters += value.length;
    if (!replaced && value.includes(REPLACEMENT_CHARACTER)) replaced = true;
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a row this long needs its bytes counted.
  if (characters * 3 > MAX_RECORD_BYTES) {
    const bytes = Object.values(record).reduce((sum, value) => sum + Buffer.byteLength(value), 0);
    if (bytes > MAX_RECORD_BYTES) return tooLong(bytes, 'row');
  }
  return replaced ? csvEncodingProblem(fd, start, end) : undefined;
}

/**
 * A row holding U+FFFD was decoded with a replacement: its bytes, read again, say whether the file
 * really holds that character or bytes that are not UTF-8. Only such rows are read twice.
 */
function csvEncodingProblem(
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
 * Whether the last row ends with a line break. RFC 4180 lets the last one go without, but a file
 * cut short (still being written, or copied in part) ends the same way, and its cut row can still
 * parse: "125.00" cut to "12". Money is not charged on a row that may be cut.
 */
function endsWithLineBreak(fd: number, end: number): boolean {
  if (end === 0) return true;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, end - 1);
  return last[0] === LF || last[0] === CR;
}

function csvEvent(line: number, rows: Record<string, string>[], text: string): SourceRecord {
  const first = rows[0] as Record<string, string>;
  for (const field of CSV_EVENT_FIELDS) {
    const differing = rows.find((row) => row[field] !== first[field]);
    if (differing)
      return {
        line,
        text,
        parseError: { field, reason: `rows of event ${first.eventId} disagree on ${field}` },
      };
  }
  const orders: Record<string, unknown>[] = [];
  for (const row of rows) {
    const order: Record<string, unknown> = {
      orderId: row.orderId,
      sellerId: row.sellerId,
      amount: row.amount,
    };
    if (row.platformFee !== undefined && row.platformFee !== '')
      order.platformFee = row.platformFee;
    if (row.metadata !== undefined && row.metadata !== '') {
      try {
        order.metadata = JSON.parse(row.metadata) as unknown;
      } catch {
        return { line, text, parseError: { field: 'metadata', reason: 'must be a JSON object' } };
      }
    }
    orders.push(order);
  }
  return {
    line,
    text,
    value: {
      eventId: first.eventId,
      type: first.type,
      occurredAt: first.occurredAt,
      currency: first.currency,
      payer: { id: first.payerId },
      paymentToken: first.paymentToken,
      orders,
    },
  };
}

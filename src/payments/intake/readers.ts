import fs from 'node:fs';
import readline from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { UsageError } from '../../errors.js';

export type InputFormat = 'ndjson' | 'json' | 'csv';
export const INPUT_FORMATS: readonly InputFormat[] = ['ndjson', 'json', 'csv'];

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
    if (!(INPUT_FORMATS as readonly string[]).includes(forced)) throw new UsageError(`--format: "${forced}" is not one of ${INPUT_FORMATS.join(', ')}`);
    return forced as InputFormat;
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  const handle = await fs.promises.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('[') ? 'json' : 'ndjson';
  } finally {
    await handle.close();
  }
}

export function readRecords(file: string, format: InputFormat): AsyncGenerator<SourceRecord> {
  if (!fs.existsSync(file)) throw new UsageError(`input file ${file} does not exist`);
  switch (format) {
    case 'ndjson':
      return readNdjson(file);
    case 'json':
      return readJsonArray(file);
    case 'csv':
      return readCsv(file);
  }
}

/** One JSON object a line; blank lines are skipped; never holds more than one line. */
async function* readNdjson(file: string): AsyncGenerator<SourceRecord> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim().length === 0) continue;
    yield parseJsonRecord(line, text);
  }
}

function parseJsonRecord(line: number, text: string): SourceRecord {
  try {
    return { line, text, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { line, text, parseError: { field: 'json', reason: `not valid JSON (${(error as Error).message})` } };
  }
}

/**
 * A JSON array of events, streamed element by element: the scanner tracks strings and nesting so
 * that only the current element is ever held in memory. Elements that are not objects are passed
 * on as they are and rejected by validation.
 */
async function* readJsonArray(file: string): AsyncGenerator<SourceRecord> {
  type Mode = 'before' | 'between' | 'composite' | 'scalar' | 'string' | 'after';
  let mode = 'before' as Mode; // "as": the whole union, so narrowing does not stick to 'before' across the loops
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: string[] = [];
  let elementLine = 1;
  let expectElement = true; // after "[" or ",": a "]" here is a trailing comma unless the array is empty
  let elements = 0;
  let missingComma = false;
  const finish = (text: string): SourceRecord => {
    elements++;
    expectElement = false;
    if (missingComma) {
      missingComma = false;
      return { line: elementLine, text: text.trim(), parseError: { field: 'json', reason: 'missing "," before this element' } };
    }
    return parseJsonRecord(elementLine, text.trim());
  };

  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let start = mode === 'composite' || mode === 'scalar' || mode === 'string' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const char = chunk[i] as string;
      if (char === '\n') line++;
      if (mode === 'after') {
        // Only whitespace may follow the array: a second array (two files concatenated) or any
        // other text would otherwise be dropped without a word.
        if (!/\s/.test(char)) {
          yield { line, text: chunk.slice(i, i + 40), parseError: { field: 'json', reason: 'unexpected content after the closing "]" of the JSON array' } };
          return;
        }
      } else if (mode === 'before') {
        if (char === '[') mode = 'between';
        else if (!/[\s\uFEFF]/.test(char)) {
          yield { line, text: chunk.slice(i, i + 40), parseError: { field: 'json', reason: 'expected a JSON array of events' } };
          return;
        }
      } else if (mode === 'between') {
        if (/\s/.test(char)) continue;
        if (char === ']') {
          if (expectElement && elements > 0) yield { line, text: ',]', parseError: { field: 'json', reason: 'trailing comma before "]"' } };
          mode = 'after';
        } else if (char === ',') {
          if (expectElement) yield { line, text: ',', parseError: { field: 'json', reason: 'missing element between commas' } };
          expectElement = true;
        } else {
          start = i;
          elementLine = line;
          missingComma = !expectElement;
          if (char === '{' || char === '[') {
            mode = 'composite';
            depth = 1;
          } else if (char === '"') {
            mode = 'string';
          } else {
            mode = 'scalar';
          }
        }
      } else if (mode === 'string') {
        if (escaped) escaped = false;
        else if (char === '\\') escaped = true;
        else if (char === '"') {
          pieces.push(chunk.slice(start, i + 1));
          yield finish(pieces.join(''));
          pieces = [];
          mode = 'between';
        }
      } else if (mode === 'scalar') {
        if (char === ',' || char === ']' || /\s/.test(char)) {
          pieces.push(chunk.slice(start, i));
          yield finish(pieces.join(''));
          pieces = [];
          mode = 'between';
          i--; // let "between" see the delimiter
          if (char === '\n') line--;
        }
      } else if (mode === 'composite') {
        if (inString) {
          if (escaped) escaped = false;
          else if (char === '\\') escaped = true;
          else if (char === '"') inString = false;
        } else if (char === '"') inString = true;
        else if (char === '{' || char === '[') depth++;
        else if (char === '}' || char === ']') {
          depth--;
          if (depth === 0) {
            pieces.push(chunk.slice(start, i + 1));
            yield finish(pieces.join(''));
            pieces = [];
            mode = 'between';
          }
        }
      }
    }
    if (start >= 0 && (mode === 'composite' || mode === 'scalar' || mode === 'string')) pieces.push(chunk.slice(start));
  }
  if (mode !== 'after') {
    yield { line, text: pieces.join('').slice(0, 200), parseError: { field: 'json', reason: 'the JSON array is not closed (truncated file?)' } };
  }
}

const CSV_COLUMNS = ['eventId', 'type', 'occurredAt', 'currency', 'payerId', 'paymentToken', 'orderId', 'sellerId', 'amount', 'platformFee', 'metadata'] as const;
const CSV_REQUIRED = CSV_COLUMNS.filter((column) => column !== 'platformFee' && column !== 'metadata');
const CSV_EVENT_FIELDS = ['type', 'occurredAt', 'currency', 'payerId', 'paymentToken'] as const;

/**
 * One order a row; consecutive rows with the same eventId form one checkout. The header names the
 * columns (any order): eventId,type,occurredAt,currency,payerId,paymentToken,orderId,sellerId,
 * amount[,platformFee][,metadata (a JSON object)]. Rows become the same event object an NDJSON
 * line would, so the same checkout hashes the same in either format.
 */
async function* readCsv(file: string): AsyncGenerator<SourceRecord> {
  const skipped: (SourceRecord & { fields: string[] })[] = [];
  const parser = fs.createReadStream(file).pipe(
    parseCsv({ bom: true, columns: true, info: true, skip_empty_lines: true, trim: false, skip_records_with_error: true }),
  );
  parser.on('skip', (error: Error & { lines?: number; record?: unknown }) => {
    const fields = Array.isArray(error.record) ? error.record.map(String) : [];
    skipped.push({ line: error.lines ?? 0, text: fields.length > 0 ? fields.join(',') : String(error.record ?? ''), parseError: { field: 'csv', reason: error.message }, fields });
  });

  let group: { eventId: string; line: number; rows: Record<string, string>[]; texts: string[]; unreadableLines: number[] } | undefined;
  const flush = (): SourceRecord | undefined => {
    if (!group) return undefined;
    const current = group;
    group = undefined;
    const text = current.texts.join('\n');
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
   * Reports unreadable rows that lie before `beforeLine`. One that names the open event, or sits
   * between two of its rows, taints it. The parser reads ahead, so order is decided by line number.
   */
  const drainSkipped = function* (beforeLine: number, nextEventId: string | undefined): Generator<SourceRecord> {
    while (skipped.length > 0 && (skipped[0] as SourceRecord).line < beforeLine) {
      const row = skipped.shift() as SourceRecord & { fields: string[] };
      if (group && row.line > group.line && (nextEventId === group.eventId || row.fields.includes(group.eventId))) group.unreadableLines.push(row.line);
      yield { line: row.line, text: row.text, parseError: row.parseError as { field: string; reason: string } };
    }
  };
  let checkedHeader = false;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield* drainSkipped(info.lines, record.eventId);
    if (!checkedHeader) {
      checkedHeader = true;
      const missing = CSV_REQUIRED.filter((column) => !(column in record));
      const unknown = Object.keys(record).filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column));
      if (missing.length > 0 || unknown.length > 0) {
        yield {
          line: 1,
          text: Object.keys(record).join(','),
          parseError: {
            field: 'header',
            reason: `${missing.length ? `missing column(s) ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `unknown column(s) ${unknown.join(', ')}` : ''} (expected ${CSV_COLUMNS.join(',')})`,
          },
        };
        return;
      }
    }
    const eventId = record.eventId ?? '';
    const text = CSV_COLUMNS.map((column) => record[column] ?? '').join(',');
    if (group && group.eventId === eventId) {
      group.rows.push(record);
      group.texts.push(text);
      continue;
    }
    // Rows of one event that are not consecutive make two groups with one eventId: intake then
    // refuses the second as a conflict, so no per-file set of ids (and no unbounded memory) is needed.
    const done = flush();
    if (done) yield done;
    group = { eventId, line: info.lines, rows: [record], texts: [text], unreadableLines: [] };
  }
  yield* drainSkipped(Number.POSITIVE_INFINITY, undefined);
  const last = flush();
  if (last) yield last;
}

function csvEvent(line: number, rows: Record<string, string>[], text: string): SourceRecord {
  const first = rows[0] as Record<string, string>;
  for (const field of CSV_EVENT_FIELDS) {
    const differing = rows.find((row) => row[field] !== first[field]);
    if (differing) return { line, text, parseError: { field, reason: `rows of event ${first.eventId} disagree on ${field}` } };
  }
  const orders: Record<string, unknown>[] = [];
  for (const row of rows) {
    const order: Record<string, unknown> = { orderId: row.orderId, sellerId: row.sellerId, amount: row.amount };
    if (row.platformFee !== undefined && row.platformFee !== '') order.platformFee = row.platformFee;
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

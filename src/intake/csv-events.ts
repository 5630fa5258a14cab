import fs from 'node:fs';
import {
  type UnreadableCsvRow,
  endsWithLineBreak,
  rangeEncodingProblem,
  readKeyedCsv,
} from '../input/csv.js';
import type { RecordProblem, SourceRecord } from '../input/json-records.js';
import { MAX_RECORD_BYTES, tooLong } from './limits.js';

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

interface UnreadableRow extends SourceRecord {
  parseError: RecordProblem;
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
export async function* readCsvEvents(file: string): AsyncGenerator<SourceRecord> {
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
  const rows = readKeyedCsv(
    file,
    (names) => {
      header = names;
    },
    (row) => skipped.push(unreadableRow(row, header)),
  );
  const checkouts = new CheckoutGroups();
  let checkedHeader = false;
  // Where the previous row ended: a row's bytes lie between that and its own end (with any
  // unreadable rows in between, which only matters when one of them is not UTF-8 either).
  let previousEnd = 0;
  for await (const { record, info } of rows) {
    const start = previousEnd;
    previousEnd = info.bytes;
    yield* drainSkipped(skipped, checkouts, info.lines, record.eventId);
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
      const row = { line: info.lines, text: text.slice(0, 10_000), parseError: problem, eventId };
      yield checkouts.unreadable(row, eventId);
      continue;
    }
    const done = checkouts.add(eventId, record, text, info);
    if (done) yield done;
  }
  if (!checkedHeader && header !== undefined) {
    const problem = headerProblem(header);
    if (problem !== undefined) {
      yield problem;
      return;
    }
  }
  yield* drainSkipped(skipped, checkouts, Number.POSITIVE_INFINITY, undefined);
  const last = checkouts.end(fd);
  if (last) yield last;
}

/** A row csv-parse could not read, with the eventId it names when its column could be read. */
function unreadableRow(
  row: UnreadableCsvRow,
  header: readonly string[] | undefined,
): UnreadableRow {
  const eventIdColumn = header?.indexOf('eventId') ?? -1;
  return {
    line: row.line,
    text: row.text,
    parseError: { field: 'csv', reason: row.reason },
    eventId: eventIdColumn >= 0 ? row.fields[eventIdColumn] : undefined,
  };
}

/** Reports unreadable rows that lie before `beforeLine`. The parser reads ahead, so order is decided by line number. */
function* drainSkipped(
  skipped: UnreadableRow[],
  checkouts: CheckoutGroups,
  beforeLine: number,
  nextEventId: string | undefined,
): Generator<SourceRecord> {
  for (let row = skipped[0]; row !== undefined && row.line < beforeLine; row = skipped[0]) {
    skipped.shift();
    yield checkouts.unreadable(row, nextEventId);
  }
}

/** The checkout being read: its rows so far, and the unreadable rows that taint it. */
interface OpenCheckout {
  eventId: string;
  line: number;
  lastLine: number;
  rows: Record<string, string>[];
  texts: string[];
  unreadableLines: number[];
  endsAt: number;
}

/**
 * Groups consecutive readable rows of one eventId into a checkout, and remembers which checkout
 * each unreadable row taints, so that a checkout with one is rejected whole.
 */
class CheckoutGroups {
  private open: OpenCheckout | undefined;
  // Unreadable rows waiting for the next readable one: by the eventId they name, or, when that id
  // cannot be read, for whichever checkout comes next.
  private unreadableById = new Map<string, number[]>();
  private unreadableOfUnknownEvent: number[] = [];

  /**
   * A readable row: it joins the open checkout when it has the same eventId; otherwise the open
   * checkout is done (returned) and the row opens the next one.
   */
  add(
    eventId: string,
    record: Record<string, string>,
    text: string,
    info: { lines: number; bytes: number },
  ): SourceRecord | undefined {
    const group = this.open;
    if (group && group.eventId === eventId) {
      group.rows.push(record);
      group.texts.push(text);
      group.lastLine = info.lines;
      group.endsAt = info.bytes;
      if (this.unreadableOfUnknownEvent.length > 0) this.unreadableOfUnknownEvent = [];
      return undefined;
    }
    // Rows of one event that are not consecutive make two groups with one eventId: intake then
    // refuses the second as a conflict, so no per-file set of ids (and no unbounded memory) is needed.
    const done = this.flush(false);
    this.open = {
      eventId,
      line: info.lines,
      lastLine: info.lines,
      rows: [record],
      texts: [text],
      unreadableLines: this.takeUnreadable(eventId),
      endsAt: info.bytes,
    };
    return done;
  }

  /** The unreadable rows waiting for the checkout `eventId` opens: its own and those of no known id. */
  private takeUnreadable(eventId: string): number[] {
    if (this.unreadableById.size === 0 && this.unreadableOfUnknownEvent.length === 0) return [];
    const lines = [...(this.unreadableById.get(eventId) ?? []), ...this.unreadableOfUnknownEvent];
    this.unreadableById = new Map();
    this.unreadableOfUnknownEvent = [];
    return lines.sort((a, b) => a - b);
  }

  /**
   * An unreadable row taints the checkout it belongs to: the open one if it names it or sits
   * between its rows, else the next one of the id it names. A row whose eventId cannot be read
   * taints both the open checkout and the next one, rather than guess. Returns the row's reject.
   */
  unreadable(row: UnreadableRow, nextEventId: string | undefined): SourceRecord {
    const group = this.open;
    const knownId =
      row.eventId !== undefined &&
      row.eventId !== '' &&
      !row.eventId.includes(REPLACEMENT_CHARACTER)
        ? row.eventId
        : undefined;
    if (
      group &&
      row.line > group.line &&
      (knownId === undefined || nextEventId === group.eventId || knownId === group.eventId)
    )
      group.unreadableLines.push(row.line);
    if (knownId === undefined) this.unreadableOfUnknownEvent.push(row.line);
    else if (group?.eventId !== knownId)
      this.unreadableById.set(knownId, [...(this.unreadableById.get(knownId) ?? []), row.line]);
    return { line: row.line, text: row.text, parseError: row.parseError };
  }

  /** The end of the file: the last checkout, rejected if its last row may have been cut short. */
  end(fd: number): SourceRecord | undefined {
    return this.flush(this.open !== undefined && !endsWithLineBreak(fd, this.open.endsAt));
  }

  private flush(cutShort: boolean): SourceRecord | undefined {
    const current = this.open;
    if (!current) return undefined;
    this.open = undefined;
    const text = current.texts.join('\n');
    if (cutShort && current.unreadableLines.length === 0) {
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
  }
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
  return replaced ? rangeEncodingProblem(fd, start, end) : undefined;
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

import fs from 'node:fs';
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
} from './char-codes.js';
import {
  type RecordProblem,
  type SourceRecord,
  decodeRecord,
  parseJsonRecord,
} from './json-records.js';
import { startsWithUtf8Bom } from './utf8.js';

const isJsonWhitespace = (byte: number): boolean =>
  byte === SPACE || byte === LF || byte === CR || byte === TAB;

/**
 * A JSON array (of events, of postings), streamed element by element: the scanner works on bytes (every byte
 * JSON's structure depends on is ASCII, and no byte of a multi-byte UTF-8 character is), tracks
 * strings and nesting, and holds only the current element. Each element's bytes are checked as
 * UTF-8 before they are decoded. Elements that are not objects are passed on and rejected by
 * validation. An element over `maxElementBytes` is refused with `tooLong` and never held whole.
 */
export async function* readJsonArray(
  file: string,
  maxElementBytes: number,
  tooLong: (bytes: number) => RecordProblem,
): AsyncGenerator<SourceRecord> {
  const scanner = new JsonArrayScanner(maxElementBytes, tooLong);
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    yield* scanner.scan(chunk);
    if (scanner.stopped) return;
  }
  const notClosed = scanner.end();
  if (notClosed) yield notClosed;
}

/** Where the scanner is: before the "[", between elements, inside one (of which kind), after the "]". */
type Mode = 'before' | 'between' | 'composite' | 'scalar' | 'string' | 'after';

/** The state of one array's scan, carried from chunk to chunk. */
class JsonArrayScanner {
  /** Set when the file is refused whole (no array, or text after it): nothing more is read. */
  stopped = false;
  private mode: Mode = 'before';
  private line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Buffer[] = [];
  private elementBytes = 0;
  private elementLine = 1;
  private elementOffset = 0;
  /** After "[" or ",": a "]" here is a trailing comma unless the array is empty. */
  private expectElement = true;
  private elements = 0;
  private missingComma = false;
  private chunkOffset = 0;
  /** Where the current element starts in the chunk being scanned (0: in an earlier chunk). */
  private start = -1;

  constructor(
    private readonly maxElementBytes: number,
    private readonly tooLong: (bytes: number) => RecordProblem,
  ) {}

  /** The records that end in `chunk`; the bytes of an element still open are kept for the next. */
  *scan(chunk: Buffer): Generator<SourceRecord> {
    this.start = this.inElement() ? 0 : -1;
    let i = this.chunkOffset === 0 && startsWithUtf8Bom(chunk) ? 3 : 0;
    for (; i < chunk.length; i++) {
      const byte = chunk[i] ?? 0; // i < chunk.length
      if (byte === LF) this.line++;
      switch (this.mode) {
        case 'before':
        case 'after': {
          const refused = this.outside(byte, chunk, i);
          if (refused) {
            this.stopped = true;
            yield refused;
            return;
          }
          break;
        }
        case 'between': {
          const problem = this.between(byte, i);
          if (problem) yield problem;
          break;
        }
        case 'string':
          if (this.endsString(byte)) yield this.finish(chunk, i + 1);
          break;
        case 'scalar':
          if (byte === COMMA || byte === CLOSE_BRACKET || isJsonWhitespace(byte)) {
            yield this.finish(chunk, i);
            i--; // let "between" see the delimiter
            if (byte === LF) this.line--;
          }
          break;
        case 'composite':
          if (this.endsComposite(byte)) yield this.finish(chunk, i + 1);
          break;
      }
    }
    if (this.start >= 0 && this.inElement()) this.keep(chunk.subarray(this.start));
    this.chunkOffset += chunk.length;
  }

  /** The end of the file: a reject when the array was never closed. */
  end(): SourceRecord | undefined {
    if (this.mode === 'after') return undefined;
    return {
      line: this.line,
      text: Buffer.concat(this.pieces).subarray(0, 200).toString('utf8'),
      parseError: { field: 'json', reason: 'the JSON array is not closed (truncated file?)' },
    };
  }

  private inElement(): boolean {
    return this.mode === 'composite' || this.mode === 'scalar' || this.mode === 'string';
  }

  /**
   * Before the "[" and after the "]": only whitespace. A second array (two files concatenated) or
   * any other text after it would otherwise be dropped without a word.
   */
  private outside(byte: number, chunk: Buffer, at: number): SourceRecord | undefined {
    if (this.mode === 'before' && byte === OPEN_BRACKET) this.mode = 'between';
    else if (!isJsonWhitespace(byte)) {
      const reason =
        this.mode === 'before'
          ? 'expected a JSON array of events'
          : 'unexpected content after the closing "]" of the JSON array';
      return { line: this.line, text: excerpt(chunk, at), parseError: { field: 'json', reason } };
    }
    return undefined;
  }

  /** Between elements: whitespace, a comma, the closing "]", or the first byte of an element. */
  private between(byte: number, at: number): SourceRecord | undefined {
    if (isJsonWhitespace(byte)) return undefined;
    if (byte === CLOSE_BRACKET) {
      this.mode = 'after';
      if (this.expectElement && this.elements > 0)
        return {
          line: this.line,
          text: ',]',
          parseError: { field: 'json', reason: 'trailing comma before "]"' },
        };
    } else if (byte === COMMA) {
      const missing = this.expectElement;
      this.expectElement = true;
      if (missing)
        return {
          line: this.line,
          text: ',',
          parseError: { field: 'json', reason: 'missing element between commas' },
        };
    } else this.startElement(byte, at);
    return undefined;
  }

  private startElement(byte: number, at: number): void {
    this.start = at;
    this.elementLine = this.line;
    this.elementOffset = this.chunkOffset + at;
    this.missingComma = !this.expectElement;
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      this.mode = 'composite';
      this.depth = 1;
    } else this.mode = byte === QUOTE ? 'string' : 'scalar';
  }

  /** Whether `byte` closes the string element (its quote not escaped). */
  private endsString(byte: number): boolean {
    if (this.escaped) this.escaped = false;
    else if (byte === BACKSLASH) this.escaped = true;
    else if (byte === QUOTE) return true;
    return false;
  }

  /** Whether `byte` closes the object or array element (strings inside it skipped). */
  private endsComposite(byte: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE) this.inString = false;
    } else if (byte === QUOTE) this.inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      this.depth--;
      return this.depth === 0;
    }
    return false;
  }

  /** Keeps the element's bytes up to the limit: past it, only its start, for the rejects file. */
  private keep(piece: Buffer): void {
    const room = this.maxElementBytes - this.elementBytes;
    this.elementBytes += piece.length;
    if (room > 0) this.pieces.push(piece.length <= room ? piece : piece.subarray(0, room));
  }

  /** The element that ends at `end` in `chunk`, checked and parsed; the scan goes back to "between". */
  private finish(chunk: Buffer, end: number): SourceRecord {
    this.keep(chunk.subarray(this.start, end));
    this.mode = 'between';
    this.elements++;
    this.expectElement = false;
    const bytes = Buffer.concat(this.pieces);
    this.pieces = [];
    const size = this.elementBytes;
    this.elementBytes = 0;
    const line = this.elementLine;
    if (size > this.maxElementBytes)
      return {
        line,
        text: bytes.subarray(0, 10_000).toString('utf8'),
        parseError: this.tooLong(size),
      };
    const { text, problem } = decodeRecord(bytes, this.elementOffset);
    if (problem) return { line, text, parseError: problem };
    if (this.missingComma) {
      this.missingComma = false;
      return {
        line,
        text,
        parseError: { field: 'json', reason: 'missing "," before this element' },
      };
    }
    return parseJsonRecord(line, text);
  }
}

const excerpt = (chunk: Buffer, at: number): string => chunk.subarray(at, at + 40).toString('utf8');

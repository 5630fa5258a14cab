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
    if (elementBytes <= maxElementBytes) pieces.push(piece);
  };
  const finish = (): SourceRecord => {
    elements++;
    expectElement = false;
    const bytes = Buffer.concat(pieces);
    pieces = [];
    const size = elementBytes;
    elementBytes = 0;
    if (size > maxElementBytes)
      return {
        line: elementLine,
        text: bytes.subarray(0, 10_000).toString('utf8'),
        parseError: tooLong(size),
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

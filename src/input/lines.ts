import fs from 'node:fs';
import { InputError } from '../errors.js';
import { invalidUtf8Offset, invalidUtf8Reason, startsWithUtf8Bom } from './utf8.js';

/** One line of a file as bytes: undecoded, so that the caller can check its encoding first. */
export interface RawLine {
  /** 1-based. */
  line: number;
  /** Offset in the file of the line's first byte. */
  offset: number;
  /** The line without its terminator; only the first `EXCERPT_BYTES` of a line that is too long. */
  bytes: Buffer;
  /** The whole line's length in bytes. */
  length: number;
  /** Longer than the caller's limit: `bytes` is an excerpt, and the line was never held whole. */
  tooLong: boolean;
}

/** What is kept of a line that is too long: enough to recognize it in a rejects file. */
export const EXCERPT_BYTES = 10_000;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Streams a file's lines as bytes, ended by "\n", "\r\n" or a lone "\r" (as readline does); a
 * UTF-8 byte order mark at the start is skipped. A line longer than `maxLineBytes` is reported
 * as such without being held in memory, so one enormous line cannot exhaust it. Lines come in
 * batches, one per chunk read: one await per chunk rather than per line.
 */
export async function* readLines(file: string, maxLineBytes: number): AsyncGenerator<RawLine[]> {
  let line = 0;
  let chunkOffset = 0;
  let lineOffset = 0;
  let parts: Buffer[] = [];
  let length = 0;
  let pendingCr = false; // the last chunk ended with "\r": a "\n" starting the next one belongs to it
  let first = true;

  const append = (piece: Buffer): void => {
    if (piece.length === 0) return;
    length += piece.length;
    if (length <= maxLineBytes) parts.push(piece);
    else {
      const kept = parts.reduce((sum, part) => sum + part.length, 0);
      if (kept < EXCERPT_BYTES) parts.push(piece.subarray(0, EXCERPT_BYTES - kept));
    }
  };
  const finish = (): RawLine => {
    line++;
    const tooLong = length > maxLineBytes;
    const whole = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    const raw: RawLine = {
      line,
      offset: lineOffset,
      bytes: tooLong ? whole.subarray(0, EXCERPT_BYTES) : whole,
      length,
      tooLong,
    };
    parts = [];
    length = 0;
    return raw;
  };

  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    const batch: RawLine[] = [];
    let position = 0;
    if (first) {
      first = false;
      if (startsWithUtf8Bom(chunk)) position = 3;
      lineOffset = position;
    }
    if (pendingCr) {
      pendingCr = false;
      if (chunk[0] === LF) {
        position = 1;
        lineOffset = chunkOffset + 1;
      }
    }
    // Positions of the next "\n" and "\r", found once each and reused: searching again from every
    // line for a byte the chunk does not hold would rescan the chunk for every line.
    let nextLf = chunk.indexOf(LF, position);
    let nextCr = chunk.indexOf(CR, position);
    while (position < chunk.length) {
      if (nextLf !== -1 && nextLf < position) nextLf = chunk.indexOf(LF, position);
      if (nextCr !== -1 && nextCr < position) nextCr = chunk.indexOf(CR, position);
      const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (end === -1) {
        append(chunk.subarray(position));
        break;
      }
      if (length === 0 && end - position <= maxLineBytes) {
        // The whole line is in this chunk: no copy.
        line++;
        batch.push({
          line,
          offset: lineOffset,
          bytes: chunk.subarray(position, end),
          length: end - position,
          tooLong: false,
        });
      } else {
        append(chunk.subarray(position, end));
        batch.push(finish());
      }
      let terminator = 1;
      if (chunk[end] === CR) {
        if (end + 1 === chunk.length) pendingCr = true;
        else if (chunk[end + 1] === LF) terminator = 2;
      }
      position = end + terminator;
      lineOffset = chunkOffset + position;
    }
    chunkOffset += chunk.length;
    if (batch.length > 0) yield batch;
  }
  if (length > 0) yield [finish()];
}

/** One non-blank line of a line-based file, decoded. */
export interface TextLine {
  /** 1-based physical line. */
  line: number;
  /** Without its terminator; trailing spaces (fixed-length padding) removed. */
  text: string;
}

/**
 * The non-blank lines of a line-based file (MT940, BAI2) as UTF-8 text, one chunk's batch at a
 * time so memory stays flat whatever the file's size. A line that is not UTF-8, or longer than
 * `maxLineBytes` (`what` names such a line in the message), refuses the file:
 * `FILE:LINE encoding|size: reason`. Such a file is all or nothing.
 */
export async function* readDecodedLines(
  file: string,
  maxLineBytes: number,
  what: string,
): AsyncGenerator<TextLine> {
  for await (const batch of readLines(file, maxLineBytes)) {
    for (const raw of batch) {
      if (raw.tooLong) {
        throw new InputError(
          `${file}:${raw.line} size: the line is ${raw.length} bytes, more than the ${maxLineBytes} ${what} may take`,
        );
      }
      const bad = invalidUtf8Offset(raw.bytes);
      if (bad >= 0)
        throw new InputError(
          `${file}:${raw.line} encoding: ${invalidUtf8Reason(raw.bytes, bad, raw.offset + bad)}`,
        );
      const text = raw.bytes.toString('utf8').trimEnd();
      if (text !== '') yield { line: raw.line, text };
    }
  }
}

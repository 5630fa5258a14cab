import fs from 'node:fs';
import { readLines } from './lines.js';
import { invalidUtf8Offset, invalidUtf8Reason, unsupportedEncodingReason } from './utf8.js';

/** One line of an NDJSON file, decoded; or why it could not be (the text is then an excerpt). */
export type NdjsonLine =
  | { line: number; text: string; problem?: undefined }
  | { line: number; text: string; problem: { field: 'encoding' | 'size'; reason: string } };

/**
 * The lines of an NDJSON file as UTF-8 text, never holding more than one line: a UTF-8 byte
 * order mark is skipped, LF, CRLF and CR end lines, blank lines are skipped (and counted, so line
 * numbers are an editor's). A line that is not UTF-8 is reported with the offset of its first bad
 * byte and never decoded with replacement characters; a line longer than `maxLineBytes` is
 * reported without being read whole (`sizeReason` says why); a UTF-16 or UTF-32 file is refused whole, as line 1.
 */
export async function* readNdjsonLines(
  file: string,
  maxLineBytes: number,
  sizeReason: (bytes: number) => string = (bytes) =>
    `the line is ${bytes} bytes, more than the ${maxLineBytes} a line may take here`,
): AsyncGenerator<NdjsonLine> {
  const wrongEncoding = unsupportedEncodingReason(fileHead(file, 4));
  if (wrongEncoding !== undefined) {
    yield { line: 1, text: '', problem: { field: 'encoding', reason: wrongEncoding } };
    return;
  }
  for await (const batch of readLines(file, maxLineBytes)) {
    for (const raw of batch) {
      if (raw.tooLong) {
        yield {
          line: raw.line,
          text: raw.bytes.toString('utf8'),
          problem: { field: 'size', reason: sizeReason(raw.length) },
        };
        continue;
      }
      const bad = invalidUtf8Offset(raw.bytes);
      if (bad >= 0) {
        yield {
          line: raw.line,
          text: raw.bytes.toString('utf8'),
          problem: {
            field: 'encoding',
            reason: invalidUtf8Reason(raw.bytes, bad, raw.offset + bad),
          },
        };
        continue;
      }
      const text = raw.bytes.toString('utf8');
      if (text.trim() !== '') yield { line: raw.line, text };
    }
  }
}

function fileHead(file: string, bytes: number): Uint8Array {
  const head = Buffer.alloc(bytes);
  const fd = fs.openSync(file, 'r');
  try {
    return head.subarray(0, fs.readSync(fd, head, 0, bytes, 0));
  } finally {
    fs.closeSync(fd);
  }
}

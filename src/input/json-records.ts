import { duplicateKeyReason, findDuplicateKey } from './json-keys.js';
import { invalidUtf8Offset, invalidUtf8Reason } from './utf8.js';

/** What is wrong with one record of an input file, and in which field. */
export interface RecordProblem {
  field: string;
  reason: string;
}

/** One record of an input file: a parsed value, or why it could not be parsed. */
export interface SourceRecord {
  line: number;
  /** The original text, for the rejects file. */
  text: string;
  value?: unknown;
  parseError?: RecordProblem;
}

/** Checks a record's bytes and decodes them; the offset names the first bad byte in the file. */
export function decodeRecord(
  bytes: Buffer,
  fileOffset: number,
): { text: string; problem?: RecordProblem } {
  const bad = invalidUtf8Offset(bytes);
  if (bad === -1) return { text: bytes.toString('utf8') };
  return {
    text: bytes.toString('utf8'),
    problem: { field: 'encoding', reason: invalidUtf8Reason(bytes, bad, fileOffset + bad) },
  };
}

/** One JSON text, refused when not JSON or when an object repeats a key. */
export function parseJsonRecord(line: number, text: string): SourceRecord {
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

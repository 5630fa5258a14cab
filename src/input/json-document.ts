import fs from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { invalidUtf8Offset, invalidUtf8Reason, unsupportedEncodingReason } from './utf8.js';

/** A JSON value of a file, and where it is: "file.json[2]" in an array, "file.ndjson:3" on a line. */
export interface LocatedValue {
  value: unknown;
  where: string;
}

/**
 * A small file an operator wrote by hand (`ledger post`), whole, as UTF-8 text without its
 * byte-order mark. UsageError when it cannot be read; InputError naming FILE:LINE of the first
 * byte that is not UTF-8 (never replaced), or the file's encoding when it is UTF-16 or UTF-32.
 */
export function readUtf8File(file: string): string {
  const text = decodeUtf8(file, readBytes(file));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The JSON values of `text`: one JSON value, the elements of one JSON array, or NDJSON (one value
 * a line, blank lines skipped). NDJSON lines are parsed as they are taken, so a caller that checks
 * each value meets the problems in file order; a line that is not JSON throws an InputError.
 */
export function* jsonValuesOf(file: string, text: string): Generator<LocatedValue> {
  const whole = tryParse(text);
  if (whole.ok && Array.isArray(whole.value)) {
    for (const [index, value] of whole.value.entries()) yield { value, where: `${file}[${index}]` };
    return;
  }
  if (whole.ok) {
    yield { value: whole.value, where: `${file}:1` };
    return;
  }
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim().length === 0) continue;
    const where = `${file}:${index + 1}`;
    const parsed = tryParse(line);
    if (!parsed.ok) throw new InputError(`${where}: not valid JSON (${parsed.reason})`);
    yield { value: parsed.value, where };
  }
}

function readBytes(file: string): Buffer {
  try {
    if (!fs.statSync(file).isFile()) throw new UsageError(`cannot read ${file}: not a file`);
    return fs.readFileSync(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `${file} does not exist`
        : `cannot read ${file}: ${code ?? (error as Error).message}`,
    );
  }
}

/** UTF-8 only: bytes that are not are refused with their offset, never replaced (see utf8.ts). */
function decodeUtf8(file: string, bytes: Buffer): string {
  const encoding = unsupportedEncodingReason(bytes.subarray(0, 4));
  if (encoding !== undefined) throw new InputError(`${file}: ${encoding}`);
  const bad = invalidUtf8Offset(bytes);
  if (bad !== -1) {
    let line = 1;
    for (
      let index = bytes.indexOf(0x0a);
      index !== -1 && index < bad;
      index = bytes.indexOf(0x0a, index + 1)
    )
      line++;
    throw new InputError(`${file}:${line}: ${invalidUtf8Reason(bytes, bad, bad)}`);
  }
  return bytes.toString('utf8');
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

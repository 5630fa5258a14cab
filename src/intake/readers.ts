import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { readJsonArray } from '../input/json-array.js';
import { type SourceRecord, parseJsonRecord } from '../input/json-records.js';
import { readNdjsonLines } from '../input/ndjson.js';
import { unsupportedEncodingReason } from '../input/utf8.js';
import { readCsvEvents } from './csv-events.js';
import { MAX_RECORD_BYTES, tooLong } from './limits.js';

export type { SourceRecord } from '../input/json-records.js';
export type InputFormat = 'ndjson' | 'json' | 'csv';
export const INPUT_FORMATS: readonly InputFormat[] = ['ndjson', 'json', 'csv'];

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
      return readJsonArray(file, MAX_RECORD_BYTES, (bytes) => tooLong(bytes, 'element'));
    case 'csv':
      return readCsvEvents(file);
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

/** One JSON object a line; blank lines are skipped; never holds more than one line. */
async function* readNdjson(file: string): AsyncGenerator<SourceRecord> {
  const sizeReason = (bytes: number): string => tooLong(bytes, 'line').reason;
  for await (const line of readNdjsonLines(file, MAX_RECORD_BYTES, sizeReason)) {
    if (line.problem) yield { line: line.line, text: line.text, parseError: line.problem };
    else yield parseJsonRecord(line.line, line.text);
  }
}

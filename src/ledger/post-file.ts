import fs from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { invalidUtf8Offset, invalidUtf8Reason, unsupportedEncodingReason } from '../input/utf8.js';
import { unknownFieldReason } from '../input/names.js';
import {
  type Currency,
  beyondAmountLimit,
  parsePositiveAmount,
  toCurrency,
} from '../money/index.js';
import { assertOperatorKey, assertOperatorKind } from './kinds.js';
import type { Direction, EntryRequest, PostingRequest } from './types.js';

export interface LocatedPosting {
  request: PostingRequest;
  /** "file.ndjson:3" */
  where: string;
}

/**
 * Reads a `ledger post` file: one JSON object, a JSON array of objects, or NDJSON (one object a
 * line). Amounts are decimal strings in major units, each entry has exactly one of debit/credit:
 *   {"idempotencyKey":"…","description":"…","effectiveAt":"2026-11-23","kind":"manual",
 *    "metadata":{},"entries":[{"account":"assets:bank:operating","currency":"USD","debit":"12.34"}, …]}
 * Every problem names the file, the line and the field.
 */
export function readPostingFile(file: string): LocatedPosting[] {
  let text = decodeUtf8(file, readBytes(file));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) throw new InputError(`${file}: the file is empty`);

  const whole = tryParse(text);
  if (whole.ok && Array.isArray(whole.value)) {
    return whole.value.map((value, index) => ({
      request: toPostingRequest(value, `${file}[${index}]`),
      where: `${file}[${index}]`,
    }));
  }
  if (whole.ok)
    return [{ request: toPostingRequest(whole.value, `${file}:1`), where: `${file}:1` }];

  const postings: LocatedPosting[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim().length === 0) return;
    const where = `${file}:${index + 1}`;
    const parsed = tryParse(line);
    if (!parsed.ok) throw new InputError(`${where}: not valid JSON (${parsed.reason})`);
    postings.push({ request: toPostingRequest(parsed.value, where), where });
  });
  return postings;
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

/** UTF-8 only: bytes that are not are refused with their offset, never replaced (see src/input/utf8.ts). */
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

const POSTING_FIELDS = [
  'idempotencyKey',
  'kind',
  'description',
  'effectiveAt',
  'metadata',
  'entries',
];
const ENTRY_FIELDS = ['account', 'currency', 'debit', 'credit'];

function toPostingRequest(value: unknown, where: string): PostingRequest {
  if (!isObject(value)) throw new InputError(`${where}: expected a JSON object`);
  const unknown = Object.keys(value).find((key) => !POSTING_FIELDS.includes(key));
  if (unknown !== undefined)
    throw new InputError(`${where} ${unknown}: ${unknownFieldReason(unknown, POSTING_FIELDS)}`);
  if (!Array.isArray(value.entries))
    throw new InputError(`${where} entries: expected an array of entries`);
  const kind = (value.kind ?? 'manual') as string;
  if (typeof kind === 'string') assertOperatorKind(kind, where);
  if (typeof value.idempotencyKey === 'string') assertOperatorKey(value.idempotencyKey, where);
  return {
    idempotencyKey: value.idempotencyKey as string,
    kind,
    description: (value.description ?? '') as string,
    effectiveAt: value.effectiveAt as string,
    metadata: value.metadata as Record<string, string> | undefined,
    entries: value.entries.map((entry, index) => toEntry(entry, `${where} entries[${index}]`)),
  } as PostingRequest;
}

function toEntry(value: unknown, where: string): EntryRequest {
  if (!isObject(value))
    throw new InputError(`${where}: expected an object with account, currency and debit or credit`);
  const unknown = Object.keys(value).find((key) => !ENTRY_FIELDS.includes(key));
  if (unknown !== undefined)
    throw new InputError(`${where}.${unknown}: ${unknownFieldReason(unknown, ENTRY_FIELDS)}`);
  const hasDebit = value.debit !== undefined;
  if (hasDebit === (value.credit !== undefined))
    throw new InputError(`${where}: give exactly one of "debit" or "credit"`);
  const direction: Direction = hasDebit ? 'debit' : 'credit';
  const currency = toCurrency(value.currency, `${where}.currency`);
  return {
    account: value.account as string,
    currency,
    direction,
    amountMinor: positiveBoundedAmount(value[direction], currency, `${where}.${direction}`),
  };
}

/** Greater than zero and within the per-amount limit that orders have (MAX_AMOUNT_MINOR). */
function positiveBoundedAmount(text: unknown, currency: Currency, where: string): bigint {
  const minor = parsePositiveAmount(text, currency, where);
  const beyond = beyondAmountLimit(minor, currency);
  if (beyond !== undefined)
    throw new InputError(`${where}: "${String(text)}" ${beyond}`, {
      hint: 'a larger sum is several postings',
    });
  return minor;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

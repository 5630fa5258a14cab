import { InputError } from '../errors.js';
import { jsonValuesOf, readUtf8File } from '../input/json-document.js';
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
  const text = readUtf8File(file);
  if (text.trim().length === 0) throw new InputError(`${file}: the file is empty`);
  const postings: LocatedPosting[] = [];
  for (const { value, where } of jsonValuesOf(file, text))
    postings.push({ request: toPostingRequest(value, where), where });
  return postings;
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

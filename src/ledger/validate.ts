import { InputError } from '../errors.js';
import { isPlainText } from '../input/text.js';
import { MAX_MINOR, isCurrencyCode, printable } from '../money/index.js';
import { normalizeInstant } from '../time.js';
import { accountTypeOf } from './accounts.js';
import type { AccountType } from './accounts.js';
import type { Metadata, PostingRequest } from './types.js';

const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;
const METADATA_KEY = /^[a-z][a-zA-Z0-9_-]{0,63}$/;
const MAX_KEY_LENGTH = 255;
const MAX_DESCRIPTION_LENGTH = 500;
const MAX_METADATA_VALUE_LENGTH = 500;

export interface ValidPosting extends PostingRequest {
  metadata: Metadata;
  accountTypes: AccountType[];
}

/** Where a posting came from, for error messages; a function is called only if one is thrown. */
export type Where = string | (() => string);

const EMPTY_METADATA: Metadata = Object.freeze({});

/**
 * Account names already validated, with their type: `accountTypeOf` splits the name and tests
 * every segment, and a batch names the same few accounts over and over. Only names that passed
 * are kept; the cache is emptied when it grows large, so memory stays bounded.
 */
const ACCOUNT_TYPES = new Map<string, AccountType>();
const ACCOUNT_TYPES_LIMIT = 100_000;

function cachedAccountType(name: string, where: Where, index: number): AccountType {
  const known = ACCOUNT_TYPES.get(name);
  if (known !== undefined) return known;
  const type = accountTypeOf(name, `${entryPlace(where, index)}.account`);
  if (ACCOUNT_TYPES.size >= ACCOUNT_TYPES_LIMIT) ACCOUNT_TYPES.clear();
  ACCOUNT_TYPES.set(name, type);
  return type;
}

/**
 * Checks every rule a journal transaction must satisfy before it may touch the database:
 * ≥ 2 entries, positive 64-bit amounts, known currencies, valid accounts, and debits = credits in
 * each currency. Throws InputError naming the field; `where` prefixes it (e.g. "file.ndjson:3").
 * This runs once per posted transaction, so the messages are built only when one is thrown.
 */
export function validatePosting(request: PostingRequest, where: Where = 'posting'): ValidPosting {
  const key = request.idempotencyKey;
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > MAX_KEY_LENGTH ||
    !isPlainText(key)
  ) {
    throw new InputError(
      `${place(where)} idempotencyKey: required, 1–${MAX_KEY_LENGTH} printable characters`,
    );
  }
  if (typeof request.kind !== 'string' || !KIND.test(request.kind)) {
    throw new InputError(
      `${place(where)} kind: "${printable(String(request.kind))}" must be lower-case letters, digits, "_", "." or "-"`,
    );
  }
  if (!isText(request.description, MAX_DESCRIPTION_LENGTH))
    textError(`${place(where)} description`, MAX_DESCRIPTION_LENGTH);
  const effectiveAt = instant(request.effectiveAt, where);
  // `?? {}` as before: a null metadata is no metadata.
  const metadata =
    request.metadata == null ? EMPTY_METADATA : checkMetadata(request.metadata, where);

  const entries = request.entries;
  if (!Array.isArray(entries) || entries.length < 2) {
    throw new InputError(`${place(where)} entries: a transaction needs at least two entries`);
  }
  // Debits minus credits per currency, in order of first appearance; a Map only once a second
  // currency appears (almost every transaction has one).
  let firstCurrency: string | undefined;
  let firstNet = 0n;
  let netByCurrency: Map<string, bigint> | undefined;
  const accountTypes: AccountType[] = new Array<AccountType>(entries.length);
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as PostingRequest['entries'][number];
    accountTypes[index] = cachedAccountType(entry.account, where, index);
    if (!isCurrencyCode(entry.currency)) {
      throw new InputError(
        `${entryPlace(where, index)}.currency: "${printable(String(entry.currency))}" is not an ISO 4217 currency code`,
      );
    }
    if (entry.direction !== 'debit' && entry.direction !== 'credit') {
      throw new InputError(`${entryPlace(where, index)}: direction must be debit or credit`);
    }
    const amount = entry.amountMinor;
    if (typeof amount !== 'bigint' || amount <= 0n || amount > MAX_MINOR) {
      throw new InputError(
        `${entryPlace(where, index)}: amount must be greater than zero and within 64 bits`,
      );
    }
    const signed = entry.direction === 'debit' ? amount : -amount;
    if (
      netByCurrency === undefined &&
      (firstCurrency === undefined || firstCurrency === entry.currency)
    ) {
      firstCurrency = entry.currency;
      firstNet += signed;
    } else {
      netByCurrency ??= new Map([[firstCurrency as string, firstNet]]);
      netByCurrency.set(entry.currency, (netByCurrency.get(entry.currency) ?? 0n) + signed);
    }
  }
  if (netByCurrency === undefined) {
    if (firstNet !== 0n) unbalanced(where, firstCurrency as string, firstNet);
  } else {
    for (const [currency, net] of netByCurrency) if (net !== 0n) unbalanced(where, currency, net);
  }
  const valid: ValidPosting = {
    idempotencyKey: key,
    kind: request.kind,
    description: request.description,
    effectiveAt,
    metadata,
    entries,
    accountTypes,
  };
  if (request.reversesTxId !== undefined) valid.reversesTxId = request.reversesTxId;
  return valid;
}

function unbalanced(where: Where, currency: string, net: bigint): never {
  throw new InputError(
    `${place(where)} entries: debits and credits differ in ${currency} by ${net} minor units; a transaction must balance in each currency`,
  );
}

/**
 * normalizeInstant names the field only when it throws; it is deterministic, so on failure it is
 * called again with the full place to throw that same error under its right name.
 */
function instant(text: unknown, where: Where): string {
  // A batch's postings usually share one effective time: the last answer is kept (it is a pure function).
  if (lastInstant !== undefined && text === lastInstant.text) return lastInstant.normalized;
  try {
    const normalized = normalizeInstant(text, 'effectiveAt');
    lastInstant = { text: text as string, normalized };
    return normalized;
  } catch {
    return normalizeInstant(text, `${place(where)} effectiveAt`);
  }
}

// Empty at first: a first posting whose effectiveAt matched a made-up initial value would skip its check.
let lastInstant: { text: string; normalized: string } | undefined;

function place(where: Where): string {
  return typeof where === 'string' ? where : where();
}

function entryPlace(where: Where, index: number): string {
  return `${place(where)} entries[${index}]`;
}

/** Printable and whole: stored text must hash the same when `ledger verify` reads it back. */
function isText(text: unknown, maxLength: number): boolean {
  return typeof text === 'string' && text.length <= maxLength && isPlainText(text);
}

function textError(where: string, maxLength: number): never {
  throw new InputError(
    `${where}: expected text of at most ${maxLength} printable characters (no control characters or unpaired surrogates)`,
  );
}

function checkMetadata(metadata: unknown, where: Where): Metadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new InputError(`${place(where)} metadata: expected an object of string values`);
  }
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(key)) {
      throw new InputError(
        `${place(where)} metadata: key "${printable(key)}" must start with a lower-case letter, then letters, digits, "_" or "-"`,
      );
    }
    if (typeof value !== 'string')
      throw new InputError(`${place(where)} metadata.${key}: values must be strings`);
    if (!isText(value, MAX_METADATA_VALUE_LENGTH))
      textError(`${place(where)} metadata.${key}`, MAX_METADATA_VALUE_LENGTH);
    clean[key] = value;
  }
  return clean;
}

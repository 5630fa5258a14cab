import { InputError } from '../errors.js';
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
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export interface ValidPosting extends PostingRequest {
  metadata: Metadata;
  accountTypes: AccountType[];
}

/**
 * Checks every rule a journal transaction must satisfy before it may touch the database:
 * ≥ 2 entries, positive 64-bit amounts, known currencies, valid accounts, and debits = credits in
 * each currency. Throws InputError naming the field; `where` prefixes it (e.g. "file.ndjson:3").
 */
export function validatePosting(request: PostingRequest, where = 'posting'): ValidPosting {
  const key = request.idempotencyKey;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || CONTROL_CHARACTERS.test(key)) {
    throw new InputError(`${where} idempotencyKey: required, 1–${MAX_KEY_LENGTH} printable characters`);
  }
  if (typeof request.kind !== 'string' || !KIND.test(request.kind)) {
    throw new InputError(`${where} kind: "${printable(String(request.kind))}" must be lower-case letters, digits, "_", "." or "-"`);
  }
  checkText(request.description, `${where} description`, MAX_DESCRIPTION_LENGTH);
  const effectiveAt = normalizeInstant(request.effectiveAt, `${where} effectiveAt`);
  const metadata = checkMetadata(request.metadata ?? {}, `${where} metadata`);

  if (!Array.isArray(request.entries) || request.entries.length < 2) {
    throw new InputError(`${where} entries: a transaction needs at least two entries`);
  }
  const netByCurrency = new Map<string, bigint>();
  const accountTypes = request.entries.map((entry, index) => {
    const at = `${where} entries[${index}]`;
    const type = accountTypeOf(entry.account, `${at}.account`);
    if (!isCurrencyCode(entry.currency)) {
      throw new InputError(`${at}.currency: "${printable(String(entry.currency))}" is not an ISO 4217 currency code`);
    }
    if (entry.direction !== 'debit' && entry.direction !== 'credit') {
      throw new InputError(`${at}: direction must be debit or credit`);
    }
    if (typeof entry.amountMinor !== 'bigint' || entry.amountMinor <= 0n || entry.amountMinor > MAX_MINOR) {
      throw new InputError(`${at}: amount must be greater than zero and within 64 bits`);
    }
    const signed = entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor;
    netByCurrency.set(entry.currency, (netByCurrency.get(entry.currency) ?? 0n) + signed);
    return type;
  });
  for (const [currency, net] of netByCurrency) {
    if (net !== 0n) {
      throw new InputError(
        `${where} entries: debits and credits differ in ${currency} by ${net} minor units; a transaction must balance in each currency`,
      );
    }
  }
  return { ...request, effectiveAt, metadata, accountTypes };
}

function checkText(text: unknown, where: string, maxLength: number): void {
  if (typeof text !== 'string' || text.length > maxLength || CONTROL_CHARACTERS.test(text)) {
    throw new InputError(`${where}: expected text of at most ${maxLength} characters without control characters`);
  }
}

function checkMetadata(metadata: unknown, where: string): Metadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new InputError(`${where}: expected an object of string values`);
  }
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(key)) {
      throw new InputError(`${where}: key "${printable(key)}" must start with a lower-case letter, then letters, digits, "_" or "-"`);
    }
    if (typeof value !== 'string') throw new InputError(`${where}.${key}: values must be strings`);
    checkText(value, `${where}.${key}`, MAX_METADATA_VALUE_LENGTH);
    clean[key] = value;
  }
  return clean;
}

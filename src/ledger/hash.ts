import { isPlainJsonText, jsonString } from '../json.js';
import { sha256Hex } from '../sha256.js';
import type { EntryRequest, Metadata } from './types.js';

/** The hash a ledger's first transaction chains to. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashableBody {
  idempotencyKey: string;
  kind: string;
  description: string;
  effectiveAt: string;
  metadata: Metadata;
  /** null (or absent) when the transaction reverses nothing. */
  reversesTxId?: number | null;
  entries: readonly Pick<EntryRequest, 'account' | 'currency' | 'direction' | 'amountMinor'>[];
}

/** Canonical JSON of everything a transaction says, in a fixed order; metadata keys sorted. */
function canonicalMetadata(metadata: Metadata): string {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return '[]';
  return JSON.stringify(keys.sort().map((key) => [key, metadata[key]]));
}

/**
 * The hash of a transaction's content: sha256 of
 *   JSON.stringify([1, key, kind, description, effectiveAt, canonicalMetadata, reversesTxId,
 *                   [[account, currency, direction, amountMinor as a string], …]])
 * That text is written out here piece by piece rather than through an array for JSON.stringify
 * (every posting pays for it), and is byte for byte the same: see `json` below.
 */
export function bodyHash(body: HashableBody): string {
  let canonical = `[1,${json(body.idempotencyKey)},${json(body.kind)},${json(body.description)},${json(body.effectiveAt)},${metadataElement(body.metadata)},${json(body.reversesTxId)},[`;
  const entries = body.entries;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as HashableBody['entries'][number];
    canonical += `${index === 0 ? '' : ','}[${json(entry.account)},${json(entry.currency)},${json(entry.direction)},${json(entry.amountMinor.toString())}]`;
  }
  return sha256Hex(`${canonical}]]`);
}

/**
 * json(canonicalMetadata(metadata)): the canonical metadata text, itself written as a JSON string.
 * When no key or value needs escaping, the only characters the outer encoding escapes are the
 * inner quotes, so both levels are written in one pass; anything else takes the general path.
 */
function metadataElement(metadata: Metadata): string {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return '"[]"';
  keys.sort();
  let text = '"[';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const value = metadata[key] as string;
    if (!isPlainJsonText(key) || typeof value !== 'string' || !isPlainJsonText(value))
      return json(canonicalMetadata(metadata));
    text += `${index === 0 ? '' : ','}[\\"${key}\\",\\"${value}\\"]`;
  }
  return `${text}]"`;
}

/** A value as JSON.stringify writes it as an array element (undefined becomes null, as there). */
function json(value: unknown): string {
  if (typeof value === 'string') return jsonString(value);
  return JSON.stringify(value) ?? 'null';
}

/** Links a transaction to its predecessor: changing any earlier row breaks every later hash. */
export function chainHash(
  prevHash: string,
  txId: number,
  createdAt: string,
  contentHash: string,
): string {
  return sha256Hex(`${prevHash}|${txId}|${createdAt}|${contentHash}`);
}

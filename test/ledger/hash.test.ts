import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonStringRecord } from '../../src/json.js';
import { bodyHash, chainHash, type HashableBody } from '../../src/ledger/hash.js';
import type { Direction } from '../../src/ledger/types.js';
import type { Currency } from '../../src/money/index.js';

/**
 * Every stored hash was made with the formulation below; the hand-written serializer must match
 * it byte for byte, or `ledger verify` would report every existing book as tampered with.
 */
function referenceBodyHash(body: HashableBody): string {
  const keys = Object.keys(body.metadata);
  const metadata =
    keys.length === 0 ? '[]' : JSON.stringify(keys.sort().map((key) => [key, body.metadata[key]]));
  const text = JSON.stringify([
    1,
    body.idempotencyKey,
    body.kind,
    body.description,
    body.effectiveAt,
    metadata,
    body.reversesTxId ?? null,
    body.entries.map((entry) => [
      entry.account,
      entry.currency,
      entry.direction,
      entry.amountMinor.toString(),
    ]),
  ]);
  return crypto.createHash('sha256').update(text).digest('hex');
}

// Text of every kind: plain, quotes and backslashes, control characters, lone and paired surrogates.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', 'a"b', 'back\\slash', 'tab\there', '\ud800', '😀', 'ünï'),
);
const body: fc.Arbitrary<HashableBody> = fc.record({
  idempotencyKey: text,
  kind: text,
  description: text,
  effectiveAt: text,
  metadata: fc.dictionary(text, text, { maxKeys: 5 }),
  reversesTxId: fc.option(fc.nat(), { nil: undefined }),
  entries: fc.array(
    fc.record({
      account: text,
      currency: text.map((code) => code as Currency),
      direction: fc.constantFrom<Direction>('debit', 'credit'),
      amountMinor: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
    }),
    { minLength: 0, maxLength: 4 },
  ),
});

describe('ledger hashes', () => {
  it('bodyHash writes exactly the JSON.stringify formulation, for any content', () => {
    fc.assert(
      fc.property(body, (value) => {
        expect(bodyHash(value)).toBe(referenceBodyHash(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('chainHash links the previous hash, the id, the creation time and the content hash', () => {
    const expected = crypto
      .createHash('sha256')
      .update(`${'0'.repeat(64)}|7|2026-11-23T10:00:00.000Z|abc`)
      .digest('hex');
    expect(chainHash('0'.repeat(64), 7, '2026-11-23T10:00:00.000Z', 'abc')).toBe(expected);
  });

  it('stores metadata as JSON.stringify writes it, keys in their order', () => {
    fc.assert(
      fc.property(fc.dictionary(text, text), (metadata) => {
        expect(jsonStringRecord(metadata)).toBe(JSON.stringify(metadata));
      }),
      { numRuns: 2000 },
    );
  });
});

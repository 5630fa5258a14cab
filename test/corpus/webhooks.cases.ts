import fs from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR, type CorpusCase } from './harness.js';

/**
 * Recorded webhook deliveries through `payops webhooks replay FILE` (one
 * {"receivedAt","signature","body"} a line, as `webhooks listen --record` writes them), signed
 * with WEBHOOK_CORPUS_SECRET at t = 1795435200 (2026-11-24T08:00:00Z) and received two seconds
 * later unless a case says otherwise: v1 = hex HMAC-SHA256(secret, `${t}.${body}`). The book holds
 * the given checkouts charged through the simulated PSP (ord_g1 ...: a webhook of the http PSP
 * about one is a mismatch) and ord_h1, charged through the http PSP but never answered (retry
 * scheduled).
 *
 * The documented behaviour: each line gets the listener's checks (signature in constant time,
 * tolerance measured from receivedAt, size, a well-formed event); a line that fails them is
 * reported as FILE:LINE reason and nothing of it is written (exit 3); the other lines are applied
 * and remembered by event id, once. A mismatch or conflict exits 5; an event whose order has no
 * answer from the PSP yet is not applied and not remembered, and the replay exits 6.
 */
export const WEBHOOK_CORPUS_SECRET = 'whsec_corpus_0123456789abcdef';

export const WEBHOOK_CASES: readonly CorpusCase[] = [
  // Applied, and remembered once.
  {
    name: 'events about orders payops does not have',
    input: 'webhooks/unknown-order.ndjson',
    expect: { exit: 0, added: ['evt_corpus_1', 'evt_corpus_dispute'] },
  },
  {
    name: 'an event type payops does not act on',
    input: 'webhooks/ignored-type.ndjson',
    expect: { exit: 0, added: ['evt_corpus_refunded'] },
  },
  {
    name: 'the same delivery three times',
    input: 'webhooks/duplicate-delivery.ndjson',
    expect: { exit: 0, added: ['evt_corpus_1'] },
  },
  {
    name: 'a UTF-8 BOM and CRLF line ends',
    input: 'webhooks/bom-crlf.ndjson',
    expect: { exit: 0, added: ['evt_corpus_1', 'evt_corpus_2'] },
  },
  {
    name: 'several v1 signatures, one of them right (secret rotation)',
    input: 'webhooks/signature-several-v1.ndjson',
    expect: { exit: 0, added: ['evt_corpus_1'] },
  },
  {
    name: 'a spreadsheet formula as a merchant reference is kept as data',
    input: 'webhooks/formula-reference.ndjson',
    expect: { exit: 0, added: ['evt_corpus_formula'] },
  },
  { name: 'an empty file', input: 'webhooks/empty.ndjson', expect: { exit: 0 } },
  {
    name: 'an event contradicting the books: remembered, exit 5',
    input: 'webhooks/mismatch.ndjson',
    expect: {
      exit: 5,
      message: ':1 mismatch: order ord_g1 was charged through sim, not http',
      added: ['evt_corpus_mismatch'],
    },
  },
  {
    name: 'events for an order with no answer from the PSP yet: the final one is not applied, exit 6',
    input: 'webhooks/not-pending-yet.ndjson',
    expect: {
      exit: 6,
      message: '1 event not applied yet: its order has no answer from the PSP in payops yet',
      added: ['evt_corpus_h1_pending'],
    },
  },

  // Signatures and their timestamps: the line is refused, nothing of it written.
  {
    name: 'a body changed after it was signed',
    input: 'webhooks/forged-body.ndjson',
    expect: { exit: 3, message: ':1 the signature does not match the body' },
  },
  {
    name: 'a signature made with another secret',
    input: 'webhooks/wrong-secret.ndjson',
    expect: { exit: 3, message: ':1 the signature does not match the body' },
  },
  {
    name: 'a delivery stale when it was received',
    input: 'webhooks/stale-when-received.ndjson',
    expect: {
      exit: 3,
      message:
        ':1 the signature timestamp is 3600 s away from the time it was received (tolerance 300 s)',
    },
  },
  {
    name: 'a delivery signed in the future of its receipt',
    input: 'webhooks/future-when-received.ndjson',
    expect: {
      exit: 3,
      message: ':1 the signature timestamp is 600 s away from the time it was received',
    },
  },
  {
    name: 'no signature, or an empty one',
    input: 'webhooks/signature-missing.ndjson',
    expect: { exit: 3, message: ':2 no Payops-Signature header' },
  },
  {
    name: 'signatures without a timestamp, with a word for one, with upper-case hex, or garbage',
    input: 'webhooks/signature-malformed.ndjson',
    expect: { exit: 3, message: ':3 the signature header has no v1 signature' },
  },

  // Lines that are not a recorded delivery.
  {
    name: 'a line that is not JSON between good ones',
    input: 'webhooks/not-json.ndjson',
    expect: { exit: 3, message: ':2 not valid JSON', added: ['evt_corpus_1', 'evt_corpus_3'] },
  },
  {
    name: 'a last line cut short',
    input: 'webhooks/truncated-last-line.ndjson',
    expect: { exit: 3, message: ':2 not valid JSON', added: ['evt_corpus_1'] },
  },
  {
    name: 'JSON that is not a recorded delivery (the body as an object, an array, a string)',
    input: 'webhooks/not-a-record.ndjson',
    expect: {
      exit: 3,
      message:
        ':1 expected {"receivedAt", "signature", "body"} as written by `webhooks listen --record`',
      added: ['evt_corpus_4'],
    },
  },
  {
    name: 'a byte that is not UTF-8 inside a body',
    input: 'webhooks/invalid-utf8.ndjson',
    expect: {
      exit: 3,
      message: /:2 encoding: invalid UTF-8 at byte \d+ of the file \(0xE9\)/,
      added: ['evt_corpus_1', 'evt_corpus_3'],
    },
  },
  {
    name: 'a 10 MB line between good ones',
    generated: {
      name: 'ten-megabytes.ndjson',
      bytes: () => {
        const [good = ''] = fs
          .readFileSync(path.join(CORPUS_DIR, 'webhooks', 'unknown-order.ndjson'), 'utf8')
          .split('\n');
        const huge = JSON.stringify({
          receivedAt: '2026-11-24T08:00:02.000Z',
          signature: `t=1795435200,v1=${'0'.repeat(64)}`,
          body: 'x'.repeat(10 * 1024 * 1024),
        });
        return Buffer.from(`${huge}\n${good}\n`);
      },
    },
    expect: {
      exit: 3,
      message: /:1 size: the line is 1048\d{4} bytes, more than the 397312 a line may take here/,
      added: ['evt_corpus_1'],
    },
  },

  // The event inside: the listener's own checks.
  {
    name: 'an escape sequence in a merchant reference, a bell in a charge id',
    input: 'webhooks/control-character.ndjson',
    expect: {
      exit: 3,
      message:
        ':1 data.object.merchantReference: "ord_?[31mred" holds a control character or an unpaired surrogate',
      added: ['evt_corpus_3'],
    },
  },
  {
    name: 'amounts beyond 64 bits, as JSON numbers, with decimals, negative; an unknown currency',
    input: 'webhooks/amounts-and-currencies.ndjson',
    expect: {
      exit: 3,
      message: ':5 data.object.currency: "XXX" is not an ISO 4217 currency code',
      added: ['evt_corpus_ok'],
    },
  },
  {
    name: 'an amount within 64 bits but above the per-amount limit of orders (issue 14 item 2)',
    input: 'webhooks/amount-above-limit.ndjson',
    expect: {
      exit: 3,
      message:
        ':1 data.object.amountMinor: 1000000000000001 is more than one amount may be (1000000000000000 minor units)',
    },
  },
  {
    name: 'an event time without a zone, receipt times that are not times',
    input: 'webhooks/dates.ndjson',
    expect: {
      exit: 3,
      message: ':1 created: "2026-11-24T07:59:59" is not an ISO 8601 time (add "Z" or an offset',
      added: ['evt_corpus_11'],
    },
  },
  {
    name: 'an id that is not an event id, no type, a status that contradicts the type',
    input: 'webhooks/event-shape.ndjson',
    expect: {
      exit: 3,
      message: ':1 id: "evt_1\'; DROP TABLE orders; --" is not an event id (evt_…)',
      added: ['evt_corpus_4'],
    },
  },
];

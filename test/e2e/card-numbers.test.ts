import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payops, tempDir } from '../helpers/cli.js';

/**
 * Issue 14 item 11 (PCI DSS: a full card number is never stored or displayed): a card number
 * anywhere in an event is refused, and no output of `payin run` (stdout, --json, stderr, the
 * rejects file) nor the database holds it; only its last four digits are named.
 */
const event = (id: string, patch: (base: Record<string, unknown>) => void): string => {
  const base: Record<string, unknown> = {
    eventId: id,
    type: 'pay_in',
    occurredAt: '2026-11-23T12:00:00Z',
    currency: 'USD',
    payer: { id: 'buyer_1' },
    paymentToken: 'tok_visa',
    orders: [{ orderId: `ord_${id}`, sellerId: 'seller_1', amount: '12.50' }],
  };
  patch(base);
  return JSON.stringify(base);
};
const order = (base: Record<string, unknown>) =>
  (base.orders as Record<string, unknown>[])[0] as Record<string, unknown>;

const CARDS = ['4111 1111 1111 1111', '4111111111111111', '5555-5555-5555-4444', '378282246310005'];
const LINES = [
  event('card_seller', (base) => {
    order(base).sellerId = '4111 1111 1111 1111';
  }),
  event('card_note', (base) => {
    order(base).metadata = { note: 'paid with 5555-5555-5555-4444, thanks' };
  }),
  event('card_payer', (base) => {
    base.payer = { id: '378282246310005' };
  }),
  event('card_key', (base) => {
    order(base).metadata = { '4111111111111111': 'x' };
  }),
  event('card_number', (base) => {
    order(base).metadata = { n: 4111111111111111 };
  }),
  '{"eventId":"4111111111111111","type":"pay_in"}',
  event('card_ok', () => undefined),
  event('amount_huge', (base) => {
    order(base).amount = '92233720368547758.08';
  }),
];

describe('card numbers never reach an output or the books (issue 14 item 11)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let input: string;
  let result: { code: number; stdout: string; stderr: string };
  let jsonResult: { code: number; stdout: string; stderr: string };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('payops-cards-'));
    db = path.join(dir, 'books.db');
    input = path.join(dir, 'cards.ndjson');
    fs.writeFileSync(input, `${LINES.join('\n')}\n`);
    expect(payops(['init', '--db', db]).code).toBe(0);
    result = payops(['payin', 'run', input, '--db', db]);
    jsonResult = payops([
      'payin',
      'run',
      input,
      '--json',
      '--rejects',
      path.join(dir, 'again.ndjson'),
      '--db',
      db,
    ]);
  });
  afterAll(() => cleanup());

  const everything = (): string =>
    [
      result.stdout,
      result.stderr,
      jsonResult.stdout,
      jsonResult.stderr,
      fs.readFileSync(`${input}.rejects.ndjson`, 'utf8'),
      fs.readFileSync(path.join(dir, 'again.ndjson'), 'utf8'),
    ].join('\n');

  it('refuses every event holding a card number, in any field, and accepts the clean one', () => {
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /cards\.ndjson:1 orders\[0\]\.sellerId: looks like a card number.*…1111/,
    );
    expect(result.stderr).toMatch(
      /cards\.ndjson:2 orders\[0\]\.metadata\.note: looks like a card number.*…4444/,
    );
    expect(result.stderr).toMatch(/cards\.ndjson:3 payer\.id: looks like a card number.*…0005/);
    expect(result.stderr).toMatch(
      /cards\.ndjson:4 orders\[0\]\.metadata\.\[card number …1111\]: looks like a card number/,
    );
    expect(result.stderr).toMatch(
      /cards\.ndjson:5 orders\[0\]\.metadata\.n: looks like a card number/,
    );
    expect(result.stderr).toMatch(/cards\.ndjson:6 eventId: looks like a card number/);
    const books = new Sqlite(db, { readonly: true });
    const events = books.prepare('SELECT event_id FROM events ORDER BY event_id').pluck().all();
    books.close();
    expect(events).toEqual(['card_ok']);
  });

  it('never prints or writes a card number in full: not in the reason, on stderr, in --json or in the rejects file', () => {
    const text = everything();
    for (const card of CARDS) {
      expect(text).not.toContain(card);
      expect(text).not.toContain(card.replace(/[ -]/g, ''));
    }
  });

  it('the books hold no card number', () => {
    const dump =
      fs.readFileSync(db).toString('latin1') +
      (fs.existsSync(`${db}-wal`) ? fs.readFileSync(`${db}-wal`).toString('latin1') : '');
    for (const card of CARDS) expect(dump).not.toContain(card.replace(/[ -]/g, ''));
  });

  it('an amount that is not Luhn-valid is not rewritten as a card number', () => {
    const rejects = fs.readFileSync(`${input}.rejects.ndjson`, 'utf8');
    expect(rejects).toContain('92233720368547758.08');
    expect(rejects).not.toContain('redacted card number].08');
  });
});

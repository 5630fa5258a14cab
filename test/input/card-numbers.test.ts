import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import {
  cardNumberPath,
  findCardNumbers,
  luhnValid,
  redactCardNumbers,
} from '../../src/input/card-numbers.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { tempDatabase } from '../helpers/db.js';

/** A Luhn-valid number of `length` digits: `body` then the check digit. */
function withCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit++)
    if (luhnValid(`${body}${digit}`)) return `${body}${digit}`;
  throw new Error('unreachable');
}

describe('card numbers (issue 14 item 11)', () => {
  it('finds and masks card numbers written plain, with spaces or with dashes, showing the last four digits only', () => {
    expect(redactCardNumbers('{"paymentToken":"4242424242424242"}')).toBe(
      '{"paymentToken":"[card number …4242]"}',
    );
    expect(redactCardNumbers('pan 4242 4242 4242 4242 end')).toBe('pan [card number …4242] end');
    expect(redactCardNumbers('4000-0566-5566-5556')).toBe('[card number …5556]');
    expect(redactCardNumbers('amex 378282246310005 and 19 digits 6011000990139424124')).toBe(
      'amex [card number …0005] and 19 digits [card number …4124]',
    );
    expect(redactCardNumbers('"sellerId":"4111 1111 1111 1111"')).toBe(
      '"sellerId":"[card number …1111]"',
    );
  });

  it('a card number after other digit groups is still found; a longer digit run is one number, not a card', () => {
    expect(redactCardNumbers('ref 12 4111 1111 1111 1111')).toBe('ref 12 [card number …1111]');
    expect(findCardNumbers('41111111111111110000')).toEqual([]);
  });

  it('uses Luhn: amounts, dates, ids and numbers that fail the checksum are left alone', () => {
    expect(redactCardNumbers('"92233720368547758.08"')).toBe('"92233720368547758.08"');
    expect(redactCardNumbers('4111111111111112')).toBe('4111111111111112');
    const text =
      '{"eventId":"chk_0001","occurredAt":"2026-11-23T10:15:00Z","amount":"25.00","orderId":"ord_12345678901"}';
    expect(redactCardNumbers(text)).toBe(text);
  });

  it("only numbers with a card network's first digit (2–6): a Luhn-valid millisecond timestamp in an id is not a card", () => {
    const timestamp = withCheckDigit('173350000000');
    expect(luhnValid(timestamp)).toBe(true);
    expect(findCardNumbers(`chk_${timestamp}`)).toEqual([]);
    for (const first of ['0', '1', '7', '8', '9'])
      expect(findCardNumbers(withCheckDigit(`${first}11111111111111`))).toEqual([]);
    for (const first of ['2', '3', '4', '5', '6'])
      expect(findCardNumbers(withCheckDigit(`${first}11111111111111`))).toHaveLength(1);
  });

  it("reads other scripts' digits, every dash and every invisible character as a person does (second review)", () => {
    const spellings = [
      '\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661', // Arabic-Indic digits
      '\u096a\u0967\u0967\u0967 \u0967\u0967\u0967\u0967 \u0967\u0967\u0967\u0967 \u0967\u0967\u0967\u0967', // Devanagari digits
      '4111\u20131111\u20131111\u20131111', // en dash
      '4111\u20111111\u20111111\u20111111', // non-breaking hyphen
      '4111\u22121111\u22121111\u22121111', // minus sign
      '4111 - 1111 - 1111 - 1111',
      '4111   1111   1111   1111',
      '4111\u20631111\u200e1111\u034f1111', // invisible separator, left-to-right mark, combining grapheme joiner
    ];
    for (const spelling of spellings)
      expect(findCardNumbers(`note ${spelling} end`), spelling).toEqual([
        expect.objectContaining({ last4: '1111' }),
      ]);
  });

  it('normalizes before scanning: dots, slashes, underscores, double spaces, no-break and zero-width spaces, full-width digits (issue 14 item 5)', () => {
    const written = [
      '4111.1111.1111.1111',
      '4111\u00a01111\u00a01111\u00a01111',
      '4111  1111  1111  1111',
      '4111/1111/1111/1111',
      '4111_1111_1111_1111',
      '\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11',
      '4111\u200b1111\u200b1111\u200b1111',
      '4111\u00ad1111\u2060-1111\ufeff1111',
      '4111 -1111. 1111_/1111',
    ];
    for (const card of written) {
      expect(findCardNumbers(`note ${card} end`), card).toHaveLength(1);
      const shown = redactCardNumbers(`{"note":"${card}"}`);
      expect(shown, card).toBe('{"note":"[card number …1111]"}');
      expect(cardNumberPath({ metadata: { note: card } }), card).toEqual({
        path: 'metadata.note',
        last4: '1111',
      });
    }
  });

  it('four separators or more in a row still part the groups; amounts, dates and ids still pass', () => {
    expect(findCardNumbers('4111 -  1111 -  1111 -  1111')).toEqual([]);
    for (const text of [
      '25.00',
      '2026-11-23',
      '2026/11/23 10.15',
      'ord_00000001',
      'seller_7',
      '12.50 / 13.20',
      '2026-11-23T10:15:00Z',
      'v1.2.3_4',
    ]) {
      expect(findCardNumbers(text), text).toEqual([]);
      expect(redactCardNumbers(text)).toBe(text);
    }
    expect(redactCardNumbers('caf\u00e9 \uff21 no card')).toBe('caf\u00e9 \uff21 no card');
  });

  it('names where in a record a card number is, keys included and redacted', () => {
    expect(
      cardNumberPath({ orders: [{ metadata: { note: 'card 5555-5555-5555-4444' } }] }),
    ).toEqual({ path: 'orders[0].metadata.note', last4: '4444' });
    expect(cardNumberPath({ meta: { '4111111111111111': 1 } })).toEqual({
      path: 'meta.[card number …1111]',
      last4: '1111',
    });
    expect(cardNumberPath({ n: 4111111111111111 })).toEqual({ path: 'n', last4: '1111' });
    expect(cardNumberPath({ amount: '92233720368547758.08' })).toBeUndefined();
  });

  describe('property: no Luhn-valid 13–19 digit number ever reaches an output of intake', () => {
    let db: Database;
    let dir: string;
    let cleanup: () => void;
    let files = 0;
    beforeAll(() => {
      let file: string;
      ({ db, file, cleanup } = tempDatabase());
      dir = path.dirname(file);
    });
    afterAll(() => cleanup());

    const card = fc
      .tuple(
        fc.integer({ min: 13, max: 19 }),
        fc.constantFrom('', ' ', '-', '.', '/', '_', '  ', '\u00a0', '\u200b', ' -', '._'),
      )
      .chain(([length, separator]) =>
        fc.tuple(
          fc.stringMatching(new RegExp(`^[2-6][0-9]{${length - 2}}$`)),
          fc.constant(separator),
        ),
      )
      .map(([body, separator]) => {
        const digits = withCheckDigit(body);
        return {
          digits,
          written:
            separator === '' ? digits : (digits.match(/.{1,4}/g) as string[]).join(separator),
          wide: false,
        };
      });
    const wideCard = card.map(({ digits, written }) => ({
      digits,
      written: written.replace(/[0-9]/g, (digit) => String.fromCharCode(0xff10 + Number(digit))),
      wide: true,
    }));
    const anyCard = fc.oneof({ arbitrary: card, weight: 4 }, { arbitrary: wideCard, weight: 1 });
    const places = [
      'eventId',
      'payer.id',
      'paymentToken',
      'sellerId',
      'orderId',
      'amount',
      'metadata',
      'metadata key',
      'currency',
      'raw number',
    ] as const;
    const wrap = fc.tuple(
      fc.constantFrom('', 'x', 'pan ', 'ref:', '_'),
      fc.constantFrom('', ' ok', '.08', '/', 'z'),
    );

    it('not in a rejection (field, reason, event id), not in the rejects file, not in the books', async () => {
      await fc.assert(
        fc.asyncProperty(
          anyCard,
          fc.constantFrom(...places),
          wrap,
          async ({ digits, written, wide }, place, [before, after]) => {
            const value = `${before}${written}${after}`;
            const id = `prop_${files}`;
            const order: Record<string, unknown> = {
              orderId: `ord_${id}`,
              sellerId: 'seller_1',
              amount: '12.50',
            };
            const event: Record<string, unknown> = {
              eventId: id,
              type: 'pay_in',
              occurredAt: '2026-11-23T12:00:00Z',
              currency: 'USD',
              payer: { id: 'buyer_1' },
              paymentToken: 'tok_visa',
              orders: [order],
            };
            if (place === 'eventId') event.eventId = value;
            if (place === 'payer.id') event.payer = { id: value };
            if (place === 'paymentToken') event.paymentToken = value;
            if (place === 'currency') event.currency = value;
            if (place === 'sellerId' || place === 'orderId' || place === 'amount')
              order[place] = value;
            if (place === 'metadata' || (place === 'raw number' && wide))
              order.metadata = { note: value };
            if (place === 'metadata key') order.metadata = { [value]: 'x' };
            const text =
              place === 'raw number' && !wide
                ? JSON.stringify(event)
                    .replace('"12.50"', '"12.50","metadata":{"n":__N__}')
                    .replace('__N__', digits)
                : JSON.stringify(event);
            const file = path.join(dir, `p-${files++}.ndjson`);
            fs.writeFileSync(file, `${text}\n`);
            const summary = await ingest(new SqliteIntakeStore(db), [file], { psp: 'sim' });
            expect(summary.rejected).toBe(1);
            const shown =
              JSON.stringify(summary.rejections) +
              fs.readFileSync(`${file}.rejects.ndjson`, 'utf8');
            expect(shown).not.toContain(digits);
            expect(shown).not.toContain(written);
            expect(findCardNumbers(shown)).toEqual([]);
            const stored = db
              .prepare('SELECT COUNT(*) FROM events WHERE instr(event_id, ?) > 0 OR event_id = ?')
              .pluck()
              .get(digits, id);
            expect(Number(stored)).toBe(0);
          },
        ),
        { numRuns: 150, seed: 14 },
      );
    });
  });
});

describe('validateEvent refuses a card number in any field (issue 14 item 11)', () => {
  it('a Luhn-valid amount of 13 or more integer digits is refused as well: no checkout is that large, and a card number never passes as one', async () => {
    const { validateEvent, EventRejection } = await import('../../src/payments/events.js');
    const event = {
      eventId: 'e1',
      type: 'pay_in',
      occurredAt: '2026-11-23T12:00:00Z',
      currency: 'JPY',
      payer: { id: 'b1' },
      paymentToken: 'tok_visa',
      orders: [{ orderId: 'o1', sellerId: 's1', amount: '4111111111111' }],
    };
    expect(luhnValid('4111111111111')).toBe(false);
    expect(validateEvent(event).type).toBe('pay_in');
    const card = { ...event, orders: [{ orderId: 'o1', sellerId: 's1', amount: '4222222222222' }] };
    expect(luhnValid('4222222222222')).toBe(true);
    expect(() => validateEvent(card)).toThrow(EventRejection);
    expect(() => validateEvent(card)).toThrow(
      /orders\[0\]\.amount: looks like a card number.*…2222/,
    );
  });
});

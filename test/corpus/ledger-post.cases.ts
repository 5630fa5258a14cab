import type { CorpusCase } from './harness.js';

/**
 * Ledger post files through `payops ledger post --file FILE`, on a ledger holding the opening
 * balance of test/corpus/given/opening.ndjson. The documented behaviour: the whole file is posted
 * in one transaction or nothing is; a bad file names FILE:LINE and the field, exit 3.
 */
export const LEDGER_POST_CASES: readonly CorpusCase[] = [
  {
    name: 'NDJSON with a BOM and CRLF',
    input: 'ledger/bom-crlf.ndjson',
    expect: { exit: 0, added: ['lbom_1', 'lbom_2'] },
  },
  {
    name: 'a JSON array',
    input: 'ledger/array.json',
    expect: { exit: 0, added: ['larr_1', 'larr_2'] },
  },
  {
    name: 'one pretty-printed object',
    input: 'ledger/single-object.json',
    expect: { exit: 0, added: ['lobj_1'] },
  },
  {
    name: 'an amount as a JSON number',
    input: 'ledger/json-number.ndjson',
    expect: {
      exit: 3,
      message:
        'json-number.ndjson:2 entries[0].debit: amounts must be decimal strings such as "25.00", not JSON numbers (got 100)',
    },
  },
  {
    name: 'three decimals in USD',
    input: 'ledger/too-many-decimals.ndjson',
    expect: {
      exit: 3,
      message: ':2 entries[0].debit: "100.001" has more decimals than USD allows (2)',
    },
  },
  {
    name: 'an exponent',
    input: 'ledger/json-numbers-as-strings-with-exponent.ndjson',
    expect: { exit: 3, message: '"1e2" is not a decimal amount' },
  },
  {
    name: 'debits and credits that differ',
    input: 'ledger/unbalanced.ndjson',
    expect: { exit: 3, message: ':2 entries: debits and credits differ in USD by 1 minor units' },
  },
  {
    name: 'one entry only',
    input: 'ledger/single-entry.ndjson',
    expect: { exit: 3, message: ':2 entries[0].debit: must be greater than zero' },
  },
  {
    name: 'a negative amount',
    input: 'ledger/negative.ndjson',
    expect: { exit: 3, message: ':2 entries[0].debit: must be greater than zero (got "-100.00")' },
  },
  {
    name: 'a zero amount',
    input: 'ledger/zero.ndjson',
    expect: { exit: 3, message: ':2 entries[0].debit: must be greater than zero' },
  },
  {
    name: 'an amount beyond 64 bits',
    input: 'ledger/beyond-64-bits.ndjson',
    expect: { exit: 3, message: 'is beyond the largest amount payops can hold' },
  },
  // Issue 14 item 2: one hand posting of nearly 2^63 on the PSP receivable made every later capture overflow.
  {
    name: 'an amount within 64 bits but above the per-amount limit of orders',
    input: 'ledger/balance-overflow.ndjson',
    expect: {
      exit: 3,
      message:
        'balance-overflow.ndjson:1 entries[0].debit: "92233720368547758.07" is more than one amount may be (10000000000000.00 USD)',
    },
  },
  {
    name: 'an amount one cent above the per-amount limit',
    input: 'ledger/above-amount-limit.ndjson',
    expect: {
      exit: 3,
      message:
        ':2 entries[0].debit: "10000000000000.01" is more than one amount may be (10000000000000.00 USD) (a larger sum is several postings)',
    },
  },
  {
    name: 'an amount at the per-amount limit is posted',
    input: 'ledger/at-amount-limit.ndjson',
    expect: { exit: 0, added: ['lmax_ok'] },
  },
  {
    name: 'postings within the limit whose sum would overflow a balance: refused before anything is written, naming the account',
    generated: {
      name: 'balance-overflow-bounded.ndjson',
      // 9,223 postings of 10^15 JPY fit in one balance; the 9,224th would not.
      bytes: () =>
        Buffer.from(
          Array.from(
            { length: 9224 },
            (_, index) =>
              `{"idempotencyKey":"lsum_${index + 1}","effectiveAt":"2026-11-23T10:00:00Z","entries":[{"account":"assets:bank:operating","currency":"JPY","debit":"1000000000000000"},{"account":"equity:opening","currency":"JPY","credit":"1000000000000000"}]}\n`,
          ).join(''),
        ),
    },
    expect: {
      exit: 3,
      message:
        'balance-overflow-bounded.ndjson:9224: a debit of 1000000000000000 JPY to assets:bank:operating, whose balance is 0 JPY (9223000000000000000 JPY with the debits before it in this batch), would take it beyond the largest balance payops can hold (9223372036854775807 JPY); nothing was posted (if an amount was posted by mistake',
    },
  },
  {
    name: 'an unknown currency',
    input: 'ledger/unknown-currency.ndjson',
    expect: { exit: 3, message: ':2 entries[0].currency: "ZZZ" is not an ISO 4217 currency code' },
  },
  {
    name: 'debits in one currency, credits in another',
    input: 'ledger/currencies-do-not-balance.ndjson',
    expect: { exit: 3, message: 'debits and credits differ in USD' },
  },
  {
    name: 'an effective time without a zone',
    input: 'ledger/effective-without-zone.ndjson',
    expect: {
      exit: 3,
      message:
        ':2 effectiveAt: "2026-11-23T10:00:00" is not an ISO 8601 time (add "Z" or an offset',
    },
  },
  {
    name: 'the 30th of February',
    input: 'ledger/effective-impossible.ndjson',
    expect: { exit: 3, message: ':2 effectiveAt: "2026-02-30" is not a real date and time' },
  },
  // Found in review: the first posting of a process with an empty effective time skipped its check (a cached answer).
  {
    name: 'an empty effective time on the first posting',
    input: 'ledger/effective-empty-first.ndjson',
    expect: {
      exit: 3,
      message: 'effective-empty-first.ndjson:1 effectiveAt: "" is not an ISO 8601 time',
    },
  },
  {
    name: 'an offset that carries the time past the year 9999',
    input: 'ledger/effective-beyond-9999.ndjson',
    expect: {
      exit: 3,
      message:
        ':2 effectiveAt: "9999-12-31T23:30:00-01:00" falls outside the years 0000 to 9999 in UTC',
    },
  },
  {
    name: 'an idempotency key in the namespace of the pay-in flow',
    input: 'ledger/pipeline-key.ndjson',
    expect: {
      exit: 3,
      message:
        ':2 idempotencyKey: "payin.capture:ord_0001" is in the namespace of payops\' own postings',
    },
  },
  {
    name: 'an idempotency key in the namespace of reversals',
    input: 'ledger/reversal-key.ndjson',
    expect: {
      exit: 3,
      message:
        'idempotencyKey: "reversal:1" is in the namespace of payops\' own postings ("reversal:…")',
    },
  },
  {
    name: 'a key posted before with other content; the original stands',
    input: 'ledger/duplicate-key-different-content.ndjson',
    expect: { exit: 3, message: 'given_opening' },
  },
  {
    name: 'a key posted before with the same content writes nothing',
    input: 'ledger/duplicate-key-same-content.ndjson',
    expect: { exit: 0 },
  },
  {
    name: 'one key twice in a file with other content',
    input: 'ledger/duplicate-key-in-file.ndjson',
    expect: { exit: 3, message: 'ldupf' },
  },
  {
    name: 'a kind that belongs to the payment pipeline',
    input: 'ledger/pipeline-kind.ndjson',
    expect: { exit: 3, message: 'payin.capture' },
  },
  {
    name: 'an account outside the five roots',
    input: 'ledger/bad-account.ndjson',
    expect: {
      exit: 3,
      message:
        ':2 entries[0].account: "cash:drawer" must start with one of assets, liabilities, equity, revenue, expenses',
    },
  },
  {
    name: 'a line break in a description',
    input: 'ledger/control-char-description.ndjson',
    expect: {
      exit: 3,
      message: ':2 description: expected text of at most 500 printable characters',
    },
  },
  {
    name: 'an unpaired surrogate in a description',
    input: 'ledger/lone-surrogate-description.ndjson',
    expect: {
      exit: 3,
      message: ':2 description: expected text of at most 500 printable characters',
    },
  },
  {
    name: 'a spreadsheet formula as a description is kept, and neutralized in the CSV export',
    input: 'ledger/formula-description.ndjson',
    expect: { exit: 0, added: ['lformula'] },
    then: {
      args: ['ledger', 'export', '--format', 'csv'],
      stdout: `,manual,"'=HYPERLINK(""http://evil.example"",""invoice"")",`,
    },
  },
  {
    name: 'bytes that are not UTF-8',
    input: 'ledger/invalid-utf8.ndjson',
    expect: {
      exit: 3,
      message: /invalid-utf8\.ndjson:2: invalid UTF-8 at byte \d+ of the file \(0xE9\)/,
    },
  },
  {
    name: 'a UTF-16 file',
    input: 'ledger/utf16.ndjson',
    expect: { exit: 3, message: 'utf16.ndjson: the file is UTF-16LE' },
  },
  {
    name: 'a file cut short',
    input: 'ledger/truncated.ndjson',
    expect: { exit: 3, message: 'truncated.ndjson:2: not valid JSON' },
  },
  {
    name: 'a file of blank lines',
    input: 'ledger/empty.ndjson',
    expect: { exit: 3, message: 'empty.ndjson: the file is empty' },
  },
  {
    name: 'an unknown field',
    input: 'ledger/unknown-field.ndjson',
    expect: { exit: 3, message: ':2 amount: unknown field' },
  },
  {
    name: 'a misspelled entry field gets a did-you-mean',
    input: 'ledger/misspelled-field.ndjson',
    expect: { exit: 3, message: ':1 entries[0].debitt: unknown field (did you mean "debit"?)' },
  },
  {
    name: 'an entry with both debit and credit',
    input: 'ledger/both-debit-and-credit.ndjson',
    expect: { exit: 3, message: ':2 entries[0]: give exactly one of "debit" or "credit"' },
  },
  {
    name: 'one bad posting among good ones posts none of them',
    input: 'ledger/one-bad-line-among-good.ndjson',
    expect: {
      exit: 3,
      message:
        ':3 entries[0].currency: "usd" is not an ISO 4217 currency code (did you mean "USD"?)',
    },
  },
  {
    name: 'a metadata value that is not a string',
    input: 'ledger/metadata-non-string.ndjson',
    expect: { exit: 3, message: ':2 metadata.count: values must be strings' },
  },
  {
    name: 'no idempotency key',
    input: 'ledger/key-missing.ndjson',
    expect: { exit: 3, message: ':2 idempotencyKey: required' },
  },
  {
    name: 'entries that are not an array',
    input: 'ledger/entries-not-array.ndjson',
    expect: { exit: 3, message: ':2 entries: expected an array of entries' },
  },
  {
    name: 'text after the closing bracket',
    input: 'ledger/trailing-garbage.json',
    expect: { exit: 3, message: 'trailing-garbage.json:1: expected a JSON object' },
  },
  {
    name: 'a description of 10 MB',
    generated: {
      name: 'ten-megabytes.ndjson',
      bytes: () =>
        Buffer.from(
          `{"idempotencyKey":"lhuge","description":"${'d'.repeat(10 * 1024 * 1024)}","effectiveAt":"2026-11-23","entries":[{"account":"assets:bank:operating","currency":"USD","debit":"1.00"},{"account":"equity:opening","currency":"USD","credit":"1.00"}]}\n`,
        ),
    },
    expect: {
      exit: 3,
      message: ':1 description: expected text of at most 500 printable characters',
    },
  },
];

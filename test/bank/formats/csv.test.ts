import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvFormat, dayOf } from '../../../src/bank/formats/csv.js';
import {
  PAYOPS_BANK_CSV_MAPPING,
  loadBankCsvMapping,
} from '../../../src/bank/formats/csv-mapping.js';
import type { BankEntry, BankStatement, StatementPart } from '../../../src/bank/types.js';
import { InputError, UsageError } from '../../../src/errors.js';
import type { Currency } from '../../../src/money/index.js';
import { REPO_ROOT, tempDirPerTest } from '../../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures', 'bank');
const SHIPPED = path.join(FIXTURES, 'csv-mapping.json');
const work = tempDirPerTest('payops-bank-csv-');
const EUR = 'EUR' as Currency;

async function partsOf(file: string, mappingFile: string): Promise<StatementPart[]> {
  const parts: StatementPart[] = [];
  for await (const part of csvFormat.read(file, { mappingFile })) parts.push(part);
  return parts;
}

function put(name: string, content: string | object): string {
  const file = path.join(work.dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function refusal(
  csv: string,
  mapping: object | string = PAYOPS_BANK_CSV_MAPPING,
): Promise<string> {
  const mappingFile = typeof mapping === 'string' ? mapping : put('mapping.json', mapping);
  const error = await partsOf(put('bank.csv', csv), mappingFile).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message;
}

const HEADER =
  'row_type,account,booking_date,value_date,amount,balance,currency,bank_reference,end_to_end_id,remittance,counterparty,type_code\n';
const OPENING = 'opening_balance,ACC1,2026-11-23,,,100.00,EUR,,,,,\n';
const CLOSING = (balance: string) => `closing_balance,ACC1,2026-11-23,,,${balance},EUR,,,,,\n`;
const ENTRY = (amount: string, currency = 'EUR', date = '2026-11-23') =>
  `entry,ACC1,${date},,${amount},,${currency},R1,,,,\n`;

describe('mapped bank CSV: the shipped mapping and its fixture', () => {
  it('fixtures/bank/csv-mapping.json is the mapping the writer writes for', () => {
    expect(JSON.parse(fs.readFileSync(SHIPPED, 'utf8'))).toEqual(PAYOPS_BANK_CSV_MAPPING);
  });

  it('reads the opening row, the entries (a charge marked by its row type) and the closing row', async () => {
    const parts = await partsOf(path.join(FIXTURES, 'csv-statement.csv'), SHIPPED);
    expect(parts[0]).toEqual({
      kind: 'statement',
      header: {
        line: 2,
        statementId: 'DE89370400440532013000:2026-11-23',
        account: 'DE89370400440532013000',
        currency: EUR,
        opening: { amountMinor: 1_000_000n, date: '2026-11-23' },
      },
    });
    expect(parts[1]).toEqual({
      kind: 'entry',
      entry: {
        line: 3,
        direction: 'credit',
        amountMinor: 123_456n,
        currency: EUR,
        bookingDate: '2026-11-23',
        valueDate: '2026-11-23',
        accountServicerRef: '2026112300001',
        typeCode: 'PMNT/RCDT/ESCT',
        bankCharge: false,
        reversal: false,
        transactions: [
          {
            amountMinor: null,
            endToEndId: 'po_sim_20261123_EUR',
            remittance: 'PAYOUT po_sim_20261123_EUR',
            counterparty: 'Sim Payments Europe Ltd',
          },
        ],
      },
    } satisfies StatementPart);
    expect(parts[2]).toMatchObject({
      entry: {
        direction: 'debit',
        amountMinor: 10_000n,
        transactions: [{ remittance: 'Payout po_seller_0001, thank you' }],
      },
    });
    expect(parts[3]).toMatchObject({
      entry: {
        direction: 'debit',
        amountMinor: 250n,
        bankCharge: true,
        accountServicerRef: '2026112300003',
      },
    });
    expect(parts[4]).toEqual({
      kind: 'end',
      footer: { closing: { amountMinor: 1_113_206n, date: '2026-11-23' }, line: 6 },
      skipped: 0,
    });
  });

  it('a German export: semicolons, decimal commas, thousands dots, DD.MM.YYYY, S/H, two remittance columns, CRLF', async () => {
    const parts = await partsOf(
      path.join(FIXTURES, 'csv-de.csv'),
      path.join(FIXTURES, 'csv-de-mapping.json'),
    );
    expect(parts.map((part) => part.kind)).toEqual(['statement', 'entry', 'entry', 'entry', 'end']);
    expect(parts[0]).toMatchObject({
      header: {
        account: 'DE89370400440532013000',
        opening: { amountMinor: 1_000_000n, date: '2026-11-23' },
      },
    });
    expect(parts[1]).toMatchObject({
      entry: {
        direction: 'credit',
        amountMinor: 123_456n,
        typeCode: 'GUTSCHRIFT',
        transactions: [
          {
            remittance: 'PAYOUT po_sim_20261123_EUR SETTLEMENT 20.11.2026',
            endToEndId: 'po_sim_20261123_EUR',
          },
        ],
      },
    });
    expect(parts[3]).toMatchObject({
      entry: { direction: 'debit', amountMinor: 250n, bankCharge: true },
    });
    expect(parts[4]).toMatchObject({ footer: { closing: { amountMinor: 1_113_206n } } });
  });

  it('balances as mapping constants, a signed amount column, a fixed currency', async () => {
    const mapping = {
      delimiter: ',',
      currency: 'EUR',
      dateFormat: 'MM/DD/YYYY',
      columns: { bookingDate: 'date', amount: 'amount', accountServicerRef: 'ref' },
      statement: {
        account: 'ACC1',
        opening: { amount: '-5.00', date: '2026-11-23' },
        closing: { amount: '5.00', date: '2026-11-23' },
      },
    };
    const parts = await partsOf(
      put('plain.csv', 'date,amount,ref\n11/23/2026,+10.00,A1\n'),
      put('plain.json', mapping),
    );
    expect(parts).toEqual([
      {
        kind: 'statement',
        header: {
          line: 2,
          statementId: 'ACC1:2026-11-23',
          account: 'ACC1',
          currency: EUR,
          opening: { amountMinor: -500n, date: '2026-11-23' },
        },
      },
      {
        kind: 'entry',
        entry: expect.objectContaining({
          direction: 'credit',
          amountMinor: 1_000n,
          accountServicerRef: 'A1',
          transactions: [
            { amountMinor: null, endToEndId: null, remittance: null, counterparty: null },
          ],
        }),
      },
      {
        kind: 'end',
        footer: { closing: { amountMinor: 500n, date: '2026-11-23' }, line: 2 },
        skipped: 0,
      },
    ]);
  });

  it('dates in the mapping format only, and real days only', () => {
    expect(dayOf('23.11.2026', 'DD.MM.YYYY')).toBe('2026-11-23');
    expect(dayOf('2026/11/23', 'YYYY/MM/DD')).toBe('2026-11-23');
    expect(dayOf('31.02.2026', 'DD.MM.YYYY')).toBeUndefined();
    expect(dayOf('2026-11-23', 'DD.MM.YYYY')).toBeUndefined();
  });
});

describe('mapped bank CSV: the mapping file is checked (zod), each message naming the key', () => {
  const mappingRefusal = (mapping: object | string) => {
    const file = put('mapping.json', mapping);
    try {
      loadBankCsvMapping(file);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as InputError).message;
    }
    throw new Error('the mapping was accepted');
  };
  const base = PAYOPS_BANK_CSV_MAPPING;

  it('unknown keys, missing columns, bad separators, no balances, both or neither currency', () => {
    expect(mappingRefusal({ ...base, colums: {} })).toContain(
      'mapping.json: the mapping: unknown key "colums" (did you mean "columns"?); known keys: description, delimiter',
    );
    expect(mappingRefusal({ ...base, columns: { ...base.columns, amount: undefined } })).toContain(
      'columns.amount: is missing',
    );
    expect(mappingRefusal({ ...base, columns: { ...base.columns, bookingdate: 'x' } })).toContain(
      'columns: unknown key "bookingdate" (did you mean "bookingDate"?)',
    );
    expect(mappingRefusal({ ...base, decimalSeparator: ';' })).toContain('decimalSeparator:');
    expect(mappingRefusal({ ...base, dateFormat: 'DD.MM.YY' })).toContain(
      'dateFormat: must hold YYYY, MM and DD once each',
    );
    expect(mappingRefusal({ ...base, statement: {} })).toContain(
      'statement: the balances are missing',
    );
    expect(mappingRefusal({ ...base, currency: 'EUR' })).toContain(
      'currency: give either a fixed "currency" or a "columns.currency" column (exactly one)',
    );
    expect(mappingRefusal({ ...base, statement: { ...base.statement, account: 'X' } })).toContain(
      'statement.account: give either',
    );
    expect(mappingRefusal('{"delimiter": ')).toContain('not valid JSON');
  });

  it('a mapping file that does not exist is a usage error', () => {
    expect(() => loadBankCsvMapping(path.join(work.dir, 'nope.json'))).toThrow(UsageError);
  });
});

describe('mapped bank CSV: rows refused with FILE:LINE field: reason', () => {
  it('amounts, currencies, dates, directions', async () => {
    expect(await refusal(HEADER + OPENING + ENTRY('1.001') + CLOSING('101.00'))).toContain(
      'bank.csv:3 amount: "1.001" has more decimals than EUR allows (2)',
    );
    expect(await refusal(HEADER + OPENING + ENTRY('1.00', 'XYZ') + CLOSING('101.00'))).toContain(
      'bank.csv:3 currency: "XYZ" is not an ISO 4217 currency code',
    );
    expect(await refusal(HEADER + OPENING + ENTRY('0.00') + CLOSING('100.00'))).toContain(
      'bank.csv:3 amount: an entry of zero moves no money',
    );
    expect(
      await refusal(HEADER + OPENING + ENTRY('1.00', 'EUR', '23.11.2026') + CLOSING('101.00')),
    ).toContain(
      'bank.csv:3 booking_date: "23.11.2026" is not a date in the mapping\'s format YYYY-MM-DD',
    );
    const de = path.join(FIXTURES, 'csv-de-mapping.json');
    const deHeader =
      'Buchungstag;Valuta;Auftraggeber/Empfaenger;Buchungstext;Verwendungszweck 1;Verwendungszweck 2;End-to-End-Referenz;Bankreferenz;Waehrung;Betrag;S/H\n';
    const deRow = (amount: string, side: string) =>
      `23.11.2026;;;GUTSCHRIFT;;;;;EUR;${amount};${side}\n`;
    expect(
      await refusal(
        `${deHeader}23.11.2026;;;Anfangssaldo;;;;;EUR;0,00;H\n${deRow('1,00', 'X')}`,
        de,
      ),
    ).toContain('bank.csv:3 S/H: "X" is not a direction the mapping knows ("H", "S")');
    expect(
      await refusal(
        `${deHeader}23.11.2026;;;Anfangssaldo;;;;;EUR;0,00;H\n${deRow('1.00', 'H')}`,
        de,
      ),
    ).toContain('bank.csv:3 Betrag: "1.00" is not an amount: "." separates thousands');
  });

  it('the balance rows in their places, one account, a complete header and rows', async () => {
    expect(await refusal(HEADER + ENTRY('1.00') + CLOSING('1.00'))).toContain(
      'bank.csv:2 opening balance: no opening balance before the first entry',
    );
    expect(await refusal(HEADER + OPENING + ENTRY('1.00'))).toContain(
      'bank.csv:3 closing balance: the file has no closing balance row',
    );
    expect(await refusal(HEADER + OPENING + CLOSING('100.00') + ENTRY('1.00'))).toContain(
      'bank.csv:4 row_type: a row after the closing balance row (line 3)',
    );
    expect(
      await refusal(HEADER + OPENING + ENTRY('1.00').replace('ACC1', 'ACC2') + CLOSING('101.00')),
    ).toContain('bank.csv:3 account: "ACC2" is another account');
    expect(await refusal(HEADER.replace(',type_code', '') + OPENING)).toContain(
      'bank.csv:1 header: the mapping names columns the file does not have: "type_code"',
    );
    expect(await refusal(HEADER + OPENING.replace(',,,,,\n', ',,,,\n'))).toContain(
      'bank.csv:2 csv: the row has 11 fields, the header 12',
    );
    expect(await refusal('')).toContain('the file is empty');
  });
});

// ---- the writer ----

const SAFE = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,._/"-]{0,20}[A-Za-z0-9]$/);
const DAYS = fc
  .integer({ min: 0, max: 3650 })
  .map((offset) => new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10));

const entry = fc
  .record({
    direction: fc.constantFrom('credit' as const, 'debit' as const),
    amountMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    bookingDate: DAYS,
    valueDate: fc.option(DAYS, { nil: null }),
    accountServicerRef: fc.option(SAFE, { nil: null }),
    typeCode: fc.option(SAFE, { nil: null }),
    charge: fc.boolean(),
    endToEndId: fc.option(SAFE, { nil: null }),
    remittance: fc.option(SAFE, { nil: null }),
    counterparty: fc.option(SAFE, { nil: null }),
  })
  .map(
    ({ charge, endToEndId, remittance, counterparty, ...rest }): BankEntry => ({
      ...rest,
      line: 0,
      currency: EUR,
      reversal: false,
      bankCharge: charge && rest.direction === 'debit',
      transactions: [{ amountMinor: null, endToEndId, remittance, counterparty }],
    }),
  );

describe('mapped bank CSV writer (the simulated bank, with the shipped mapping)', () => {
  it('write → read gives the same statement (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 6 }),
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        DAYS,
        async (entries, openingMinor, day) => {
          const closingMinor = entries.reduce(
            (sum, one) => sum + (one.direction === 'credit' ? one.amountMinor : -one.amountMinor),
            openingMinor,
          );
          const statement: BankStatement = {
            header: {
              line: 0,
              statementId: `ACC9:${day}`,
              account: 'ACC9',
              currency: EUR,
              opening: { amountMinor: openingMinor, date: day },
            },
            entries,
            footer: { closing: { amountMinor: closingMinor, date: day }, line: 0 },
          };
          const parts = await partsOf(
            put('round.csv', csvFormat.write([statement], { createdAt: '2026-11-24T00:00:00Z' })),
            SHIPPED,
          );
          const read = parts.flatMap((part) =>
            part.kind === 'entry' ? [{ ...part.entry, line: 0 }] : [],
          );
          expect(read).toEqual(entries);
          expect(parts[0]).toMatchObject({ header: { ...statement.header, line: 2 } });
          expect(parts[parts.length - 1]).toMatchObject({
            footer: { closing: statement.footer.closing },
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a batched entry is one row whose remittance names every transaction', async () => {
    const batched: BankEntry = {
      line: 0,
      direction: 'debit',
      amountMinor: 300n,
      currency: EUR,
      bookingDate: '2026-11-23',
      valueDate: null,
      accountServicerRef: 'B1',
      typeCode: null,
      bankCharge: false,
      reversal: false,
      transactions: [
        { amountMinor: 100n, endToEndId: 'po_1', remittance: 'one', counterparty: null },
        { amountMinor: 200n, endToEndId: 'po_2', remittance: null, counterparty: null },
      ],
    };
    const written = csvFormat.write(
      [
        {
          header: {
            line: 0,
            statementId: 'S',
            account: 'ACC9',
            currency: EUR,
            opening: { amountMinor: 300n, date: '2026-11-23' },
          },
          entries: [batched],
          footer: { closing: { amountMinor: 0n, date: '2026-11-23' }, line: 0 },
        },
      ],
      { createdAt: '2026-11-24T00:00:00Z' },
    );
    expect(written.split('\n')[2]).toBe('entry,ACC9,2026-11-23,,-3.00,,EUR,B1,,po_1 one po_2,,');
  });
});

describe('bank CSV writer: hostile references (review)', () => {
  it('a line break or control character in a reference or a text is written as a space, never into a file its reader refuses', async () => {
    const one: BankStatement = {
      header: {
        line: 0,
        statementId: 'S',
        account: 'ACC1',
        currency: EUR,
        opening: { amountMinor: 0n, date: '2026-11-23' },
      },
      entries: [
        {
          line: 0,
          direction: 'credit',
          amountMinor: 100n,
          currency: EUR,
          bookingDate: '2026-11-23',
          valueDate: null,
          accountServicerRef: 'R\r\n1',
          typeCode: null,
          bankCharge: false,
          reversal: false,
          transactions: [
            {
              amountMinor: null,
              endToEndId: 'po\t1',
              remittance: 'line one\nline two',
              counterparty: 'A\u0000B',
            },
          ],
        },
      ],
      footer: { line: 0, closing: { amountMinor: 100n, date: '2026-11-23' } },
    };
    const file = put('written.csv', csvFormat.write([one], { createdAt: '2026-11-24T05:00:00Z' }));
    const entries = (await partsOf(file, SHIPPED)).flatMap((part) =>
      part.kind === 'entry' ? [part.entry] : [],
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.accountServicerRef).toBe('R  1');
    expect(entries[0]?.transactions[0]).toEqual({
      amountMinor: null,
      endToEndId: 'po 1',
      remittance: 'line one line two',
      counterparty: 'A B',
    });
  });
});

describe('bank CSV mapping: hostile mappings (review)', () => {
  it('one column named for two fields is refused (the amount read as the bank reference made equal amounts duplicates)', async () => {
    const columns = { ...PAYOPS_BANK_CSV_MAPPING.columns, accountServicerRef: 'amount' };
    const message = await refusal(`${HEADER}${OPENING}${ENTRY('1.00')}${CLOSING('101.00')}`, {
      ...PAYOPS_BANK_CSV_MAPPING,
      columns,
    });
    expect(message).toContain(
      'columns.accountServicerRef: the column "amount" is already named for columns.amount',
    );
    const twice = { ...PAYOPS_BANK_CSV_MAPPING.columns, remittance: ['remittance', 'remittance'] };
    expect(
      await refusal(`${HEADER}${OPENING}${CLOSING('100.00')}`, {
        ...PAYOPS_BANK_CSV_MAPPING,
        columns: twice,
      }),
    ).toContain(
      'columns.remittance.1: the column "remittance" is already named for columns.remittance.0',
    );
  });
});

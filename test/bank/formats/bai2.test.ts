import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bai2Format } from '../../../src/bank/formats/bai2.js';
import { openStatement, writeStatements } from '../../../src/bank/formats/index.js';
import type { BankEntry, BankStatement } from '../../../src/bank/types.js';
import { InputError } from '../../../src/errors.js';
import { type Currency, toCurrency } from '../../../src/money/index.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { readStatements } from '../statements.js';
import { bankCases } from '../../corpus/bank.cases.js';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'bank');
const CORPUS = path.join(__dirname, '..', '..', 'corpus');
const USD = toCurrency('USD');
const temp = tempDirPerTest('payops-bai2-');

async function readAll(file: string, format?: 'bai2'): Promise<BankStatement[]> {
  const read = await readStatements(file, format);
  expect(read.format).toBe('bai2');
  return read.statements;
}

function write(name: string, lines: readonly string[]): string {
  const file = path.join(temp.dir, name);
  fs.writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}

const tx = (endToEndId: string | null, remittance: string | null) => [
  { amountMinor: null, endToEndId, remittance, counterparty: null },
];
const entry = (
  fields: Partial<BankEntry> & Pick<BankEntry, 'line' | 'direction' | 'amountMinor' | 'typeCode'>,
): BankEntry => ({
  currency: USD,
  bookingDate: '2026-11-23',
  valueDate: null,
  accountServicerRef: null,
  bankCharge: false,
  reversal: false,
  transactions: tx(null, null),
  ...fields,
});

/** A one-account file around `records` (03 … 16s), its trailers computed as a bank would. */
function oneAccount(records: readonly string[], totalMinor: bigint): string[] {
  return [
    '01,BANK,PAYOPS,261123,0600,7,,,2/',
    '02,PAYOPS,BANK,1,261123,2359,USD,2/',
    ...records,
    `49,${totalMinor},${records.length + 1}/`,
    `98,${totalMinor},1,${records.length + 3}/`,
    `99,${totalMinor},1,${records.length + 5}/`,
  ];
}

describe('BAI2 reader', () => {
  it('reads fixtures/bank/bai2.txt: two accounts, 88 continuations of an 03 and a 16, V/S/D funds types, a fee', async () => {
    expect(await readAll(path.join(FIXTURES, 'bai2.txt'))).toEqual([
      {
        header: {
          line: 3,
          statementId: '121000358/1123/0011223344',
          account: '0011223344',
          currency: USD,
          opening: { amountMinor: 500000n, date: '2026-11-23' },
        },
        entries: [
          entry({
            line: 5,
            direction: 'credit',
            amountMinor: 150000n,
            typeCode: '195',
            accountServicerRef: 'BNK901',
            transactions: tx('PO-SIM-20261122-USD', 'PAYOUT SIM PSP BATCH po_sim_20261122_USD'),
          }),
          entry({
            line: 7,
            direction: 'debit',
            amountMinor: 36000n,
            typeCode: '495',
            valueDate: '2026-11-24',
            accountServicerRef: 'BNK902',
            transactions: tx('po_0042', 'SELLER PAYOUT, WEEKLY'),
          }),
          entry({
            line: 8,
            direction: 'debit',
            amountMinor: 1450n,
            typeCode: '698',
            bankCharge: true,
            accountServicerRef: 'BNK903',
            transactions: tx(null, 'MONTHLY SERVICE FEE'),
          }),
        ],
        footer: { closing: { amountMinor: 612550n, date: '2026-11-23' }, line: 3 },
      },
      {
        header: {
          line: 10,
          statementId: '121000358/1123/5566778899',
          account: '5566778899',
          currency: USD,
          opening: { amountMinor: -20000n, date: '2026-11-23' },
        },
        entries: [
          entry({
            line: 11,
            direction: 'credit',
            amountMinor: 100000n,
            typeCode: '165',
            accountServicerRef: 'BNK911',
            transactions: tx(null, 'ACH CREDIT'),
          }),
          entry({
            line: 12,
            direction: 'debit',
            amountMinor: 5000n,
            typeCode: '475',
            accountServicerRef: 'BNK912',
            transactions: tx('CHK1001', 'CHECK PAID'),
          }),
        ],
        footer: { closing: { amountMinor: 75000n, date: '2026-11-23' }, line: 10 },
      },
    ]);
  });

  it('refuses a wrong control total or record count at every trailer, with both numbers', async () => {
    const good = fs.readFileSync(path.join(FIXTURES, 'bai2.txt'), 'utf8');
    const cases: [string, string, string][] = [
      [
        '49,2412550,7/',
        '49,2412550,8/',
        ':9 49 record count: the trailer says 8 records but account 0011223344 has 7 (03 to 49, 88s included)',
      ],
      [
        '49,160000,4/',
        '49,-160000,4/',
        ':13 49 account control total: the trailer says -160000 but the 03 and 16 amounts of account 5566778899 add up to 160000',
      ],
      [
        '98,2572550,2,13/',
        '98,2572550,3,13/',
        ':14 98 number of accounts: the trailer says 3 accounts but the group has 2',
      ],
      [
        '98,2572550,2,13/',
        '98,2572550,2,12/',
        ':14 98 record count: the trailer says 12 records but the group has 13 (02 to 98, 88s included)',
      ],
      [
        '99,2572550,1,15/',
        '99,2572550,2,15/',
        ':15 99 number of groups: the trailer says 2 groups but the file has 1',
      ],
    ];
    for (const [from, to, message] of cases) {
      const file = path.join(temp.dir, 'bad.txt');
      fs.writeFileSync(file, good.replace(from, to));
      await expect(readAll(file), message).rejects.toThrow(`${file}${message}`);
    }
  });

  it('refuses every BAI2 case of the bank corpus with its message', async () => {
    const cases = bankCases.filter((bankCase) => bankCase.input.startsWith('bank/bai2'));
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const bankCase of cases) {
      expect(bankCase.expect.exit).toBe(3);
      const error = await readAll(path.join(CORPUS, bankCase.input)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, bankCase.name).toBeInstanceOf(InputError);
      expect((error as InputError).message, bankCase.name).toContain(bankCase.expect.message);
    }
  });

  it('refuses what is not BAI2, by FILE:LINE and field', async () => {
    const cases: [string[], string][] = [
      [
        oneAccount(['03,1,,010,100,,,015,100,,/', '16,799,5,Z,,,/'], 210n),
        ':4 16 type code: "799" is neither a credit (100-399) nor a debit (400-699) detail type code',
      ],
      [
        oneAccount(['03,1,,010,100,,,015,100,,/', '16,195,5.00,Z,,,/'], 205n),
        ':4 16 amount: "5.00" is not an amount in minor units',
      ],
      [
        oneAccount(['03,1,,010,100,,,015,100,,/', '16,195,5,X,,,/'], 205n),
        ':4 funds type: "X" is not one of Z, 0, 1, 2, V, S, D',
      ],
      [
        oneAccount(['03,1,,015,100,,/'], 100n),
        ':3 03 opening ledger: account 1 has no 010 opening ledger balance',
      ],
      [
        oneAccount(['03,1,,010,100,,/'], 100n),
        ':3 03 closing ledger: account 1 has no 015 closing ledger balance',
      ],
      [
        ['02,PAYOPS,BANK,1,261123,2359,USD,2/'],
        ':1 record: the file does not start with a 01 file header record',
      ],
      [['01,BANK,PAYOPS,261123,0600,7,,,1/'], ':1 01 version: "1" is not 2'],
      [
        ['01,BANK,PAYOPS,261123,0600,7,,,2/', '02,PAYOPS,BANK,4,261123,2359,USD,2/'],
        ':2 02 group status: a test-only group (status 4) is not a statement to import',
      ],
      [['88,more/'], ':1 88 continuation: continues no record'],
      [['01,BANK,PAYOPS,261123,0600,7,,,2/', '77,x/'], ':2 record code: "77" is not a BAI2 record'],
      [
        [...oneAccount(['03,1,,010,100,,,015,100,,/'], 200n), '16,195,1,Z,,,/'],
        ':7 record: a record after the 99 file trailer',
      ],
      [
        [
          '01,BANK,PAYOPS,261123,0600,7,,,2/',
          '02,PAYOPS,BANK,1,261123,2359,USD,2/',
          '03,1,,010,100,,,015,100,,/',
        ],
        ':3 99 file trailer: the file ends inside account 1 (no 49 account trailer) without its 99 file trailer',
      ],
    ];
    for (const [lines, message] of cases) {
      const file = write('bad.txt', lines);
      await expect(readAll(file, 'bai2'), message).rejects.toThrow(`${file}${message}`);
    }
  });

  it('passes the sum check too: trailers that agree with amounts that do not add up are still refused', async () => {
    const file = write(
      'sums.txt',
      oneAccount(['03,1,,010,100,,,015,150,,/', '16,195,40,Z,,,/'], 290n),
    );
    await expect(readAll(file)).rejects.toThrow(
      'statement BANK/7/1 does not add up: opening 1.00 + credits 0.40 - debits 0.00 = 1.40 USD, but the closing balance is 1.50',
    );
  });

  it('reads a 16 without text, text ending at the line end, and an 03 whose summaries continue in an 88', async () => {
    const file = write(
      'shapes.txt',
      oneAccount(
        [
          '03,1,EUR,010,100,,/',
          '88,015,105,2,Z,100,,,/',
          '16,165,2,Z/',
          '16,175,3,Z,B2,C2,a, text / with slash',
        ],
        210n,
      ),
    );
    const [statement] = await readAll(file);
    expect(statement?.header.currency).toBe('EUR');
    expect(statement?.entries.map((e) => [e.accountServicerRef, e.transactions])).toEqual([
      [null, tx(null, null)],
      ['B2', tx('C2', 'a, text / with slash')],
    ]);
  });

  it('is detected from its 01 record only', () => {
    expect(bai2Format.recognizes(fs.readFileSync(path.join(FIXTURES, 'bai2.txt'), 'utf8'))).toBe(
      true,
    );
    expect(bai2Format.recognizes(fs.readFileSync(path.join(FIXTURES, 'mt940.sta'), 'utf8'))).toBe(
      false,
    );
    expect(bai2Format.recognizes('01,a,b,c\n')).toBe(false);
  });

  it('streams 100,000 entries (generated, never held whole)', async () => {
    const file = path.join(temp.dir, 'big.txt');
    const out = fs.openSync(file, 'w');
    fs.writeSync(
      out,
      '01,BANK,PAYOPS,261123,0600,7,,,2/\n02,PAYOPS,BANK,1,261123,2359,USD,2/\n03,1,,010,0,,,015,10000000,,/\n',
    );
    for (let start = 0; start < 100_000; start += 1000) {
      let chunk = '';
      for (let i = start; i < start + 1000; i++)
        chunk += `16,195,100,Z,B${i},C${i},ENTRY ${i}/\n88,more text/\n`;
      fs.writeSync(out, chunk);
    }
    const records = 200_000 + 2;
    fs.writeSync(
      out,
      `49,20000000,${records}/\n98,20000000,1,${records + 2}/\n99,20000000,1,${records + 4}/\n`,
    );
    fs.closeSync(out);
    let entries = 0;
    for await (const part of (await openStatement(file)).parts())
      if (part.kind === 'entry') entries++;
    expect(entries).toBe(100_000);
  });
});

describe('BAI2 writer', () => {
  const statement = (
    account: string,
    openingMinor: bigint,
    entries: BankEntry[],
  ): BankStatement => ({
    header: {
      line: 0,
      statementId: `x/${account}`,
      account,
      currency: USD,
      opening: { amountMinor: openingMinor, date: '2026-11-23' },
    },
    entries,
    footer: {
      closing: {
        amountMinor: entries.reduce(
          (sum, e) => (e.direction === 'credit' ? sum + e.amountMinor : sum - e.amountMinor),
          openingMinor,
        ),
        date: '2026-11-23',
      },
      line: 0,
    },
  });

  it('writes correct control totals and record counts, 88s for long text, fees as 698', () => {
    const text = writeStatements(
      'bai2',
      [
        statement('111', -500n, [
          entry({
            line: 0,
            direction: 'credit',
            amountMinor: 2500n,
            typeCode: null,
            accountServicerRef: 'B,1',
            transactions: tx('po_1', `${'word '.repeat(20)}end`),
          }),
        ]),
        statement('222', 0n, [
          entry({
            line: 0,
            direction: 'debit',
            amountMinor: 300n,
            typeCode: 'NCHG',
            bankCharge: true,
          }),
        ]),
      ],
      { createdAt: '2026-11-24T06:05:00.000Z' },
    );
    expect(text.split('\n')).toEqual([
      '01,PAYOPSBANK,PAYOPS,261124,0605,2611240605,,,2/',
      '02,PAYOPS,PAYOPSBANK,1,261123,0000,USD,/',
      '03,111,USD,010,-500,,,015,2000,,/',
      '16,195,2500,Z,B.1,po_1,word word word word word word word word word word word word/',
      '88,word word word word word word word word end/',
      '49,4000,4/',
      '03,222,USD,010,0,,,015,-300,,/',
      '16,698,300,Z,,,/',
      '49,0,3/',
      '98,4000,2,9/',
      '99,4000,1,11/',
      '',
    ]);
  });

  it('round trip: what it writes reads back the same (property)', async () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
    const reference = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    const codes = {
      credit: ['195', '165', '142', '275'],
      debit: ['495', '475', '698', '661', '699', '555'],
    } as const;
    const arbitraryEntry = (currency: Currency, date: string) =>
      fc
        .record({
          direction: fc.constantFrom('credit' as const, 'debit' as const),
          pick: fc.nat(),
          amountMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
          accountServicerRef: fc.option(reference, { nil: null }),
          endToEndId: fc.option(reference, { nil: null }),
          remittance: fc.option(
            fc.array(word, { minLength: 1, maxLength: 30 }).map((words) => words.join(' ')),
            { nil: null },
          ),
        })
        .map(
          ({
            direction,
            pick,
            amountMinor,
            accountServicerRef,
            endToEndId,
            remittance,
          }): BankEntry => {
            const typeCode = codes[direction][pick % codes[direction].length] as string;
            return {
              line: 0,
              direction,
              amountMinor,
              currency,
              bookingDate: date,
              valueDate: null,
              accountServicerRef,
              typeCode,
              bankCharge: ['661', '698'].includes(typeCode),
              reversal: false,
              transactions: tx(endToEndId, remittance),
            };
          },
        );
    const arbitraryStatement = fc
      .record({
        currency: fc.constantFrom(USD, toCurrency('EUR'), toCurrency('JPY')),
        date: fc.constantFrom('2026-11-23', '2026-11-24', '2079-12-31', '1980-01-01'),
        account: fc.stringMatching(/^[0-9]{4,17}$/),
        opening: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      })
      .chain(({ currency, date, account, opening }) =>
        fc.array(arbitraryEntry(currency, date), { maxLength: 8 }).map((entries): BankStatement => {
          const closing = entries.reduce(
            (sum, e) => (e.direction === 'credit' ? sum + e.amountMinor : sum - e.amountMinor),
            opening,
          );
          return {
            header: {
              line: 0,
              statementId: `BANK1/42/${account}`,
              account,
              currency,
              opening: { amountMinor: opening, date },
            },
            entries,
            footer: { closing: { amountMinor: closing, date }, line: 0 },
          };
        }),
      );
    const withoutLines = (statements: BankStatement[]) =>
      statements.map(({ header, entries, footer }) => ({
        header: { ...header, line: 0 },
        entries: entries.map((e) => ({ ...e, line: 0 })),
        footer: { ...footer, line: 0 },
      }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbitraryStatement, { minLength: 1, maxLength: 4 }),
        async (statements) => {
          const file = path.join(temp.dir, 'round-trip.txt');
          fs.writeFileSync(
            file,
            writeStatements('bai2', statements, { createdAt: '2026-11-24T06:00:00.000Z' }),
          );
          expect(withoutLines(await readAll(file))).toEqual(withoutLines(statements));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('BAI2: hostile files (review)', () => {
  it('an 03 giving the opening (010) twice is refused, never the last one silently kept (totals adjusted to agree)', async () => {
    const file = path.join(CORPUS, 'bank', 'bai2-opening-twice.txt');
    const error = await readAll(file).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(
      'bai2-opening-twice.txt:3 03 010: type code 010 given twice in the 03 of account 0011223344',
    );
  });
});

describe('BAI2 writer: hostile references (review)', () => {
  it('a line break in a reference never breaks the record: written as ".", read back as written', async () => {
    const one: BankStatement = {
      header: {
        line: 0,
        statementId: 'S',
        account: '0011223344',
        currency: USD,
        opening: { amountMinor: 0n, date: '2026-11-23' },
      },
      entries: [
        entry({
          line: 0,
          direction: 'credit',
          amountMinor: 100n,
          typeCode: '195',
          accountServicerRef: 'B\n88,x',
          transactions: tx('E\r\n1', 'text'),
        }),
      ],
      footer: { line: 0, closing: { amountMinor: 100n, date: '2026-11-23' } },
    };
    const file = write(
      'written.txt',
      writeStatements('bai2', [one], { createdAt: '2026-11-24T05:00:00.000Z' })
        .trimEnd()
        .split('\n'),
    );
    const [read] = await readAll(file);
    expect(read?.entries[0]?.accountServicerRef).toBe('B.88.x');
    expect(read?.entries[0]?.transactions[0]?.endToEndId).toBe('E..1');
  });
});

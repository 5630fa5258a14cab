import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStatement, writeStatements } from '../../../src/bank/formats/index.js';
import { mt940Format } from '../../../src/bank/formats/mt940.js';
import type { BankEntry, BankStatement } from '../../../src/bank/types.js';
import { InputError } from '../../../src/errors.js';
import { type Currency, toCurrency } from '../../../src/money/index.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { readStatements } from '../statements.js';
import { bankCases } from '../../corpus/bank.cases.js';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'bank');
const CORPUS = path.join(__dirname, '..', '..', 'corpus');
const EUR = toCurrency('EUR');
const USD = toCurrency('USD');
const temp = tempDirPerTest('payops-mt940-');

async function readAll(file: string, format?: 'mt940'): Promise<BankStatement[]> {
  const read = await readStatements(file, format);
  expect(read.format).toBe('mt940');
  return read.statements;
}

function write(name: string, lines: readonly string[]): string {
  const file = path.join(temp.dir, name);
  fs.writeFileSync(file, lines.map((line) => `${line}\r\n`).join(''));
  return file;
}

const entry = (
  fields: Partial<BankEntry> &
    Pick<BankEntry, 'line' | 'direction' | 'amountMinor' | 'bookingDate'>,
  currency: Currency = EUR,
): BankEntry => ({
  currency,
  valueDate: fields.bookingDate,
  accountServicerRef: null,
  typeCode: 'NTRF',
  bankCharge: false,
  reversal: false,
  transactions: [{ amountMinor: null, endToEndId: null, remittance: null, counterparty: null }],
  ...fields,
});
const tx = (
  endToEndId: string | null,
  remittance: string | null,
  counterparty: string | null = null,
) => [{ amountMinor: null, endToEndId, remittance, counterparty }];

describe('MT940 reader', () => {
  it('reads fixtures/bank/mt940.sta: two statements, RC and RD, multi-line and structured :86:, NONREF, an entry date across the year end', async () => {
    const statements = await readAll(path.join(FIXTURES, 'mt940.sta'));
    expect(statements).toEqual([
      {
        header: {
          line: 5,
          statementId: 'STMT261231/00360/001',
          account: 'DE89370400440532013000',
          currency: EUR,
          opening: { amountMinor: 1000000n, date: '2026-12-31' },
        },
        entries: [
          entry({
            line: 6,
            direction: 'credit',
            amountMinor: 125000n,
            bookingDate: '2026-12-31',
            accountServicerRef: 'BNK0001',
            transactions: tx(
              'PO.SIM.20261229',
              'Payout sim 2026-12-29 EREF+po.sim.20261229.EUR from SIM PSP',
            ),
          }),
          // Value date 2027-01-02, entry date 1231: booked on the last day of 2026.
          entry({
            line: 9,
            direction: 'debit',
            amountMinor: 30000n,
            bookingDate: '2026-12-31',
            valueDate: '2027-01-02',
            accountServicerRef: 'BNK0002',
            transactions: tx('payout.sel.42', 'Seller payout'),
          }),
          entry({
            line: 12,
            direction: 'debit',
            amountMinor: 5000n,
            bookingDate: '2026-12-31',
            accountServicerRef: 'BNK0003',
            reversal: true,
            transactions: tx(null, 'Reversal of credit 2026-12-28'),
          }),
          entry({
            line: 14,
            direction: 'credit',
            amountMinor: 2000n,
            bookingDate: '2026-12-31',
            accountServicerRef: 'BNK0004',
            reversal: true,
            transactions: tx(null, 'Reversal of debit'),
          }),
          entry({
            line: 16,
            direction: 'debit',
            amountMinor: 250n,
            bookingDate: '2026-12-31',
            accountServicerRef: 'BNK0005',
            typeCode: 'NCHG',
            bankCharge: true,
            transactions: tx(null, 'Account fee'),
          }),
        ],
        footer: { closing: { amountMinor: 1091750n, date: '2026-12-31' }, line: 18 },
      },
      {
        header: {
          line: 25,
          statementId: 'STMT270102/00001/001',
          account: 'NL91ABNA0417164300',
          currency: USD,
          opening: { amountMinor: -50000n, date: '2027-01-02' },
        },
        entries: [
          entry(
            {
              line: 26,
              direction: 'credit',
              amountMinor: 100000n,
              bookingDate: '2027-01-02',
              accountServicerRef: 'BNK0101',
              typeCode: 'FTRF',
              transactions: tx(
                'PO-SIM-20270102',
                'EREF+PO.SIM.20270102.USD Payout of 2027-01-02',
                'SIM PSP LTD',
              ),
            },
            USD,
          ),
          entry(
            {
              line: 29,
              direction: 'debit',
              amountMinor: 10000n,
              bookingDate: '2027-01-02',
              typeCode: 'NDDT',
              transactions: tx(null, 'SUPPLEMENTARY TEXT'),
            },
            USD,
          ),
        ],
        footer: { closing: { amountMinor: 40000n, date: '2027-01-02' }, line: 31 },
      },
    ]);
  });

  it('reads a statement in :60M:/:62M: pages as one statement part per page, each adding up', async () => {
    const statements = await readAll(path.join(FIXTURES, 'mt940-paginated.sta'));
    const GBP = toCurrency('GBP');
    expect(statements).toEqual([
      {
        header: {
          line: 4,
          statementId: 'PAGED/00042/001',
          account: 'GB33BUKB20201555555555',
          currency: GBP,
          opening: { amountMinor: 10000n, date: '2026-12-01' },
        },
        entries: [
          entry(
            {
              line: 5,
              direction: 'credit',
              amountMinor: 5000n,
              bookingDate: '2026-12-01',
              accountServicerRef: 'B1',
              transactions: tx('REF1', null),
            },
            GBP,
          ),
        ],
        footer: { closing: { amountMinor: 15000n, date: '2026-12-01' }, line: 6 },
      },
      {
        // :60M: carries on the same day: no +1 as for :60F:.
        header: {
          line: 11,
          statementId: 'PAGED/00042/002',
          account: 'GB33BUKB20201555555555',
          currency: GBP,
          opening: { amountMinor: 15000n, date: '2026-12-01' },
        },
        entries: [
          entry(
            {
              line: 12,
              direction: 'debit',
              amountMinor: 2500n,
              bookingDate: '2026-12-01',
              accountServicerRef: 'B2',
              transactions: tx('REF2', null),
            },
            GBP,
          ),
        ],
        footer: { closing: { amountMinor: 12500n, date: '2026-12-01' }, line: 13 },
      },
    ]);
  });

  it('reads RD (reversal of a debit) as a CREDIT and RC as a debit, both marked reversal (a popular package gets RD wrong)', async () => {
    const file = write('rd.sta', [
      ':20:RD',
      ':25:DE89370400440532013000',
      ':28C:1',
      ':60F:C261130EUR100,00',
      ':61:261201RD40,00NTRFNONREF//R1',
      ':61:261201RC15,00NTRFNONREF//R2',
      ':62F:C261201EUR125,00',
      '-',
    ]);
    const [statement] = await readAll(file);
    expect(
      statement?.entries.map(({ direction, reversal, amountMinor }) => ({
        direction,
        reversal,
        amountMinor,
      })),
    ).toEqual([
      { direction: 'credit', reversal: true, amountMinor: 4000n },
      { direction: 'debit', reversal: true, amountMinor: 1500n },
    ]);
  });

  it('reads a funds code letter, an entry date before a January value date, a bare amount "100," and a /currency-suffixed account', async () => {
    const file = write('funds.sta', [
      ':20:F',
      ':25:37040044/0532013000/EUR',
      ':28C:7/2',
      ':60F:C261231EUR0,',
      ':61:2701021231CR100,NTRFABC',
      ':62F:C270102EUR100,00',
      '-',
    ]);
    const [statement] = await readAll(file);
    expect(statement?.header.account).toBe('37040044/0532013000');
    expect(statement?.header.statementId).toBe('F/7/2');
    expect(statement?.entries[0]).toMatchObject({
      direction: 'credit',
      amountMinor: 10000n,
      bookingDate: '2026-12-31',
      valueDate: '2027-01-02',
      accountServicerRef: null,
      transactions: tx('ABC', null),
    });
  });

  it('refuses a statement without its :62F: (missing :62F: closing balance), also at the end of the file', async () => {
    const file = write('no-62f.sta', [
      ':20:X',
      ':25:DE89370400440532013000',
      ':28C:1',
      ':60F:C261130EUR100,00',
      ':61:261201C1,00NTRFNONREF',
    ]);
    await expect(readAll(file)).rejects.toThrow(
      `${file}:5 closing balance: missing :62F: closing balance: statement X/1 ends here without one`,
    );
    await expect(readAll(file)).rejects.toBeInstanceOf(InputError);
  });

  it('refuses what is not MT940, by FILE:LINE and field', async () => {
    const cases: [string[], string][] = [
      [
        [
          ':20:X',
          ':25:A',
          ':60F:C261130EUR100,00',
          ':61:261201X1,00NTRFNONREF',
          ':62F:C261130EUR100,00',
        ],
        ':4 :61: "261201X1,00NTRFNONREF" is not a statement line',
      ],
      [
        [
          ':20:X',
          ':25:A',
          ':60F:C261130EUR100,00',
          ':61:261301C1,00NTRFNONREF',
          ':62F:C261130EUR100,00',
        ],
        ':4 :61: value date: "261301" is not a date YYMMDD',
      ],
      [
        [
          ':20:X',
          ':25:A',
          ':60F:C261130EUR100,00',
          ':61:2612011301C1,00NTRFNONREF',
          ':62F:C261130EUR100,00',
        ],
        ':4 :61: entry date: "1301" is not a day MMDD',
      ],
      [
        [':20:X', ':25:A', ':60F:C261130EUR100,001', ':62F:C261130EUR100,00'],
        ':3 :60F: amount: "100.001" has more decimals than EUR allows (2)',
      ],
      [
        [':20:X', ':25:A', ':60F:C261130XYZ100,00', ':62F:C261130EUR100,00'],
        ':3 :60F: currency: "XYZ" is not an ISO 4217 currency code',
      ],
      [
        [':20:X', ':60F:C261130EUR100,00', ':62F:C261130EUR100,00'],
        ':2 :60F: statement X has no :25: account before its opening balance',
      ],
      [
        [':20:X', ':25:A', ':61:261201C1,00NTRFNONREF'],
        ':3 :61: statement X has no :60F: opening balance before this field',
      ],
      [
        [':20:X', ':25:A', ':60F:C261130EUR100,00', ':62F:C261130USD100,00'],
        ':4 :62F: the closing balance is in USD, the statement in EUR',
      ],
      [
        [
          ':20:X',
          ':25:A',
          ':60F:C261130EUR100,00',
          ':61:261201C0,00NTRFNONREF',
          ':62F:C261130EUR100,00',
        ],
        ':4 :61: amount: must be greater than zero',
      ],
      [['stray text', ':20:X'], ':1 line: "stray text" is outside any field'],
      [[':20:X', ':25:A', '-'], ':3 opening balance: statement X has no :60F: opening balance'],
    ];
    for (const [lines, message] of cases) {
      const file = write('bad.sta', lines);
      await expect(readAll(file, 'mt940'), message).rejects.toThrow(`${file}${message}`);
    }
  });

  it('refuses every MT940 case of the bank corpus with its message', async () => {
    const cases = bankCases.filter((bankCase) => bankCase.input.endsWith('.sta'));
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const bankCase of cases) {
      expect(bankCase.expect.exit).toBe(3);
      const error = await readAll(path.join(CORPUS, bankCase.input)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, bankCase.name).toBeInstanceOf(InputError);
      expect((error as InputError).message, bankCase.name).toContain(bankCase.expect.message);
      expect((error as InputError).exitCode).toBe(3);
    }
  });

  it('is detected with or without the SWIFT envelope, and only from content', () => {
    expect(mt940Format.recognizes(fs.readFileSync(path.join(FIXTURES, 'mt940.sta'), 'utf8'))).toBe(
      true,
    );
    expect(
      mt940Format.recognizes(fs.readFileSync(path.join(FIXTURES, 'mt940-paginated.sta'), 'utf8')),
    ).toBe(true);
    expect(mt940Format.recognizes(fs.readFileSync(path.join(FIXTURES, 'bai2.txt'), 'utf8'))).toBe(
      false,
    );
    expect(mt940Format.recognizes(':20:just a tag\n')).toBe(false);
  });

  it('streams 100,000 entries (generated, never held whole)', async () => {
    const file = path.join(temp.dir, 'big.sta');
    const out = fs.openSync(file, 'w');
    fs.writeSync(out, ':20:BIG\r\n:25:DE89370400440532013000\r\n:28C:1\r\n:60F:C261130EUR0,\r\n');
    for (let start = 0; start < 100_000; start += 1000) {
      let chunk = '';
      for (let i = start; i < start + 1000; i++)
        chunk += `:61:2612011201C1,00NTRFREF${i}//B${i}\r\n:86:entry ${i}\r\n`;
      fs.writeSync(out, chunk);
    }
    fs.writeSync(out, ':62F:C261201EUR100000,00\r\n-\r\n');
    fs.closeSync(out);
    let entries = 0;
    for await (const part of (await openStatement(file)).parts())
      if (part.kind === 'entry') entries++;
    expect(entries).toBe(100_000);
  });
});

describe('MT940 writer', () => {
  const statement: BankStatement = {
    header: {
      line: 1,
      statementId: 'stmt_1/00001/001',
      account: 'DE89370400440532013000',
      currency: EUR,
      opening: { amountMinor: -500n, date: '2027-01-01' },
    },
    entries: [
      entry({
        line: 1,
        direction: 'credit',
        amountMinor: 123456n,
        bookingDate: '2027-01-01',
        accountServicerRef: 'bank_ref_0000000000001',
        transactions: tx('po_sim_20270101_EUR', `payout ${'word '.repeat(30)}end`),
      }),
      entry({
        line: 1,
        direction: 'debit',
        amountMinor: 100n,
        bookingDate: '2027-01-01',
        bankCharge: true,
        typeCode: null,
        reversal: false,
      }),
    ],
    footer: { closing: { amountMinor: 122856n, date: '2027-01-01' }, line: 1 },
  };

  it('writes SWIFT X characters only, decimal commas, :86: lines of at most 65 characters', () => {
    const text = writeStatements('mt940', [statement], { createdAt: '2027-01-02T06:00:00.000Z' });
    const lines = text.split('\r\n');
    expect(lines.slice(1, 6)).toEqual([
      ':20:stmt.1',
      ':25:DE89370400440532013000',
      ':28C:00001/001',
      ':60F:D261231EUR5,00',
      ':61:2701010101C1234,56NTRFNONREF//ef.0000000000001',
    ]);
    expect(lines).toContain(':61:2701010101D1,00NCHGNONREF');
    expect(lines).toContain(':62F:C270101EUR1228,56');
    expect(text).not.toContain('_');
    const information = lines.slice(
      lines.findIndex((line) => line.startsWith(':86:')),
      lines.findIndex((line) => line.startsWith(':61:2701010101D')),
    );
    expect(information.length).toBeGreaterThan(1);
    for (const line of information) expect(line.length).toBeLessThanOrEqual(65);
    expect(information[0]).toMatch(/^:86:EREF\+po\.sim\.20270101\.EUR payout word/);
  });

  it('writes a file its reader reads back: an endToEndId too long for the customer reference travels as EREF+ in :86:', async () => {
    const file = path.join(temp.dir, 'written.sta');
    fs.writeFileSync(
      file,
      writeStatements('mt940', [statement], { createdAt: '2027-01-02T06:00:00.000Z' }),
    );
    const [read] = await readAll(file);
    expect(read?.entries[0]?.transactions[0]?.endToEndId).toBe('po.sim.20270101.EUR');
    expect(read?.entries[1]).toMatchObject({
      direction: 'debit',
      typeCode: 'NCHG',
      bankCharge: true,
    });
  });

  it('round trip: what it writes reads back the same (property)', async () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
    const reference = fc
      .stringMatching(/^[A-Z0-9][A-Za-z0-9.-]{0,15}$/)
      .filter((text) => text !== 'NONREF');
    const day = fc
      .integer({ min: Date.UTC(2000, 1, 1), max: Date.UTC(2079, 9, 30) })
      .map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
    const arbitraryEntry = (currency: Currency, date: string) =>
      fc
        .record({
          direction: fc.constantFrom('credit' as const, 'debit' as const),
          reversal: fc.boolean(),
          amountMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
          valueShiftDays: fc.integer({ min: -40, max: 40 }),
          typeCode: fc.constantFrom('NTRF', 'NCHG', 'FCHG', 'NCOM', 'FTRF', 'S103', 'NDDT'),
          accountServicerRef: fc.option(reference, { nil: null }),
          endToEndId: fc.option(reference, { nil: null }),
          remittance: fc.option(
            fc.array(word, { minLength: 1, maxLength: 30 }).map((words) => words.join(' ')),
            { nil: null },
          ),
        })
        .map(
          (drawn): BankEntry => ({
            line: 0,
            direction: drawn.direction,
            amountMinor: drawn.amountMinor,
            currency,
            bookingDate: date,
            valueDate: new Date(Date.parse(date) + drawn.valueShiftDays * 86_400_000)
              .toISOString()
              .slice(0, 10),
            accountServicerRef: drawn.accountServicerRef,
            typeCode: drawn.typeCode,
            bankCharge: ['CHG', 'COM'].includes(drawn.typeCode.slice(1)),
            reversal: drawn.reversal,
            transactions: tx(drawn.endToEndId, drawn.remittance),
          }),
        );
    const arbitraryStatement = fc
      .record({
        currency: fc.constantFrom(EUR, USD, toCurrency('JPY'), toCurrency('KWD')),
        date: day,
        reference: fc.stringMatching(/^[A-Z0-9]{1,16}$/),
        opening: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
      })
      .chain(({ currency, date, reference: ref, opening }) =>
        fc.array(arbitraryEntry(currency, date), { maxLength: 8 }).map((entries): BankStatement => {
          const closing = entries.reduce(
            (sum, e) => (e.direction === 'credit' ? sum + e.amountMinor : sum - e.amountMinor),
            opening,
          );
          return {
            header: {
              line: 0,
              statementId: `${ref}/00001/001`,
              account: 'DE89370400440532013000',
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
        fc.array(arbitraryStatement, { minLength: 1, maxLength: 3 }),
        async (statements) => {
          const file = path.join(temp.dir, 'round-trip.sta');
          fs.writeFileSync(
            file,
            writeStatements('mt940', statements, { createdAt: '2027-01-02T06:00:00.000Z' }),
          );
          expect(withoutLines(await readAll(file))).toEqual(withoutLines(statements));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('MT940: hostile files and references (review)', () => {
  const base = [
    ':20:REF',
    ':25:DE89370400440532013000',
    ':28C:00001/001',
    ':60F:C261130EUR1000,00',
    ':61:2612011201C250,00NTRFPO.SIM.1//BNK1',
    ':86:text',
    ':62F:C261201EUR1250,00',
    '-',
  ];
  const refusalOf = async (lines: readonly string[]) => {
    const error = await readAll(write('bad.sta', lines)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  };

  it('a second :25: (the account switched) or :28C: in one statement is refused', async () => {
    expect(
      await refusalOf([...base.slice(0, 2), ':25:GB33BUKB20201555555555', ...base.slice(2)]),
    ).toContain('bad.sta:3 :25: a second account in statement REF');
    expect(await refusalOf([...base.slice(0, 3), ':28C:00002/001', ...base.slice(3)])).toContain(
      'bad.sta:4 :28C: a second statement number in statement REF',
    );
  });

  it('a customer reference ending in "/" is written so that it reads back as written, not into the bank reference', async () => {
    const one: BankStatement = {
      header: {
        line: 0,
        statementId: 'S/1',
        account: 'DE89370400440532013000',
        currency: EUR,
        opening: { amountMinor: 0n, date: '2026-11-23' },
      },
      entries: [
        entry({
          line: 0,
          direction: 'credit',
          amountMinor: 1n,
          bookingDate: '2026-11-23',
          accountServicerRef: 'BNK1',
          transactions: tx('ABC/', null),
        }),
      ],
      footer: { line: 0, closing: { amountMinor: 1n, date: '2026-11-23' } },
    };
    const file = path.join(temp.dir, 'slash.sta');
    fs.writeFileSync(
      file,
      writeStatements('mt940', [one], { createdAt: '2026-11-24T06:00:00.000Z' }),
    );
    const [read] = await readAll(file);
    expect(read?.entries[0]?.accountServicerRef).toBe('BNK1');
    expect(read?.entries[0]?.transactions[0]?.endToEndId).toBe('ABC.');
  });
});

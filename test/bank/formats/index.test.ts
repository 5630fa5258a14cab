import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  looksLikeStatement,
  openStatement,
  writeStatements,
  type StatementReadOptions,
} from '../../../src/bank/formats/index.js';
import type { BankFormat, BankStatement, StatementPart } from '../../../src/bank/types.js';
import { InputError, PayopsError, UsageError } from '../../../src/errors.js';
import type { Currency } from '../../../src/money/index.js';
import { BANK_CASES } from '../../corpus/bank.cases.js';
import { CORPUS_DIR } from '../../corpus/harness.js';
import { REPO_ROOT, tempDirPerTest } from '../../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures', 'bank');
const work = tempDirPerTest('payops-bank-index-');
const EUR = 'EUR' as Currency;

async function readAll(
  file: string,
  options: StatementReadOptions = {},
): Promise<{ format: BankFormat; parts: StatementPart[] }> {
  const reader = await openStatement(file, options);
  const parts: StatementPart[] = [];
  for await (const part of reader.parts()) parts.push(part);
  return { format: reader.format, parts };
}

async function failure(file: string, options: StatementReadOptions = {}): Promise<PayopsError> {
  const error = await readAll(file, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PayopsError);
  return error as PayopsError;
}

const statement = (closingMinor: bigint): BankStatement => ({
  header: {
    line: 0,
    statementId: 'S-1',
    account: 'DE89370400440532013000',
    currency: EUR,
    opening: { amountMinor: 1_000n, date: '2026-11-23' },
  },
  entries: [
    {
      line: 0,
      direction: 'credit',
      amountMinor: 500n,
      currency: EUR,
      bookingDate: '2026-11-23',
      valueDate: null,
      accountServicerRef: 'R1',
      typeCode: 'PMNT/RCDT/ESCT',
      bankCharge: false,
      reversal: false,
      transactions: [
        { amountMinor: null, endToEndId: 'po_1', remittance: null, counterparty: null },
      ],
    },
  ],
  footer: { closing: { amountMinor: closingMinor, date: '2026-11-23' }, line: 0 },
});

describe('openStatement: camt.053 and the mapped CSV', () => {
  it('detects camt.053 from its content (both fixtures), and a CSV only with a mapping', async () => {
    expect((await readAll(path.join(FIXTURES, 'camt053.xml'))).format).toBe('camt053');
    expect((await readAll(path.join(FIXTURES, 'camt053-v02.xml'))).format).toBe('camt053');
    expect(await looksLikeStatement(path.join(FIXTURES, 'camt053.xml'))).toBe(true);
    expect(await looksLikeStatement(path.join(FIXTURES, 'csv-statement.csv'))).toBe(false);
    const csv = await readAll(path.join(FIXTURES, 'csv-statement.csv'), {
      mappingFile: path.join(FIXTURES, 'csv-mapping.json'),
    });
    expect(csv.format).toBe('csv');
    expect(csv.parts.filter((part) => part.kind === 'entry')).toHaveLength(3);
    const undetected = await failure(path.join(FIXTURES, 'csv-statement.csv'));
    expect(undetected).toBeInstanceOf(InputError);
    expect(undetected.message).toContain('not a bank statement payops reads');
  });

  it('--format forces the format; --format csv needs a mapping; a mapping contradicts another --format', async () => {
    expect((await readAll(path.join(FIXTURES, 'camt053.xml'), { format: 'camt053' })).format).toBe(
      'camt053',
    );
    const noMapping = await failure(path.join(FIXTURES, 'csv-statement.csv'), { format: 'csv' });
    expect(noMapping).toBeInstanceOf(UsageError);
    expect(noMapping.message).toContain('--format csv needs a --mapping FILE');
    const contradiction = await failure(path.join(FIXTURES, 'camt053.xml'), {
      format: 'camt053',
      mappingFile: path.join(FIXTURES, 'csv-mapping.json'),
    });
    expect(contradiction).toBeInstanceOf(UsageError);
    expect(contradiction.message).toBe(
      '--mapping describes a bank CSV; it cannot be used with --format camt053',
    );
    // A camt file forced through a CSV mapping is refused by its header, never read as rows.
    expect(
      (
        await failure(path.join(FIXTURES, 'camt053.xml'), {
          format: 'csv',
          mappingFile: path.join(FIXTURES, 'csv-mapping.json'),
        })
      ).message,
    ).toContain('camt053.xml:1 csv: ');
  });

  it('the sum check refuses a written statement that does not add up, with the numbers, in both formats', async () => {
    for (const format of ['camt053', 'csv'] as const) {
      const file = path.join(work.dir, `off.${format}`);
      fs.writeFileSync(
        file,
        writeStatements(format, [statement(1_499n)], { createdAt: '2026-11-24T00:00:00Z' }),
      );
      const error = await failure(
        file,
        format === 'csv' ? { mappingFile: path.join(FIXTURES, 'csv-mapping.json') } : {},
      );
      expect(error.message).toContain(
        'statement S-1 does not add up: opening 10.00 + credits 5.00 - debits 0.00 = 15.00 EUR, but the closing balance is 14.99 (-0.01 unexplained)'.replace(
          'S-1',
          format === 'csv' ? 'DE89370400440532013000:2026-11-23' : 'S-1',
        ),
      );
      fs.writeFileSync(
        file,
        writeStatements(format, [statement(1_500n)], { createdAt: '2026-11-24T00:00:00Z' }),
      );
      expect(
        (
          await readAll(
            file,
            format === 'csv' ? { mappingFile: path.join(FIXTURES, 'csv-mapping.json') } : {},
          )
        ).parts.map((part) => part.kind),
      ).toEqual(['statement', 'entry', 'end']);
    }
  });
});

describe('the bank corpus inputs (camt.053 and CSV), read through openStatement', () => {
  const optionsOf = (args: readonly string[]): StatementReadOptions => {
    const options: StatementReadOptions = {};
    for (let index = 0; index < args.length; index += 2) {
      const value = (args[index + 1] as string).replace('{corpus}', CORPUS_DIR);
      if (args[index] === '--mapping') options.mappingFile = value;
      else if (args[index] === '--format') options.format = value as BankFormat;
      else throw new Error(`unexpected corpus argument ${args[index]}`);
    }
    return options;
  };
  it.each(BANK_CASES.filter((c) => c.input?.startsWith('bank/')).map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const error = await failure(
        path.join(CORPUS_DIR, c.input as string),
        optionsOf(c.args ?? []),
      );
      expect(error.exitCode).toBe(c.expect.exit);
      expect(error.oneLine()).toContain(c.expect.message as string);
    },
  );
});

describe('openStatement: dates that contradict each other (review)', () => {
  it('a closing balance dated before the opening balance is refused', async () => {
    const file = path.join(work.dir, 'early.sta');
    fs.writeFileSync(
      file,
      [
        ':20:REF',
        ':25:DE89370400440532013000',
        ':60F:C261130EUR1000,00',
        ':61:2612011201C250,00NTRF//B1',
        ':62F:C261101EUR1250,00',
        '-',
        '',
      ].join('\r\n'),
    );
    const error = await failure(file);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(
      'early.sta:5 closing balance: statement REF is dated 2026-11-01, before its opening balance (start of 2026-12-01)',
    );
  });

  it("an entry booked after the closing balance's day is refused: the closing balance cannot hold it", async () => {
    const file = path.join(work.dir, 'late.sta');
    fs.writeFileSync(
      file,
      [
        ':20:REF',
        ':25:DE89370400440532013000',
        ':60F:C261130EUR1000,00',
        ':61:2612010101C250,00NTRF//B1',
        ':62F:C261201EUR1250,00',
        '-',
        '',
      ].join('\r\n'),
    );
    const error = await failure(file);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(
      'late.sta:4 booking date: the entry is booked on 2027-01-01, after the closing balance of statement REF (end of 2026-12-01)',
    );
  });
});

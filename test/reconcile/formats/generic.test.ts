import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../../src/errors.js';
import { openSettlement } from '../../../src/reconcile/formats/index.js';
import { SETTLEMENT_ROW_TYPES } from '../../../src/reconcile/types.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { SETTLEMENT_FIXTURES, readSettlement, writeFile } from '../../helpers/settlement.js';

const temp = tempDirPerTest('payops-generic-');

const FIXTURE = path.join(SETTLEMENT_FIXTURES, 'generic.csv');
const MAPPING = path.join(SETTLEMENT_FIXTURES, 'generic-mapping.json');
const fixtureMapping = JSON.parse(fs.readFileSync(MAPPING, 'utf8')) as Record<string, unknown>;

/** A simple comma-separated mapping with signed decimal amounts in UTC, changed by `patch`. */
function signedMapping(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    columns: {
      type: 'kind',
      currency: 'ccy',
      occurredAt: 'when',
      pspReference: 'id',
      merchantReference: 'order',
    },
    amounts: { convention: 'signed-decimal', gross: 'gross', fee: 'fee', net: 'net' },
    dates: { format: 'YYYY-MM-DD HH:mm:ss', timeZone: 'UTC' },
    types: { sale: 'capture', refund: 'refund', fee: 'fee', payout: 'payout' },
    ...patch,
  };
}
const SIGNED_HEADER = 'kind,id,order,ccy,gross,fee,net,when';
const SIGNED_GOOD = 'sale,T1,ord_1,usd,25.00,1.03,23.97,2026-11-23 10:15:00';

async function readWith(mapping: Record<string, unknown>, csv: string) {
  const mappingFile = writeFile(temp.dir, 'mapping.json', JSON.stringify(mapping));
  return readSettlement(writeFile(temp.dir, 's.csv', csv), { mappingFile });
}

async function mappingError(mapping: unknown): Promise<InputError> {
  const mappingFile = writeFile(
    temp.dir,
    'mapping.json',
    typeof mapping === 'string' ? mapping : JSON.stringify(mapping),
  );
  const error = await openSettlement(writeFile(temp.dir, 's.csv', `${SIGNED_HEADER}\n`), {
    mappingFile,
  }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('generic format: the fixture', () => {
  it('reads a semicolon file with debit/credit columns and Berlin times, every row type', async () => {
    const { format, rows, errors } = await readSettlement(FIXTURE, { mappingFile: MAPPING });
    expect(format).toBe('generic');
    expect(errors).toEqual([]);
    const eur = { currency: 'EUR', batchId: 'B-2026-11-25', availableOn: '2026-11-25' };
    expect(rows).toEqual([
      {
        line: 2,
        type: 'capture',
        pspReference: 'T-100001',
        merchantReference: 'ord_00000001',
        ...eur,
        grossMinor: 2500n,
        feeMinor: 54n,
        netMinor: 2446n,
        occurredAt: '2026-11-23T10:15:00.000Z',
        providerType: 'SALE',
      },
      {
        line: 3,
        type: 'capture',
        pspReference: 'T-100002',
        merchantReference: 'ord_00000002',
        ...eur,
        grossMinor: 4000n,
        feeMinor: 57n,
        netMinor: 3943n,
        occurredAt: '2026-11-23T10:16:30.000Z',
        providerType: 'SALE',
      },
      // a fee credit (given back) is a negative fee
      {
        line: 4,
        type: 'refund',
        pspReference: 'T-100003',
        merchantReference: 'ord_00000002',
        ...eur,
        grossMinor: -400n,
        feeMinor: -10n,
        netMinor: -390n,
        occurredAt: '2026-11-23T15:02:11.000Z',
        providerType: 'REFUND',
      },
      {
        line: 5,
        type: 'chargeback',
        pspReference: 'T-100004',
        merchantReference: 'ord_00000001',
        ...eur,
        grossMinor: -2500n,
        feeMinor: 1500n,
        netMinor: -4000n,
        occurredAt: '2026-11-24T08:00:00.000Z',
        providerType: 'CHARGEBACK',
      },
      {
        line: 6,
        type: 'chargeback_reversal',
        pspReference: 'T-100005',
        merchantReference: 'ord_00000001',
        ...eur,
        grossMinor: 2500n,
        feeMinor: 0n,
        netMinor: 2500n,
        occurredAt: '2026-11-24T18:45:00.000Z',
        providerType: 'CHARGEBACK_REVERSAL',
      },
      {
        line: 7,
        type: 'fee',
        pspReference: 'T-100006',
        merchantReference: null,
        ...eur,
        grossMinor: 0n,
        feeMinor: 200n,
        netMinor: -200n,
        occurredAt: '2026-11-24T23:59:59.000Z',
        providerType: 'FEE',
      },
      {
        line: 8,
        type: 'adjustment',
        pspReference: 'T-100007',
        merchantReference: null,
        ...eur,
        grossMinor: 50n,
        feeMinor: 0n,
        netMinor: 50n,
        occurredAt: '2026-11-24T12:00:00.000Z',
        providerType: 'CORRECTION',
      },
      {
        line: 9,
        type: 'payout',
        pspReference: 'P-2026-11-25',
        merchantReference: null,
        ...eur,
        grossMinor: -4349n,
        feeMinor: 0n,
        netMinor: -4349n,
        occurredAt: '2026-11-25T06:00:00.000Z',
        providerType: 'PAYOUT',
      },
    ]);
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(SETTLEMENT_ROW_TYPES));
    expect(rows.reduce((sum, row) => sum + row.netMinor, 0n)).toBe(0n);
  });

  it('reads the same rows with a byte-order mark and CRLF line ends', async () => {
    const text = fs.readFileSync(FIXTURE, 'utf8');
    const variant = await readSettlement(
      writeFile(temp.dir, 'v.csv', `\uFEFF${text.replaceAll('\n', '\r\n')}`),
      { mappingFile: MAPPING },
    );
    expect(variant).toEqual(await readSettlement(FIXTURE, { mappingFile: MAPPING }));
  });

  it('uses the mapping whatever the header looks like, and names the mapped columns the file lacks', async () => {
    const file = writeFile(temp.dir, 'other.csv', 'Booking date;Type;Currency\n');
    const error = await openSettlement(file, { mappingFile: MAPPING }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      `${file}:1 header: missing column(s) named in ${MAPPING}: "Transaction ID", "Order reference", "Settlement batch", "Value date", "Debit", "Credit", "Fee debit", "Fee credit", "Net debit", "Net credit"`,
    );
  });
});

describe('generic format: amount conventions', () => {
  it('signed-decimal: amounts as written, lower-case currency accepted, net checked', async () => {
    const { rows, errors } = await readWith(
      signedMapping(),
      `${SIGNED_HEADER}\n${SIGNED_GOOD}\nrefund,T2,ord_1,usd,-4.00,0.00,-4.00,2026-11-23 11:00:00\nsale,T3,ord_2,usd,1.00,0.10,0.80,2026-11-23 11:00:00\n`,
    );
    expect(rows).toMatchObject([
      { type: 'capture', grossMinor: 2500n, feeMinor: 103n, netMinor: 2397n, currency: 'USD' },
      { type: 'refund', grossMinor: -400n, feeMinor: 0n, netMinor: -400n },
    ]);
    expect(errors).toEqual([
      { line: 4, field: 'net', reason: '0.80 is not gross 1.00 - fee 0.10 = 0.90' },
    ]);
  });

  it('signed-decimal with feeSign "negative": a fee written -1.03 is a fee of 1.03 kept', async () => {
    const mapping = signedMapping({
      amounts: {
        convention: 'signed-decimal',
        gross: 'gross',
        fee: 'fee',
        net: 'net',
        feeSign: 'negative',
      },
    });
    const { rows, errors } = await readWith(
      mapping,
      `${SIGNED_HEADER}\n${SIGNED_GOOD.replace('1.03', '-1.03')}\n`,
    );
    expect(errors).toEqual([]);
    expect(rows).toMatchObject([{ grossMinor: 2500n, feeMinor: 103n, netMinor: 2397n }]);
  });

  it('minor-units: integers in the currency minor unit; a decimal is refused', async () => {
    const mapping = signedMapping({
      amounts: { convention: 'minor-units', gross: 'gross', fee: 'fee' },
    });
    const { rows, errors } = await readWith(
      mapping,
      `${SIGNED_HEADER}\nsale,T1,ord_1,JPY,1500,54,,2026-11-23 10:15:00\nsale,T2,ord_2,USD,25.00,1,,2026-11-23 10:15:00\n`,
    );
    expect(rows).toMatchObject([
      { currency: 'JPY', grossMinor: 1500n, feeMinor: 54n, netMinor: 1446n },
    ]);
    expect(errors).toEqual([
      {
        line: 3,
        field: 'gross',
        reason: expect.stringMatching(/"25\.00" is not an amount in minor units of USD/),
      },
    ]);
  });

  it('dates in an IANA zone and a custom format, availableOn in its own format', async () => {
    const mapping = signedMapping({
      columns: { type: 'kind', currency: 'ccy', occurredAt: 'when', availableOn: 'day' },
      dates: {
        format: 'MM/DD/YYYY HH:mm',
        availableOnFormat: 'DD.MM.YYYY',
        timeZone: 'America/New_York',
      },
    });
    const { rows, errors } = await readWith(
      mapping,
      'kind,ccy,gross,fee,net,when,day\nsale,USD,1.00,0.00,1.00,7/4/2026 9:30,5.7.2026\n',
    );
    expect(errors).toEqual([]);
    expect(rows).toMatchObject([
      { occurredAt: '2026-07-04T13:30:00.000Z', availableOn: '2026-07-05' },
    ]);
  });

  it('"iso" dates: a zone in the value wins, else the mapping zone applies', async () => {
    const mapping = signedMapping({ dates: { format: 'iso', timeZone: '+02:00' } });
    const { rows } = await readWith(
      mapping,
      `${SIGNED_HEADER}\n${SIGNED_GOOD.replace('2026-11-23 10:15:00', '2026-11-23T10:15:00Z')}\n${SIGNED_GOOD.replace('2026-11-23 10:15:00', '2026-11-23T10:15:00')}\n`,
    );
    expect(rows.map((row) => row.occurredAt)).toEqual([
      '2026-11-23T10:15:00.000Z',
      '2026-11-23T08:15:00.000Z',
    ]);
  });
});

describe('generic format: bad rows', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a type the mapping does not list',
      SIGNED_GOOD.replace('sale', 'SALE'),
      'kind',
      /"SALE" is not one of the types in .*mapping\.json \("sale", "refund", "fee", "payout"\)/,
    ],
    [
      'an amount with an exponent',
      SIGNED_GOOD.replace('25.00', '2.5e1'),
      'gross',
      /not a decimal amount/,
    ],
    [
      'more decimals than the currency has',
      SIGNED_GOOD.replace('1.03', '1.031'),
      'fee',
      /more decimals than USD allows/,
    ],
    [
      'an unknown currency',
      SIGNED_GOOD.replace('usd', 'dollars'),
      'ccy',
      /"DOLLARS" is not an ISO 4217 currency code/,
    ],
    [
      'a date in another format',
      SIGNED_GOOD.replace('2026-11-23 10:15:00', '23.11.2026'),
      'when',
      /does not match the mapping's date format "YYYY-MM-DD HH:mm:ss"/,
    ],
    ['an empty gross', SIGNED_GOOD.replace('25.00', ''), 'gross', /is empty/],
  ];

  it.each(cases)(
    'reports %s with its line and field, and reads on',
    async (_label, bad, field, reason) => {
      const { rows, errors } = await readWith(
        signedMapping(),
        `${SIGNED_HEADER}\n${SIGNED_GOOD}\n${bad}\n${SIGNED_GOOD}\n`,
      );
      expect(rows.map((row) => row.line)).toEqual([2, 4]);
      expect(errors).toEqual([{ line: 3, field, reason: expect.stringMatching(reason) }]);
    },
  );
});

describe('generic format: the mapping file is checked', () => {
  it.each([
    ['not JSON', '{"columns": ', /mapping\.json: not valid JSON/],
    ['not an object', '[]', /mapping\.json: the mapping: must be an object/],
    [
      'an unknown key, with a suggestion',
      signedMapping({ colums: {} }),
      /the mapping: unknown key "colums" \(did you mean "columns"\?\)/,
    ],
    [
      'an unknown column key',
      signedMapping({
        columns: { type: 'kind', currency: 'ccy', occurredAt: 'when', orderId: 'order' },
      }),
      /columns: unknown key "orderId"; known keys: type, currency/,
    ],
    [
      'a missing required column',
      signedMapping({ columns: { type: 'kind', occurredAt: 'when' } }),
      /columns\.currency: is missing/,
    ],
    [
      'an empty column name',
      signedMapping({ columns: { type: '', currency: 'ccy', occurredAt: 'when' } }),
      /columns\.type: must be a column name/,
    ],
    [
      'an unknown convention',
      signedMapping({ amounts: { convention: 'signed', gross: 'gross' } }),
      /amounts\.convention: must be one of "signed-decimal", "minor-units", "debit-credit" \(got "signed"\)/,
    ],
    [
      'a debit-credit amount given as one column',
      signedMapping({ amounts: { convention: 'debit-credit', gross: 'gross' } }),
      /amounts\.gross: must be an object \{"debit": "<column>", "credit": "<column>"\}/,
    ],
    [
      'a pair under a signed convention',
      signedMapping({
        amounts: { convention: 'signed-decimal', gross: { debit: 'd', credit: 'c' } },
      }),
      /amounts\.gross: must be a column name under the signed-decimal convention/,
    ],
    [
      'a bad feeSign',
      signedMapping({
        amounts: { convention: 'signed-decimal', gross: 'gross', feeSign: 'minus' },
      }),
      /amounts\.feeSign: must be "positive" or "negative"/,
    ],
    [
      'no time zone',
      signedMapping({ dates: { format: 'iso' } }),
      /dates\.timeZone: is missing: .*payops does not guess/,
    ],
    [
      'an unknown time zone',
      signedMapping({ dates: { format: 'iso', timeZone: 'Europe/Atlantis' } }),
      /dates\.timeZone: "Europe\/Atlantis" is not a time zone payops knows/,
    ],
    [
      'an ambiguous zone abbreviation',
      signedMapping({ dates: { format: 'iso', timeZone: 'IST' } }),
      /dates\.timeZone: "IST" names more than one zone/,
    ],
    [
      'a date format without a year',
      signedMapping({ dates: { format: 'DD.MM HH:mm', timeZone: 'UTC' } }),
      /dates\.format: "DD\.MM HH:mm" has no YYYY/,
    ],
    [
      'a date format with stray letters',
      signedMapping({ dates: { format: 'YYYY-MM-DDTHH:mm', timeZone: 'UTC' } }),
      /dates\.format: .* has letters that are not tokens/,
    ],
    [
      'an availableOn format with a time',
      signedMapping({
        dates: { format: 'iso', availableOnFormat: 'YYYY-MM-DD HH:mm', timeZone: 'UTC' },
      }),
      /dates\.availableOnFormat: .* must be a date only/,
    ],
    [
      'a type mapped to no row type',
      signedMapping({ types: { sale: 'captured' } }),
      /types\.sale: "captured" is not one of capture, refund/,
    ],
    ['no types', signedMapping({ types: {} }), /types: is empty/],
    [
      'a two-character delimiter',
      signedMapping({ delimiter: ';;' }),
      /delimiter: must be one character/,
    ],
  ])('refuses %s, naming the key', async (_label, mapping, message) => {
    const error = await mappingError(mapping);
    expect(error.message).toMatch(message);
    expect(error.oneLine()).toContain('see docs/SETTLEMENT-FORMATS.md');
  });

  it('refuses a mapping file that does not exist as a usage error', async () => {
    const error = await openSettlement(FIXTURE, {
      mappingFile: path.join(temp.dir, 'none.json'),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/--mapping .*none\.json does not exist/);
  });

  it('accepts the documented example as it is', () => {
    expect(Object.keys(fixtureMapping)).toEqual([
      'description',
      'delimiter',
      'columns',
      'amounts',
      'dates',
      'types',
    ]);
  });
});

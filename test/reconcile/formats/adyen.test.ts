import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTLEMENT_ROW_TYPES } from '../../../src/reconcile/types.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { SETTLEMENT_FIXTURES, readSettlement, writeFile } from '../../helpers/settlement.js';

const temp = tempDirPerTest('payops-adyen-');

const FIXTURE = path.join(SETTLEMENT_FIXTURES, 'adyen.csv');
const HEADER =
  'Psp Reference,Merchant Reference,Merchant Account,Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Batch Number';

/** One Adyen line from the fields that matter; the rest default to a settled EUR payment of 10.00. */
function line(fields: Partial<Record<string, string>> = {}): string {
  const values: Record<string, string> = {
    'Psp Reference': '8816000000000001',
    'Merchant Reference': 'ord_1',
    'Merchant Account': 'ShopEU',
    'Creation Date': '2026-11-23 11:15:00',
    TimeZone: 'CET',
    Type: 'Settled',
    'Modification Reference': '8826000000000001',
    'Gross Currency': 'EUR',
    'Gross Debit (GC)': '',
    'Gross Credit (GC)': '10.00',
    'Net Currency': 'EUR',
    'Net Debit (NC)': '',
    'Net Credit (NC)': '9.60',
    'Commission (NC)': '0.10',
    'Markup (NC)': '0.05',
    'Scheme Fees (NC)': '0.05',
    'Interchange (NC)': '0.20',
    'Batch Number': '7',
    ...fields,
  };
  return HEADER.split(',')
    .map((name) => values[name] ?? '')
    .join(',');
}

describe('adyen format: the fixture', () => {
  it('reads every journal type it maps, signed by the Debit/Credit column, in the net currency, times in UTC', async () => {
    const { format, rows, errors } = await readSettlement(FIXTURE);
    expect(format).toBe('adyen');
    expect(errors).toEqual([]);
    const eu = { currency: 'EUR', batchId: 'MarketplaceEU/127', availableOn: null };
    expect(rows).toEqual([
      // fee = commission 0.12 + markup 0.07 + scheme fees 0.10 + interchange 0.25
      {
        line: 2,
        type: 'capture',
        pspReference: '8816234567890121',
        merchantReference: 'ord_00000001',
        ...eu,
        grossMinor: 2500n,
        feeMinor: 54n,
        netMinor: 2446n,
        occurredAt: '2026-11-23T10:15:00.000Z',
        providerType: 'Settled',
      },
      // USD 40.00 settled in EUR: kept in EUR with gross = net + fee
      {
        line: 3,
        type: 'capture',
        pspReference: '8816234567890232',
        merchantReference: 'ord_00000002',
        ...eu,
        grossMinor: 3700n,
        feeMinor: 57n,
        netMinor: 3643n,
        occurredAt: '2026-11-23T10:16:30.000Z',
        providerType: 'Settled',
      },
      {
        line: 4,
        type: 'refund',
        pspReference: '8836234567890347',
        merchantReference: 'ord_00000003',
        ...eu,
        grossMinor: -400n,
        feeMinor: 12n,
        netMinor: -412n,
        occurredAt: '2026-11-23T15:02:11.000Z',
        providerType: 'Refunded',
      },
      {
        line: 5,
        type: 'chargeback',
        pspReference: '8846234567890458',
        merchantReference: 'ord_00000001',
        ...eu,
        grossMinor: -2500n,
        feeMinor: 1500n,
        netMinor: -4000n,
        occurredAt: '2026-11-24T08:00:00.000Z',
        providerType: 'Chargeback',
      },
      {
        line: 6,
        type: 'chargeback_reversal',
        pspReference: '8856234567890569',
        merchantReference: 'ord_00000001',
        ...eu,
        grossMinor: 2500n,
        feeMinor: 0n,
        netMinor: 2500n,
        occurredAt: '2026-11-24T18:45:00.000Z',
        providerType: 'ChargebackReversed',
      },
      {
        line: 7,
        type: 'fee',
        pspReference: 'Transaction Fees November 2026',
        merchantReference: null,
        ...eu,
        grossMinor: 0n,
        feeMinor: 200n,
        netMinor: -200n,
        occurredAt: '2026-11-24T23:59:59.000Z',
        providerType: 'Fee',
      },
      {
        line: 8,
        type: 'adjustment',
        pspReference: 'Balance transfer from MarketplaceUS',
        merchantReference: null,
        ...eu,
        grossMinor: 50n,
        feeMinor: 0n,
        netMinor: 50n,
        occurredAt: '2026-11-24T12:00:00.000Z',
        providerType: 'Balancetransfer',
      },
      {
        line: 9,
        type: 'payout',
        pspReference: 'TX3829451627XT',
        merchantReference: null,
        ...eu,
        grossMinor: -4027n,
        feeMinor: 0n,
        netMinor: -4027n,
        occurredAt: '2026-11-25T06:00:00.000Z',
        providerType: 'MerchantPayout',
      },
      // PST is UTC−8; the formula-looking reference is kept as text
      {
        line: 10,
        type: 'capture',
        pspReference: '8816234567890999',
        merchantReference: "=cmd|' /C calc'!A0",
        currency: 'USD',
        batchId: 'MarketplaceUS/58',
        availableOn: null,
        grossMinor: 1000n,
        feeMinor: 35n,
        netMinor: 965n,
        occurredAt: '2026-11-23T13:30:00.000Z',
        providerType: 'Settled',
      },
    ]);
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(SETTLEMENT_ROW_TYPES));
    const batch = rows.filter((row) => row.batchId === 'MarketplaceEU/127');
    expect(batch.reduce((sum, row) => sum + row.netMinor, 0n)).toBe(0n);
  });

  it('reads the same rows with a byte-order mark and CRLF line ends', async () => {
    const text = fs.readFileSync(FIXTURE, 'utf8');
    expect(
      await readSettlement(writeFile(temp.dir, 'v.csv', `\uFEFF${text.replaceAll('\n', '\r\n')}`)),
    ).toEqual(await readSettlement(FIXTURE));
  });
});

describe('adyen format: zones, fees and directions', () => {
  it.each([
    ['CET', '2026-11-23 11:15:00', '2026-11-23T10:15:00.000Z'],
    ['CEST', '2026-07-01 12:00:00', '2026-07-01T10:00:00.000Z'],
    ['PDT', '2026-07-01 05:00:00', '2026-07-01T12:00:00.000Z'],
    ['UTC', '2026-11-23 23:59:59', '2026-11-23T23:59:59.000Z'],
    ['GMT+01:00', '2026-11-23 11:15:00', '2026-11-23T10:15:00.000Z'],
    ['Europe/Amsterdam', '2026-07-01 12:00:00', '2026-07-01T10:00:00.000Z'],
    ['Asia/Kolkata', '2026-11-23 05:30:00', '2026-11-23T00:00:00.000Z'],
  ])('converts a Creation Date in %s to UTC', async (zone, local, utc) => {
    const { rows, errors } = await readSettlement(
      writeFile(
        temp.dir,
        'a.csv',
        `${HEADER}\n${line({ TimeZone: zone, 'Creation Date': local })}\n`,
      ),
    );
    expect(errors).toEqual([]);
    expect(rows[0]?.occurredAt).toBe(utc);
  });

  it('takes Payment Fees (NC) into the fee when the report has that column', async () => {
    const file = writeFile(
      temp.dir,
      'a.csv',
      `${HEADER},Payment Fees (NC)\n${line({ 'Net Credit (NC)': '9.50' })},0.10\n`,
    );
    const { rows, errors } = await readSettlement(file, { format: 'adyen' });
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({ grossMinor: 1000n, feeMinor: 50n, netMinor: 950n });
  });

  it('keeps batches of two merchant accounts apart, and uses the bare batch number without that column', async () => {
    const { rows } = await readSettlement(
      writeFile(
        temp.dir,
        'a.csv',
        `${HEADER}\n${line()}\n${line({ 'Merchant Account': 'ShopUS' })}\n`,
      ),
    );
    expect(rows.map((row) => row.batchId)).toEqual(['ShopEU/7', 'ShopUS/7']);
  });

  it('treats a fee entry with a Net Credit (a fee given back) as an adjustment', async () => {
    const fields = {
      Type: 'Fee',
      'Gross Credit (GC)': '',
      'Net Credit (NC)': '1.00',
      'Commission (NC)': '',
      'Markup (NC)': '',
      'Scheme Fees (NC)': '',
      'Interchange (NC)': '',
    };
    const { rows } = await readSettlement(
      writeFile(temp.dir, 'a.csv', `${HEADER}\n${line(fields)}\n`),
    );
    expect(rows).toMatchObject([
      { type: 'adjustment', grossMinor: 0n, feeMinor: -100n, netMinor: 100n },
    ]);
  });
});

describe('adyen format: bad rows', () => {
  const cases: [string, Partial<Record<string, string>>, string, RegExp][] = [
    [
      'a bad amount',
      { 'Gross Credit (GC)': '10.0O' },
      'Gross Credit (GC)',
      /"10\.0O" is not a decimal amount/,
    ],
    [
      'more decimals than the currency has',
      { 'Commission (NC)': '0.105' },
      'Commission (NC)',
      /more decimals than EUR allows \(2\)/,
    ],
    [
      'a signed amount',
      { 'Net Credit (NC)': '-9.60' },
      'Net Credit (NC)',
      /must not be negative: the column gives the direction/,
    ],
    [
      'both a debit and a credit',
      { 'Gross Debit (GC)': '1.00' },
      'Gross Credit (GC)',
      /and Gross Debit \(GC\) are both filled in/,
    ],
    [
      'no net at all',
      { 'Net Credit (NC)': '' },
      'Net Credit (NC)',
      /and Net Debit \(NC\) are both empty/,
    ],
    [
      'net ≠ gross − fee',
      { 'Net Credit (NC)': '9.61' },
      'Net Credit (NC)',
      /9\.61 is not gross 10\.00 - fee 0\.40 = 9\.60/,
    ],
    [
      'an unknown currency',
      { 'Net Currency': 'EUX' },
      'Net Currency',
      /"EUX" is not an ISO 4217 currency code/,
    ],
    [
      'an unknown journal type',
      { Type: 'Sold' },
      'Type',
      /"Sold" is not an Adyen journal type payops knows/,
    ],
    [
      'an ambiguous time zone',
      { TimeZone: 'CST' },
      'TimeZone',
      /"CST" names more than one zone .* payops does not guess/,
    ],
    [
      'an unknown time zone',
      { TimeZone: 'Mars/Olympus' },
      'TimeZone',
      /not a time zone payops knows/,
    ],
    [
      'a bad date',
      { 'Creation Date': '23/11/2026 11:15' },
      'Creation Date',
      /not a date and time \(expected YYYY-MM-DD HH:MM:SS\)/,
    ],
    [
      'a local time that happens twice',
      { TimeZone: 'Europe/Amsterdam', 'Creation Date': '2026-10-25 02:30:00' },
      'Creation Date',
      /happens twice in Europe\/Amsterdam/,
    ],
    [
      'a local time that never happens',
      { TimeZone: 'Europe/Amsterdam', 'Creation Date': '2026-03-29 02:30:00' },
      'Creation Date',
      /does not exist in Europe\/Amsterdam/,
    ],
    [
      'a refund on the credit side',
      { Type: 'Refunded' },
      'Gross Credit (GC)',
      /a refund row's gross must be negative/,
    ],
  ];

  it.each(cases)(
    'reports %s with its line and field, and reads on',
    async (_label, fields, field, reason) => {
      const { rows, errors } = await readSettlement(
        writeFile(temp.dir, 'a.csv', `${HEADER}\n${line()}\n${line(fields)}\n${line()}\n`),
      );
      expect(rows.map((row) => row.line)).toEqual([2, 4]);
      expect(errors).toEqual([{ line: 3, field, reason: expect.stringMatching(reason) }]);
    },
  );
});

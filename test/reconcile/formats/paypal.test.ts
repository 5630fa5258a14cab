import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSettlement } from '../../../src/reconcile/formats/index.js';
import { SETTLEMENT_ROW_TYPES } from '../../../src/reconcile/types.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { SETTLEMENT_FIXTURES, readSettlement, writeFile } from '../../helpers/settlement.js';

const temp = tempDirPerTest('payops-paypal-');

const FIXTURE = path.join(SETTLEMENT_FIXTURES, 'paypal.csv');
const FIXTURE_LINES = fs.readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');

const CH =
  '"CH","Transaction ID","Invoice ID","Transaction Event Code","Transaction Initiation Date","Transaction Completion Date","Transaction Debit or Credit","Gross Transaction Amount","Gross Transaction Currency","Fee Debit or Credit","Fee Amount","Fee Currency","Custom Field"';

/** A section body row from the fields that matter; defaults to a 25.00 USD Express Checkout payment with a 1.03 fee. */
function sb(
  fields: Partial<
    Record<
      | 'id'
      | 'invoice'
      | 'code'
      | 'start'
      | 'end'
      | 'dc'
      | 'gross'
      | 'currency'
      | 'feeDc'
      | 'fee'
      | 'feeCurrency'
      | 'custom',
      string
    >
  > = {},
): string {
  const f = {
    id: '5TY05013RG002845M',
    invoice: 'ord_1',
    code: 'T0006',
    start: '2026/11/23 02:15:00 -0800',
    end: '2026/11/23 02:15:03 -0800',
    dc: 'CR',
    gross: '2500',
    currency: 'USD',
    feeDc: 'DR',
    fee: '103',
    feeCurrency: 'USD',
    custom: '',
    ...fields,
  };
  return `"SB","${f.id}","${f.invoice}","${f.code}",${f.start},${f.end},"${f.dc}",${f.gross},"${f.currency}","${f.feeDc}",${f.fee},"${f.feeCurrency}","${f.custom}"`;
}

/** A whole one-section report around `body`, with footers computed from `totals` unless given. */
function report(
  body: string[],
  footers: { sf?: string[]; sc?: string; rc?: string; ff?: string | null } = {},
): string {
  const count = String(body.length);
  return [
    '"RH",2026/11/24 04:12:33 -0800,"A","QX7M4BK2ZL8PN",009,',
    '"FH",01',
    '"SH",2026/11/23 00:00:00 -0800,2026/11/23 23:59:59 -0800,"QX7M4BK2ZL8PN",""',
    CH,
    ...body,
    ...(footers.sf ?? [
      `"SF","USD",${2500 * body.length},0,0,${103 * body.length},"CR",0,"CR",0,"CR",0,"CR",0`,
    ]),
    `"SC",${footers.sc ?? count}`,
    `"RF",${count}`,
    `"RC",${footers.rc ?? count}`,
    ...(footers.ff === null ? [] : [`"FF",${footers.ff ?? count}`]),
  ].join('\n');
}

describe('paypal format: the fixture', () => {
  it('reads every T-code group it maps, signed by CR/DR, in minor units, times in UTC', async () => {
    const { format, rows, errors } = await readSettlement(FIXTURE);
    expect(format).toBe('paypal');
    expect(errors).toEqual([]);
    const usd = { currency: 'USD', batchId: null, availableOn: null };
    expect(rows).toEqual([
      {
        line: 5,
        type: 'capture',
        pspReference: '5TY05013RG002845M',
        merchantReference: 'ord_00000001',
        ...usd,
        grossMinor: 2500n,
        feeMinor: 103n,
        netMinor: 2397n,
        occurredAt: '2026-11-23T10:15:03.000Z',
        providerType: 'T0006',
      },
      {
        line: 6,
        type: 'capture',
        pspReference: '8MC585209K746392H',
        merchantReference: 'ord_00000002',
        ...usd,
        grossMinor: 4000n,
        feeMinor: 146n,
        netMinor: 3854n,
        occurredAt: '2026-11-23T10:16:31.000Z',
        providerType: 'T0006',
      },
      // the refund gives back part of the fee: a negative fee
      {
        line: 7,
        type: 'refund',
        pspReference: '0UB23476TS1357239',
        merchantReference: 'ord_00000002',
        ...usd,
        grossMinor: -400n,
        feeMinor: -12n,
        netMinor: -388n,
        occurredAt: '2026-11-23T15:02:11.000Z',
        providerType: 'T1107',
      },
      {
        line: 8,
        type: 'chargeback',
        pspReference: '9XK41111AB2222333',
        merchantReference: 'ord_00000001',
        ...usd,
        grossMinor: -2500n,
        feeMinor: 2000n,
        netMinor: -4500n,
        occurredAt: '2026-11-23T16:00:00.000Z',
        providerType: 'T1201',
      },
      {
        line: 9,
        type: 'chargeback_reversal',
        pspReference: '1AB22222CD3333444',
        merchantReference: 'ord_00000001',
        ...usd,
        grossMinor: 2500n,
        feeMinor: 0n,
        netMinor: 2500n,
        occurredAt: '2026-11-24T02:45:00.000Z',
        providerType: 'T1202',
      },
      // a fee T-code carries its amount as the gross: payops moves it to the fee
      {
        line: 10,
        type: 'fee',
        pspReference: '2CD33333EF4444555',
        merchantReference: null,
        ...usd,
        grossMinor: 0n,
        feeMinor: 200n,
        netMinor: -200n,
        occurredAt: '2026-11-24T07:00:00.000Z',
        providerType: 'T0100',
      },
      {
        line: 11,
        type: 'adjustment',
        pspReference: '3EF44444GH5555666',
        merchantReference: '=SUM(A1:A9)',
        ...usd,
        grossMinor: 50n,
        feeMinor: 0n,
        netMinor: 50n,
        occurredAt: '2026-11-23T20:00:00.000Z',
        providerType: 'T1200',
      },
      {
        line: 12,
        type: 'capture',
        pspReference: '7JK66666LM7777888',
        merchantReference: 'ord_00000003',
        currency: 'EUR',
        batchId: null,
        availableOn: null,
        grossMinor: 1000n,
        feeMinor: 49n,
        netMinor: 951n,
        occurredAt: '2026-11-23T11:00:01.000Z',
        providerType: 'T0006',
      },
      // no completion date: the initiation date
      {
        line: 13,
        type: 'payout',
        pspReference: '4GH55555IJ6666777',
        merchantReference: null,
        ...usd,
        grossMinor: -3713n,
        feeMinor: 0n,
        netMinor: -3713n,
        occurredAt: '2026-11-24T07:30:00.000Z',
        providerType: 'T0400',
      },
    ]);
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(SETTLEMENT_ROW_TYPES));
    expect(
      rows.filter((row) => row.currency === 'USD').reduce((sum, row) => sum + row.netMinor, 0n),
    ).toBe(0n);
  });

  it('reads the same rows with a byte-order mark and CRLF line ends', async () => {
    const text = fs.readFileSync(FIXTURE, 'utf8');
    expect(
      await readSettlement(writeFile(temp.dir, 'v.csv', `\uFEFF${text.replaceAll('\n', '\r\n')}`)),
    ).toEqual(await readSettlement(FIXTURE));
  });

  it('is detected from a continuation file that starts with FH', async () => {
    const file = writeFile(
      temp.dir,
      'STL-20261123.02.009.CSV',
      `${FIXTURE_LINES.slice(1).join('\n')}\n`,
    );
    const { format, rows, errors } = await readSettlement(file);
    expect([format, rows.length, errors]).toEqual(['paypal', 9, []]);
  });
});

describe('paypal format: footers are checked against the rows read', () => {
  it('accepts footers that agree, counting body rows', async () => {
    const { rows, errors } = await readSettlement(
      writeFile(temp.dir, 'p.csv', report([sb(), sb({ id: 'X2' })])),
    );
    expect([rows.length, errors]).toEqual([2, []]);
  });

  it('reports section totals that differ, on the SF line', async () => {
    const text = report([sb(), sb({ id: 'X2' })], {
      sf: ['"SF","USD",5000,0,0,207,"CR",0,"CR",0,"CR",0,"CR",0'],
    });
    const { rows, errors } = await readSettlement(writeFile(temp.dir, 'p.csv', text));
    expect(rows).toHaveLength(2);
    expect(errors).toEqual([
      {
        line: 7,
        field: 'SF',
        reason: "USD total fee debits 2.07 ≠ 2.06 summed from the section's rows",
      },
    ]);
  });

  it('reports a currency the footer totals but no row carries', async () => {
    const text = report([sb()], {
      sf: ['"SF","USD",2500,0,0,103,"CR",0,"CR",0', '"SF","EUR",100,0,0,0,"CR",0,"CR",0'],
    });
    const { errors } = await readSettlement(writeFile(temp.dir, 'p.csv', text));
    expect(errors).toEqual([
      {
        line: 7,
        field: 'SF',
        reason: "EUR total gross credits 1.00 ≠ 0.00 summed from the section's rows",
      },
    ]);
  });

  it.each([
    [
      'SC',
      { sc: '3' },
      8,
      'the section record count says 3 record(s) but 2 transaction row(s) were read: the file is incomplete or altered',
    ],
    [
      'RC',
      { rc: '1' },
      10,
      'the report record count says 1 record(s) but 2 transaction row(s) were read: the file is incomplete or altered',
    ],
    [
      'FF',
      { ff: '5' },
      11,
      'the file footer says 5 record(s) but 2 transaction row(s) were read: the file is incomplete or altered',
    ],
  ] as const)('reports a %s count that differs', async (field, footers, line, reason) => {
    const { errors } = await readSettlement(
      writeFile(temp.dir, 'p.csv', report([sb(), sb({ id: 'X2' })], footers)),
    );
    expect(errors).toEqual([{ line, field, reason }]);
  });

  it('reports a truncated file: no file footer, or a section never closed', async () => {
    const noFooter = await readSettlement(
      writeFile(temp.dir, 'p.csv', report([sb()], { ff: null })),
    );
    expect(noFooter.errors).toEqual([
      {
        line: 9,
        field: 'FF',
        reason: 'the file ends without its file footer (FF): it is truncated',
      },
    ]);
    const cut = await readSettlement(
      writeFile(temp.dir, 'q.csv', FIXTURE_LINES.slice(0, 8).join('\n')),
    );
    expect(cut.rows).toHaveLength(4);
    expect(cut.errors).toEqual([
      {
        line: 8,
        field: 'SC',
        reason: 'the last section has no record count (SC): the file is truncated',
      },
    ]);
  });

  it('does not check the totals of a section with an unreadable row (the row is reported instead)', async () => {
    const { rows, errors } = await readSettlement(
      writeFile(temp.dir, 'p.csv', report([sb(), sb({ gross: '25.00' })])),
    );
    expect(rows).toHaveLength(1);
    expect(errors).toEqual([
      {
        line: 6,
        field: 'Gross Transaction Amount',
        reason: expect.stringMatching(/not an amount in minor units/),
      },
    ]);
  });

  it('strict: a footer mismatch throws at the footer line', async () => {
    const file = writeFile(temp.dir, 'p.csv', report([sb()], { sc: '2' }));
    const reader = await openSettlement(file, { strict: true });
    await expect(async () => {
      for await (const _ of reader.rows());
    }).rejects.toThrow(
      `${file}:7 SC: the section record count says 2 record(s) but 1 transaction row(s) were read`,
    );
  });
});

describe('paypal format: event codes and directions', () => {
  it.each([
    ['T0006', 'DR', 'adjustment'],
    ['T0000', 'CR', 'capture'],
    ['T0100', 'CR', 'adjustment'],
    ['T0400', 'CR', 'adjustment'],
    ['T1106', 'DR', 'chargeback'],
    ['T1208', 'CR', 'chargeback_reversal'],
    ['T0200', 'DR', 'adjustment'],
    ['T2101', 'DR', 'adjustment'],
  ])('maps %s %s to %s', async (code, dc, type) => {
    const fee = dc === 'CR' && type === 'capture' ? {} : { feeDc: '', fee: '', feeCurrency: '' };
    const body = [sb({ code, dc, ...fee })];
    const { rows, errors } = await readSettlement(writeFile(temp.dir, 'p.csv', report(body)), {});
    expect(errors.filter((error) => error.field !== 'SF')).toEqual([]);
    expect(rows[0]?.type).toBe(type);
  });

  it('skips a display-only row (T98xx) but counts it', async () => {
    const text = report([sb(), sb({ id: 'D1', code: 'T9800' })], {
      sf: ['"SF","USD",5000,0,0,206,"CR",0'],
    });
    const { rows, errors } = await readSettlement(writeFile(temp.dir, 'p.csv', text));
    expect(rows.map((row) => row.pspReference)).toEqual(['5TY05013RG002845M']);
    expect(errors).toEqual([]);
  });
});

describe('paypal format: bad records', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a direction that is neither CR nor DR',
      sb({ dc: 'CD' }),
      'Transaction Debit or Credit',
      /"CD" is neither CR nor DR/,
    ],
    [
      'a signed amount',
      sb({ gross: '-2500' }),
      'Gross Transaction Amount',
      /has a sign: PayPal's amounts are unsigned/,
    ],
    ['a decimal amount', sb({ fee: '1.03' }), 'Fee Amount', /not an amount in minor units of USD/],
    [
      'an unknown currency',
      sb({ currency: 'USS', feeCurrency: 'USS' }),
      'Gross Transaction Currency',
      /"USS" is not an ISO 4217 currency code/,
    ],
    [
      'a fee in another currency',
      sb({ feeCurrency: 'EUR' }),
      'Fee Currency',
      /EUR differs from the gross currency USD/,
    ],
    [
      'a malformed event code',
      sb({ code: 'X0006' }),
      'Transaction Event Code',
      /"X0006" is not a transaction event code/,
    ],
    [
      'an authorization',
      sb({ code: 'T1300' }),
      'Transaction Event Code',
      /T1300 is an authorization, which moves no money/,
    ],
    [
      'a bad time',
      sb({ end: '2026-11-23T02:15:03Z' }),
      'Transaction Completion Date',
      /is not a PayPal time/,
    ],
    [
      'an impossible time',
      sb({ end: '2026/02/30 02:15:03 -0800' }),
      'Transaction Completion Date',
      /not a real date/,
    ],
    [
      'a refund on the credit side',
      sb({ code: 'T1107' }),
      'Gross Transaction Amount',
      /a refund row's gross must be negative/,
    ],
    ['an unknown record type', '"SX","x"', 'record type', /"SX" is not a PayPal settlement record/],
  ];

  it.each(cases)(
    'reports %s with its line and field, and reads on',
    async (_label, bad, field, reason) => {
      const text = report([sb(), bad, sb({ id: 'X3' })]);
      const { rows, errors } = await readSettlement(writeFile(temp.dir, 'p.csv', text));
      expect(rows.map((row) => row.line)).toEqual([5, 7]);
      expect(errors[0]).toEqual({ line: 6, field, reason: expect.stringMatching(reason) });
    },
  );

  it('reports a column header that lacks a column, and every row of its section', async () => {
    const text = report([sb()]).replace(',"Fee Currency"', '');
    const { rows, errors } = await readSettlement(writeFile(temp.dir, 'p.csv', text));
    expect(rows).toEqual([]);
    expect(errors).toEqual([
      {
        line: 4,
        field: 'CH',
        reason:
          'missing column(s) Fee Currency: the transaction rows of this section cannot be read',
      },
      { line: 5, field: 'SB', reason: 'the column header on line 4 lacks Fee Currency' },
    ]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { MAX_AMOUNT_MINOR, allCurrencyCodes, toCurrency } from '../../../src/money/index.js';
import { openSettlement } from '../../../src/reconcile/formats/index.js';
import {
  PAYOPS_SETTLEMENT_HEADER_LINE,
  formatPayopsSettlementRow,
} from '../../../src/reconcile/settlement-file/payops.js';
import {
  SETTLEMENT_ROW_TYPES,
  type SettlementRow,
  type SettlementRowType,
} from '../../../src/reconcile/types.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { SETTLEMENT_FIXTURES, readSettlement, writeFile } from '../../helpers/settlement.js';

const temp = tempDirPerTest('payops-settlement-');

const FIXTURE = path.join(SETTLEMENT_FIXTURES, 'payops.csv');
const USD = toCurrency('USD');
const JPY = toCurrency('JPY');
const KWD = toCurrency('KWD');

function row(line: number, type: SettlementRowType, fields: Partial<SettlementRow>): SettlementRow {
  return {
    line,
    type,
    pspReference: null,
    merchantReference: null,
    batchId: null,
    currency: USD,
    grossMinor: 0n,
    feeMinor: 0n,
    netMinor: 0n,
    occurredAt: '',
    availableOn: null,
    providerType: type,
    ...fields,
  };
}

const HEADER = PAYOPS_SETTLEMENT_HEADER_LINE;
const GOOD = 'capture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00.000Z,2026-11-25';

describe('payops format: the fixture', () => {
  it('reads every row type with signs, fees, nets, batches and UTC times exactly', async () => {
    const { format, rows, errors } = await readSettlement(FIXTURE);
    expect(format).toBe('payops');
    expect(errors).toEqual([]);
    const batch1 = { batchId: 'po_sim_0001', availableOn: '2026-11-25' };
    expect(rows).toEqual([
      row(2, 'capture', {
        ...batch1,
        pspReference: 'ch_sim_00000001',
        merchantReference: 'ord_00000001',
        grossMinor: 2500n,
        feeMinor: 103n,
        netMinor: 2397n,
        occurredAt: '2026-11-23T10:15:00.000Z',
      }),
      row(3, 'capture', {
        ...batch1,
        pspReference: 'ch_sim_00000002',
        merchantReference: 'ord_00000002',
        grossMinor: 4000n,
        feeMinor: 146n,
        netMinor: 3854n,
        occurredAt: '2026-11-23T10:16:30.250Z',
      }),
      row(4, 'refund', {
        ...batch1,
        pspReference: 're_sim_00000001',
        merchantReference: 'ord_00000002',
        grossMinor: -400n,
        feeMinor: 0n,
        netMinor: -400n,
        occurredAt: '2026-11-23T15:02:11.000Z',
      }),
      row(5, 'chargeback', {
        ...batch1,
        pspReference: 'dp_sim_00000001',
        merchantReference: 'ord_00000001',
        grossMinor: -2500n,
        feeMinor: 1500n,
        netMinor: -4000n,
        occurredAt: '2026-11-24T08:00:00.000Z',
      }),
      row(6, 'chargeback_reversal', {
        ...batch1,
        pspReference: 'dp_sim_00000001',
        merchantReference: 'ord_00000001',
        grossMinor: 2500n,
        feeMinor: 0n,
        netMinor: 2500n,
        occurredAt: '2026-11-24T18:45:00.000Z',
      }),
      row(7, 'fee', {
        ...batch1,
        pspReference: 'fee_sim_202611',
        grossMinor: 0n,
        feeMinor: 200n,
        netMinor: -200n,
        occurredAt: '2026-11-24T23:59:59.000Z',
      }),
      row(8, 'adjustment', {
        ...batch1,
        pspReference: 'adj_sim_00000001',
        merchantReference: 'ord_00000001',
        grossMinor: -50n,
        feeMinor: 0n,
        netMinor: -50n,
        occurredAt: '2026-11-24T12:00:00.000Z',
      }),
      row(9, 'payout', {
        ...batch1,
        pspReference: 'po_sim_0001',
        grossMinor: -4101n,
        feeMinor: 0n,
        netMinor: -4101n,
        occurredAt: '2026-11-25T06:00:00.000Z',
      }),
      row(10, 'capture', {
        batchId: 'po_sim_0002',
        availableOn: '2026-11-26',
        currency: JPY,
        pspReference: 'ch_sim_00000003',
        merchantReference: 'ord_00000003',
        grossMinor: 1500n,
        feeMinor: 54n,
        netMinor: 1446n,
        occurredAt: '2026-11-23T11:00:00.000Z',
      }),
      row(11, 'capture', {
        batchId: 'po_sim_0003',
        currency: KWD,
        pspReference: 'ch_sim_00000004',
        merchantReference: 'ord_00000004',
        grossMinor: 12500n,
        feeMinor: 375n,
        netMinor: 12125n,
        occurredAt: '2026-11-23T11:30:00.000Z',
      }),
      row(12, 'payout', {
        batchId: 'po_sim_0002',
        availableOn: '2026-11-26',
        currency: JPY,
        pspReference: 'po_sim_0002',
        grossMinor: -1446n,
        feeMinor: 0n,
        netMinor: -1446n,
        occurredAt: '2026-11-26T06:00:00.000Z',
      }),
    ]);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(SETTLEMENT_ROW_TYPES));
  });

  it('balances each payout batch: Σ net of its rows + its payout = 0', async () => {
    const { rows } = await readSettlement(FIXTURE);
    const batch = rows.filter((r) => r.batchId === 'po_sim_0001');
    expect(batch.reduce((sum, r) => sum + r.netMinor, 0n)).toBe(0n);
  });

  it('reads the same rows from a copy with a byte-order mark and CRLF line ends', async () => {
    const lf = await readSettlement(FIXTURE);
    const text = fs.readFileSync(FIXTURE, 'utf8');
    const variant = await readSettlement(
      writeFile(temp.dir, 'bom-crlf.csv', `\uFEFF${text.replaceAll('\n', '\r\n')}`),
    );
    expect(variant).toEqual(lf);
  });
});

describe('payops format: bad rows', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a bad amount',
      'capture,ch_1,ord_1,po_1,USD,25.0O,1.03,23.97,2026-11-23T10:15:00Z,',
      'gross',
      /"25\.0O" is not a decimal amount/,
    ],
    [
      'an amount with an exponent',
      'capture,ch_1,ord_1,po_1,USD,2.5e1,1.03,23.97,2026-11-23T10:15:00Z,',
      'gross',
      /"2\.5e1" is not a decimal amount/,
    ],
    [
      'an empty amount',
      'capture,ch_1,ord_1,po_1,USD,25.00,,23.97,2026-11-23T10:15:00Z,',
      'fee',
      /is empty/,
    ],
    [
      'more decimals than the currency has',
      'capture,ch_1,ord_1,po_1,USD,25.001,1.03,23.971,2026-11-23T10:15:00Z,',
      'gross',
      /more decimals than USD allows \(2\); payops never rounds/,
    ],
    [
      'decimals on a currency without any',
      'capture,ch_1,ord_1,po_1,JPY,1500.0,54,1446,2026-11-23T10:15:00Z,',
      'gross',
      /more decimals than JPY allows \(0\)/,
    ],
    [
      'an unknown currency',
      'capture,ch_1,ord_1,po_1,XXX,25.00,1.03,23.97,2026-11-23T10:15:00Z,',
      'currency',
      /"XXX" is not an ISO 4217 currency code/,
    ],
    [
      'a lower-case currency',
      'capture,ch_1,ord_1,po_1,usd,25.00,1.03,23.97,2026-11-23T10:15:00Z,',
      'currency',
      /did you mean "USD"\?/,
    ],
    [
      'net ≠ gross − fee',
      'capture,ch_1,ord_1,po_1,USD,25.00,1.03,23.98,2026-11-23T10:15:00Z,',
      'net',
      /^23\.98 is not gross 25\.00 - fee 1\.03 = 23\.97$/,
    ],
    [
      'a time without a zone',
      'capture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00,',
      'occurred_at',
      /add "Z" or an offset/,
    ],
    [
      'an impossible date',
      'capture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-02-30T10:15:00Z,',
      'occurred_at',
      /not a real date/,
    ],
    [
      'a bad available_on',
      'capture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00Z,25/11/2026',
      'available_on',
      /not a date \(expected YYYY-MM-DD\)/,
    ],
    [
      'an unknown type',
      'sale,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00Z,',
      'record_type',
      /"sale" is not one of capture, refund/,
    ],
    [
      'a negative capture',
      'capture,ch_1,ord_1,po_1,USD,-25.00,0.00,-25.00,2026-11-23T10:15:00Z,',
      'gross',
      /a capture row's gross must be positive \(got -25\.00 USD\)/,
    ],
    [
      'a positive refund',
      'refund,re_1,ord_1,po_1,USD,4.00,0.00,4.00,2026-11-23T10:15:00Z,',
      'gross',
      /a refund row's gross must be negative/,
    ],
    [
      'a payout with a fee',
      'payout,po_1,,po_1,USD,-10.00,1.00,-11.00,2026-11-23T10:15:00Z,',
      'fee',
      /a payout row's fee must be 0/,
    ],
    [
      'a fee row with a gross',
      'fee,fee_1,,po_1,USD,1.00,2.00,-1.00,2026-11-23T10:15:00Z,',
      'gross',
      /a fee row's gross must be 0/,
    ],
    [
      'too few fields',
      'capture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00Z',
      'row',
      /has 9 fields; the header has 10/,
    ],
    [
      'a control character',
      'capture,ch_1,ord\u00071,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00Z,',
      'merchant_reference',
      /control character \(U\+0007\)/,
    ],
    [
      'a broken quote',
      'capture,ch_1,"ord_1"x,po_1,USD,25.00,1.03,23.97,2026-11-23T10:15:00Z,',
      'merchant_reference',
      /text after the closing quote/,
    ],
  ];

  it.each(cases)(
    'reports %s with its line and field, and reads the rows after it',
    async (_label, bad, field, reason) => {
      const file = writeFile(temp.dir, 's.csv', `${HEADER}\n${GOOD}\n${bad}\n${GOOD}\n`);
      const { rows, errors } = await readSettlement(file);
      expect(rows.map((r) => r.line)).toEqual([2, 4]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ line: 3, field });
      expect(errors[0]?.reason).toMatch(reason);
    },
  );

  it('refuses a last row with no line break after it, which may have been cut short where it still parses', async () => {
    // `125.00` cut to `12` would still be an amount; here available_on is cut to nothing.
    const cut = GOOD.slice(0, GOOD.lastIndexOf(',') + 1);
    const { rows, errors } = await readSettlement(
      writeFile(temp.dir, 's.csv', `${HEADER}\n${GOOD}\n${cut}`),
    );
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors).toEqual([
      {
        line: 3,
        field: 'csv',
        reason: expect.stringMatching(
          /^the file ends in this row, with no line break after it: it may have been cut short/,
        ),
      },
    ]);
    // The same row with its line break is read: only the missing line end is refused.
    expect(
      (await readSettlement(writeFile(temp.dir, 't.csv', `${HEADER}\n${GOOD}\n${cut}\n`))).errors,
    ).toEqual([]);
  });

  it('keeps formula-looking text as data, never evaluated or altered', async () => {
    const file = writeFile(
      temp.dir,
      's.csv',
      `${HEADER}\ncapture,"=HYPERLINK(""http://evil"")",+ord_1,@batch,USD,25.00,1.03,23.97,2026-11-23T10:15:00Z,\n`,
    );
    const { rows, errors } = await readSettlement(file);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      pspReference: '=HYPERLINK("http://evil")',
      merchantReference: '+ord_1',
      batchId: '@batch',
    });
  });

  it('normalizes an instant with an offset to UTC', async () => {
    const file = writeFile(
      temp.dir,
      's.csv',
      `${HEADER}\ncapture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-23T00:15:00+01:00,\n`,
    );
    const { rows } = await readSettlement(file);
    expect(rows[0]?.occurredAt).toBe('2026-11-22T23:15:00.000Z');
  });

  it('strict: the first bad row throws an InputError naming file:line field', async () => {
    const file = writeFile(
      temp.dir,
      's.csv',
      `${HEADER}\n${GOOD}\n${GOOD.replace('23.97', '23.98')}\n${GOOD}\n`,
    );
    const reader = await openSettlement(file, {
      strict: true,
      onError: () => expect.unreachable(),
    });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const r of reader.rows()) seen.push(r.line);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(3);
    expect((error as InputError).message).toBe(
      `${file}:3 net: 23.98 is not gross 25.00 - fee 1.03 = 23.97`,
    );
    expect(seen).toEqual([2]);
  });

  it('without onError a bad row throws too: no row is dropped without a word', async () => {
    const file = writeFile(temp.dir, 's.csv', `${HEADER}\n${GOOD.replace('USD', 'XYZ')}\n`);
    const reader = await openSettlement(file);
    await expect(async () => {
      for await (const _ of reader.rows());
    }).rejects.toThrow(`${file}:2 currency: "XYZ" is not an ISO 4217 currency code`);
  });

  it('reads a header-only file as no rows', async () => {
    const { rows, errors } = await readSettlement(writeFile(temp.dir, 's.csv', `${HEADER}\n`));
    expect([rows, errors]).toEqual([[], []]);
  });
});

describe('payops format: written and read back', () => {
  const currencyArb = fc.constantFrom(...allCurrencyCodes()).map((code) => toCurrency(code));
  // Formula characters anywhere but first: a cell a spreadsheet would run is never written.
  const textArb = fc.option(
    fc
      .string({
        minLength: 1,
        maxLength: 12,
        unit: fc.constantFrom('a', 'Z', '0', '_', '-', ',', '"', ' ', '=', '+', '@', 'é', '日'),
      })
      .filter((text) => !/^[=+\-@]/.test(text)),
    { nil: null },
  );
  const instantArb = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
    .map((ms) => new Date(ms).toISOString());
  const dayArb = fc.option(
    instantArb.map((iso) => iso.slice(0, 10)),
    { nil: null },
  );
  // Halves of the per-amount limit: gross, fee and net (gross − fee) all stay within it.
  const magnitude = fc.bigInt({ min: 1n, max: MAX_AMOUNT_MINOR / 2n });
  const rowArb = fc
    .record({
      type: fc.constantFrom(...SETTLEMENT_ROW_TYPES),
      a: magnitude,
      b: fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR / 2n }),
      sign: fc.boolean(),
    })
    .map(({ type, a, b, sign }) => {
      // Amounts that keep the sign convention of each type.
      switch (type) {
        case 'capture':
          return { type, grossMinor: a, feeMinor: b };
        case 'refund':
          return { type, grossMinor: -a, feeMinor: sign ? 0n : -b };
        case 'chargeback':
          return { type, grossMinor: -a, feeMinor: b };
        case 'chargeback_reversal':
          return { type, grossMinor: a, feeMinor: sign ? 0n : -b };
        case 'fee':
          return { type, grossMinor: 0n, feeMinor: a };
        case 'adjustment':
          return { type, grossMinor: sign ? a : -a, feeMinor: 0n };
        case 'payout':
          return { type, grossMinor: -a, feeMinor: 0n };
      }
      throw new Error(`no sign convention for settlement row type ${type satisfies never}`);
    });
  const settlementRowArb = fc
    .record({
      amounts: rowArb,
      currency: currencyArb,
      pspReference: textArb,
      merchantReference: textArb,
      batchId: textArb,
      occurredAt: instantArb,
      availableOn: dayArb,
    })
    .map(
      ({ amounts, ...rest }): Omit<SettlementRow, 'line'> => ({
        ...rest,
        ...amounts,
        netMinor: amounts.grossMinor - amounts.feeMinor,
        providerType: amounts.type,
      }),
    );

  it('reads back exactly the rows it wrote, in order, with their lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(settlementRowArb, { maxLength: 20 }), async (written) => {
        const file = writeFile(
          temp.dir,
          'roundtrip.csv',
          `${[HEADER, ...written.map((r) => formatPayopsSettlementRow({ ...r, line: 0 }))].join('\n')}\n`,
        );
        const { rows, errors } = await readSettlement(file);
        expect(errors).toEqual([]);
        expect(rows).toEqual(written.map((r, index) => ({ ...r, line: index + 2 })));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses to write a row it could not read back', () => {
    const base = row(0, 'capture', {
      grossMinor: 100n,
      feeMinor: 1n,
      netMinor: 99n,
      occurredAt: '2026-11-23T10:15:00.000Z',
    });
    expect(() => formatPayopsSettlementRow({ ...base, netMinor: 98n })).toThrow(RangeError);
    expect(() => formatPayopsSettlementRow({ ...base, merchantReference: 'a\nb' })).toThrow(
      RangeError,
    );
    expect(() => formatPayopsSettlementRow({ ...base, merchantReference: '' })).toThrow(RangeError);
    for (const formula of ['=HYPERLINK("http://evil.example")', '+1', '-2+3', '@SUM(1)']) {
      expect(() => formatPayopsSettlementRow({ ...base, pspReference: formula })).toThrow(
        /starts like a spreadsheet formula/,
      );
    }
    expect(formatPayopsSettlementRow({ ...base, pspReference: 'ch_1=2' })).toBe(
      'capture,ch_1=2,,,USD,1.00,0.01,0.99,2026-11-23T10:15:00.000Z,',
    );
    expect(formatPayopsSettlementRow({ ...base, merchantReference: 'a,"b"' })).toBe(
      'capture,,"a,""b""",,USD,1.00,0.01,0.99,2026-11-23T10:15:00.000Z,',
    );
  });

  it('keeps the extremes of the per-amount limit, and refuses one minor unit beyond it (issue 14 item 3)', async () => {
    const at = (minor: bigint) =>
      row(0, 'adjustment', {
        grossMinor: minor,
        netMinor: minor,
        occurredAt: '2026-11-23T10:15:00.000Z',
      });
    const extremes = [at(MAX_AMOUNT_MINOR), at(-MAX_AMOUNT_MINOR), at(MAX_AMOUNT_MINOR + 1n)];
    const file = writeFile(
      temp.dir,
      'x.csv',
      `${[HEADER, ...extremes.map(formatPayopsSettlementRow)].join('\n')}\n`,
    );
    const { rows, errors } = await readSettlement(file);
    expect(rows.map((r) => r.grossMinor)).toEqual([MAX_AMOUNT_MINOR, -MAX_AMOUNT_MINOR]);
    expect(errors).toEqual([
      {
        line: 4,
        field: 'gross',
        reason: '"10000000000000.01" is more than one amount may be (10000000000000.00 USD)',
      },
    ]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { openSettlement } from '../../../src/reconcile/formats/index.js';
import { SETTLEMENT_ROW_TYPES } from '../../../src/reconcile/types.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { SETTLEMENT_FIXTURES, readSettlement, writeFile } from '../../helpers/settlement.js';

const temp = tempDirPerTest('payops-stripe-');

const FIXTURE = path.join(SETTLEMENT_FIXTURES, 'stripe.csv');
const PAYOUT = 'po_1QkR8vLkdIwHu7ix0f3cZ9Xy';
const HEADER =
  'automatic_payout_id,balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,source_id,description,payment_metadata[order_id]';
const GOOD =
  'po_1,txn_1,2026-11-23 10:15:00,2026-11-25,usd,25.00,1.03,23.97,charge,ch_1,Payment,ord_1';

describe('stripe format: the fixture', () => {
  it('reads every reporting category it maps, with Stripe signs turned into payops signs', async () => {
    const { format, rows, errors } = await readSettlement(FIXTURE);
    expect(format).toBe('stripe');
    expect(errors).toEqual([]);
    const usd = { currency: 'USD', batchId: PAYOUT, availableOn: '2026-11-25' };
    expect(rows).toEqual([
      {
        line: 2,
        type: 'capture',
        pspReference: 'ch_3QkP1aLkdIwHu7ix1Ab9CdEf',
        merchantReference: 'ord_00000001',
        ...usd,
        grossMinor: 2500n,
        feeMinor: 103n,
        netMinor: 2397n,
        occurredAt: '2026-11-23T10:15:00.000Z',
        providerType: 'charge',
      },
      {
        line: 3,
        type: 'capture',
        pspReference: 'ch_3QkP2bLkdIwHu7ix2Bc0DeFg',
        merchantReference: 'ord_00000002',
        ...usd,
        grossMinor: 4000n,
        feeMinor: 146n,
        netMinor: 3854n,
        occurredAt: '2026-11-23T10:16:30.000Z',
        providerType: 'charge',
      },
      {
        line: 4,
        type: 'refund',
        pspReference: 're_3QkP2bLkdIwHu7ix0aBcDeFg',
        merchantReference: 'ord_00000002',
        ...usd,
        grossMinor: -400n,
        feeMinor: 0n,
        netMinor: -400n,
        occurredAt: '2026-11-23T15:02:11.000Z',
        providerType: 'refund',
      },
      {
        line: 5,
        type: 'chargeback',
        pspReference: 'dp_1QkQ3cLkdIwHu7ixZ9y8X7w6',
        merchantReference: 'ord_00000001',
        ...usd,
        grossMinor: -2500n,
        feeMinor: 1500n,
        netMinor: -4000n,
        occurredAt: '2026-11-24T08:00:00.000Z',
        providerType: 'dispute',
      },
      {
        line: 6,
        type: 'chargeback_reversal',
        pspReference: 'dp_1QkQ3cLkdIwHu7ixZ9y8X7w6',
        merchantReference: 'ord_00000001',
        ...usd,
        grossMinor: 2500n,
        feeMinor: 0n,
        netMinor: 2500n,
        occurredAt: '2026-11-24T18:45:00.000Z',
        providerType: 'dispute_reversal',
      },
      // Stripe writes a standalone fee as gross -2.00, fee 0: payops keeps it in the fee column.
      {
        line: 7,
        type: 'fee',
        pspReference: null,
        merchantReference: null,
        ...usd,
        grossMinor: 0n,
        feeMinor: 200n,
        netMinor: -200n,
        occurredAt: '2026-11-24T23:59:59.000Z',
        providerType: 'fee',
      },
      {
        line: 8,
        type: 'adjustment',
        pspReference: 'adj_1QkQ6fLkdIwHu7ixKl3Mn4Op',
        merchantReference: null,
        ...usd,
        grossMinor: -50n,
        feeMinor: 0n,
        netMinor: -50n,
        occurredAt: '2026-11-24T12:00:00.000Z',
        providerType: 'other_adjustment',
      },
      {
        line: 9,
        type: 'payout',
        pspReference: PAYOUT,
        merchantReference: null,
        ...usd,
        grossMinor: -4101n,
        feeMinor: 0n,
        netMinor: -4101n,
        occurredAt: '2026-11-25T06:00:00.000Z',
        providerType: 'payout',
      },
      {
        line: 10,
        type: 'capture',
        pspReference: 'ch_3QkP7gLkdIwHu7ix7Gh8IjKl',
        merchantReference: 'ord_00000003',
        currency: 'JPY',
        batchId: 'po_1QkS9wLkdIwHu7ix1g4dA0Yz',
        availableOn: '2026-11-26',
        grossMinor: 1500n,
        feeMinor: 54n,
        netMinor: 1446n,
        occurredAt: '2026-11-23T11:00:00.000Z',
        providerType: 'charge',
      },
      // A payout row without automatic_payout_id is its own batch.
      {
        line: 11,
        type: 'payout',
        pspReference: 'po_1QkS9wLkdIwHu7ix1g4dA0Yz',
        merchantReference: null,
        currency: 'JPY',
        batchId: 'po_1QkS9wLkdIwHu7ix1g4dA0Yz',
        availableOn: '2026-11-26',
        grossMinor: -1446n,
        feeMinor: 0n,
        netMinor: -1446n,
        occurredAt: '2026-11-26T06:00:00.000Z',
        providerType: 'payout',
      },
    ]);
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(SETTLEMENT_ROW_TYPES));
    for (const batch of new Set(rows.map((row) => row.batchId))) {
      expect(
        rows.filter((row) => row.batchId === batch).reduce((sum, row) => sum + row.netMinor, 0n),
      ).toBe(0n);
    }
  });

  it('reads the same rows with a byte-order mark and CRLF line ends', async () => {
    const text = fs.readFileSync(FIXTURE, 'utf8');
    expect(
      await readSettlement(writeFile(temp.dir, 'v.csv', `\uFEFF${text.replaceAll('\n', '\r\n')}`)),
    ).toEqual(await readSettlement(FIXTURE));
  });
});

describe('stripe format: columns and references', () => {
  it('falls back to refund_metadata[order_id], then to the description of a payment row', async () => {
    const header =
      'automatic_payout_id,balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,source_id,description,refund_metadata[order_id]';
    const file = writeFile(
      temp.dir,
      's.csv',
      `${header}\npo_1,txn_1,2026-11-23 10:15:00,usd,-4.00,0.00,-4.00,refund,re_1,Refund,ord_9\npo_1,txn_2,2026-11-23 10:15:00,usd,5.00,0.20,4.80,charge,ch_2,Order ord_7,\npo_1,txn_3,2026-11-23 10:15:00,usd,-1.00,0.00,-1.00,other_adjustment,adj_1,Correction,\n`,
    );
    const { rows, errors } = await readSettlement(file);
    expect(errors).toEqual([]);
    expect(rows.map((row) => row.merchantReference)).toEqual(['ord_9', 'Order ord_7', null]);
    expect(rows.map((row) => row.availableOn)).toEqual([null, null, null]);
  });

  it('treats a credited Stripe fee as an adjustment', async () => {
    const { rows } = await readSettlement(
      writeFile(
        temp.dir,
        's.csv',
        `${HEADER}\npo_1,txn_1,2026-11-23 10:15:00,,usd,3.00,0.00,3.00,fee,,Fee credit,\n`,
      ),
    );
    expect(rows).toMatchObject([
      { type: 'adjustment', grossMinor: 0n, feeMinor: -300n, netMinor: 300n },
    ]);
  });

  it('accepts created_utc written in ISO 8601 with a zone', async () => {
    const { rows } = await readSettlement(
      writeFile(
        temp.dir,
        's.csv',
        `${HEADER}\n${GOOD.replace('2026-11-23 10:15:00', '2026-11-23T11:15:00+01:00')}\n`,
      ),
    );
    expect(rows[0]?.occurredAt).toBe('2026-11-23T10:15:00.000Z');
  });

  it('names the missing columns when --format stripe is forced on another file', async () => {
    const file = writeFile(
      temp.dir,
      's.csv',
      'balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,payout_id\n',
    );
    const error = await openSettlement(file, { format: 'stripe' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      `${file}:1 header: not a stripe settlement file (missing: automatic_payout_id)`,
    );
  });

  it('ignores an extra column it does not know when the format is forced', async () => {
    const file = writeFile(temp.dir, 's.csv', `${HEADER},new_stripe_column\n${GOOD},x\n`);
    await expect(openSettlement(file)).rejects.toThrow(
      /not a known settlement format; closest is stripe \(unexpected: new_stripe_column\)/,
    );
    const { rows, errors } = await readSettlement(file, { format: 'stripe' });
    expect([rows.length, errors]).toEqual([1, []]);
  });
});

describe('stripe format: bad rows', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a decimal comma, which splits the amount in two fields',
      GOOD.replace('25.00', '25,00'),
      'row',
      /has 13 fields; the header has 12/,
    ],
    [
      'an amount with an exponent',
      GOOD.replace('25.00', '2.5E1'),
      'gross',
      /"2\.5E1" is not a decimal amount/,
    ],
    [
      'more decimals than the currency has',
      GOOD.replace('25.00,1.03,23.97', '25.005,1.03,23.975'),
      'gross',
      /more decimals than USD allows/,
    ],
    [
      'decimals on a yen amount',
      GOOD.replace('usd,25.00,1.03,23.97', 'jpy,1500.5,54,1446.5'),
      'gross',
      /more decimals than JPY allows \(0\)/,
    ],
    [
      'an unknown currency',
      GOOD.replace('usd', 'usx'),
      'currency',
      /"USX" is not an ISO 4217 currency code/,
    ],
    [
      'net ≠ gross − fee',
      GOOD.replace('23.97', '23.96'),
      'net',
      /23\.96 is not gross 25\.00 - fee 1\.03 = 23\.97/,
    ],
    [
      'a bad created_utc',
      GOOD.replace('2026-11-23 10:15:00', '11/23/2026 10:15'),
      'created_utc',
      /not a date and time \(expected YYYY-MM-DD HH:MM:SS\)/,
    ],
    [
      'an impossible created_utc',
      GOOD.replace('2026-11-23 10:15:00', '2026-11-31 10:15:00'),
      'created_utc',
      /not a real date/,
    ],
    [
      'an unknown category',
      GOOD.replace('charge,', 'bonus,'),
      'reporting_category',
      /"bonus" is not a Stripe reporting category payops knows/,
    ],
    [
      'a negative charge',
      GOOD.replace('25.00,1.03,23.97', '-25.00,0.00,-25.00'),
      'gross',
      /a capture row's gross must be positive/,
    ],
    [
      'a control character in a description',
      GOOD.replace('Payment', 'Pay\u0000ment'),
      'description',
      /control character \(U\+0000\)/,
    ],
  ];

  it.each(cases)(
    'reports %s with its line and field, and reads on',
    async (_label, bad, field, reason) => {
      const { rows, errors } = await readSettlement(
        writeFile(temp.dir, 's.csv', `${HEADER}\n${GOOD}\n${bad}\n${GOOD}\n`),
      );
      expect(rows.map((row) => row.line)).toEqual([2, 4]);
      expect(errors).toEqual([{ line: 3, field, reason: expect.stringMatching(reason) }]);
    },
  );

  it('strict: stops at the first bad row with file:line field', async () => {
    const file = writeFile(
      temp.dir,
      's.csv',
      `${HEADER}\n${GOOD}\n${GOOD.replace('usd', 'usx')}\n`,
    );
    const reader = await openSettlement(file, { strict: true });
    await expect(async () => {
      for await (const _ of reader.rows());
    }).rejects.toThrow(`${file}:3 currency: "USX" is not an ISO 4217 currency code`);
  });
});

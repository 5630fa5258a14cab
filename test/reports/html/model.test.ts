import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../../src/money/index.js';
import { type OpenItem, ageBucketOf } from '../../../src/reports/html/items.js';
import { bridgeView, classAges, flowsByCurrency } from '../../../src/reports/html/model.js';

const EUR = toCurrency('EUR');
const JPY = toCurrency('JPY');
const zero = {
  payInsMinor: 0n,
  refundsMinor: 0n,
  chargebacksMinor: 0n,
  payoutsMinor: 0n,
  feesMinor: 0n,
};

describe('HTML report: data to page model', () => {
  it('flows: one series per currency over every day of the range, zeros on quiet days, exact totals', () => {
    const flows = flowsByCurrency(
      [
        { ...zero, day: '2026-11-02', currency: JPY, payInsMinor: 1500n },
        { ...zero, day: '2026-11-01', currency: EUR, payInsMinor: 12_345n, feesMinor: 37n },
        {
          ...zero,
          day: '2026-11-03',
          currency: EUR,
          refundsMinor: 500n,
          payoutsMinor: 9_007_199_254_740_993n,
        },
      ],
      { begin: '2026-11-01', end: '2026-11-04' },
    );
    expect(flows.map((flow) => flow.currency)).toEqual(['EUR', 'JPY']);
    const eur = flows[0]!;
    expect(eur.days).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(eur.series.payIns.map((m) => m.amount)).toEqual(['123.45', '0.00', '0.00']);
    expect(eur.series.refunds.map((m) => m.amount)).toEqual(['0.00', '0.00', '5.00']);
    // Beyond 2^53 the table's figure stays exact.
    expect(eur.totals.payouts).toEqual({
      amount: '90071992547409.93',
      currency: 'EUR',
      amountMinor: '9007199254740993',
    });
    expect(eur.totals.fees.amount).toBe('0.37');
    expect(flows[1]!.series.payIns.map((m) => m.amount)).toEqual(['0', '1500', '0']);
  });

  it('open items: counted per class and age bucket, money per currency', () => {
    const item = (
      itemClass: OpenItem['class'],
      ageDays: number,
      amountMinor: bigint,
      currency = EUR,
    ): OpenItem => ({
      itemId: `rm_${itemClass}_${ageDays}`,
      psp: 'sim',
      class: itemClass,
      subject: 's',
      batchId: null,
      currency,
      amountMinor,
      firstSeenAt: '2026-11-01T00:00:00.000Z',
      ageDays,
      ageBucket: ageBucketOf(ageDays),
    });
    const lines = classAges([
      item('duplicate', 0, 100n),
      item('duplicate', 9, 250n),
      item('duplicate', 31, 7n, JPY),
      item('amount_mismatch', 7, -3n),
    ]);
    expect(lines.map((line) => line.class)).toEqual(['amount_mismatch', 'duplicate']);
    expect(lines[1]).toEqual({
      class: 'duplicate',
      count: 3,
      ages: [
        { bucket: '0-1 days', count: 1 },
        { bucket: '2-7 days', count: 0 },
        { bucket: '8-30 days', count: 1 },
        { bucket: 'over 30 days', count: 1 },
      ],
      money: [
        { amount: '3.50', currency: 'EUR', amountMinor: '350' },
        { amount: '7', currency: 'JPY', amountMinor: '7' },
      ],
    });
    expect(lines[0]!.ages[1]).toEqual({ bucket: '2-7 days', count: 1 });
    expect([ageBucketOf(1), ageBucketOf(2), ageBucketOf(30), ageBucketOf(31)]).toEqual([
      '0-1 days',
      '2-7 days',
      '8-30 days',
      'over 30 days',
    ]);
  });

  it('a bridge: signed contributions that add up to the net of the rows, payout and difference beside it', () => {
    const view = bridgeView('sim', {
      batchId: 'po_1',
      currency: EUR,
      rows: 5,
      capturesMinor: '10000',
      feesMinor: '290',
      refundsMinor: '-1500',
      chargebacksMinor: '-2000',
      adjustmentsMinor: '35',
      rowsNetMinor: '6245',
      payoutMinor: '6200',
      differenceMinor: '-45',
      settledMinor: '6245',
      status: 'unbalanced',
    });
    const parts = [view.gross, view.fees, view.refunds, view.chargebacks, view.adjustments].map(
      (m) => BigInt(m.amountMinor),
    );
    expect(parts.reduce((sum, part) => sum + part, 0n)).toBe(BigInt(view.rowsNet.amountMinor));
    expect(view.fees.amount).toBe('-2.90');
    expect(view.payout?.amount).toBe('62.00');
    expect(view.difference?.amount).toBe('-0.45');
    expect(view.status).toBe('unbalanced');
  });
});

import { type Currency, formatAmount, moneyJson } from '../money/index.js';
import type { Palette } from '../output/palette.js';
import { csvNumeric, csvRow } from '../csv-cells.js';
import type { DailyLine, DaysWithMoney } from './daily.js';
import { renderTable } from './table.js';

/** `report daily` as JSON (before the contract's check), CSV and text: data in, strings out. */

export function dailyJson(line: DailyLine) {
  const money = (minor: bigint) => moneyJson(minor, line.currency);
  return {
    currency: line.currency,
    payIns: { count: line.payIns.count, amount: money(line.payIns.amountMinor) },
    refunds: { count: line.refunds.count, amount: money(line.refunds.amountMinor) },
    chargebacks: {
      count: line.chargebacks.count,
      amount: money(line.chargebacks.amountMinor),
      fees: money(line.chargebacks.feesMinor),
    },
    payouts: { count: line.payouts.count, amount: money(line.payouts.amountMinor) },
    pspFees: money(line.pspFeesMinor),
    platformFees: money(line.platformFeesMinor),
  };
}

/** One row per currency: no figure repeats across rows. */
export function dailyCsv(date: string, lines: readonly DailyLine[]): string {
  const header = [
    'date',
    'currency',
    'pay_ins_count',
    'pay_ins_amount',
    'refunds_count',
    'refunds_amount',
    'chargebacks_count',
    'chargebacks_amount',
    'chargeback_fees',
    'payouts_count',
    'payouts_amount',
    'psp_fees',
    'platform_fees',
  ];
  const rows = lines.map((line) => {
    const amount = (minor: bigint) => csvNumeric(formatAmount(minor, line.currency));
    return csvRow([
      date,
      line.currency,
      String(line.payIns.count),
      amount(line.payIns.amountMinor),
      String(line.refunds.count),
      amount(line.refunds.amountMinor),
      String(line.chargebacks.count),
      amount(line.chargebacks.amountMinor),
      amount(line.chargebacks.feesMinor),
      String(line.payouts.count),
      amount(line.payouts.amountMinor),
      amount(line.pspFeesMinor),
      amount(line.platformFeesMinor),
    ]);
  });
  return csvRow(header) + rows.join('');
}

/** The day in words: a table per currency, or why there is nothing and which days have money. */
export function renderDaily(
  color: Palette,
  date: string,
  chosen: 'given' | 'last-day-with-money',
  lines: readonly DailyLine[],
  days: DaysWithMoney,
): string {
  if (lines.length === 0) {
    if (days.last === null)
      return `${date} (UTC, by effective date): no money moved; the ledger is empty`;
    const nearest = [
      days.before && `${days.before} (before)`,
      days.after && `${days.after} (after)`,
    ]
      .filter(Boolean)
      .join(', ');
    return `${date} (UTC, by effective date): no money moved. Nearest days with money: ${nearest}; the ledger runs from ${days.first} to ${days.last}. Try --date ${days.before ?? days.after}`;
  }
  const note =
    chosen === 'last-day-with-money' ? ', the last day with money (give --date for another)' : '';
  const f = (minor: bigint, currency: Currency) => formatAmount(minor, currency);
  return (
    `${color.bold(date)} (UTC, by effective date${note})\n` +
    renderTable(
      [
        { header: 'currency' },
        { header: 'pay-ins', align: 'right' },
        { header: 'refunds', align: 'right' },
        { header: 'chargebacks', align: 'right' },
        { header: 'payouts', align: 'right' },
        { header: 'PSP fees', align: 'right' },
        { header: 'platform fees', align: 'right' },
      ],
      lines.map((l) => [
        l.currency,
        `${l.payIns.count} · ${f(l.payIns.amountMinor, l.currency)}`,
        `${l.refunds.count} · ${f(l.refunds.amountMinor, l.currency)}`,
        `${l.chargebacks.count} · ${f(l.chargebacks.amountMinor, l.currency)} + ${f(l.chargebacks.feesMinor, l.currency)}`,
        `${l.payouts.count} · ${f(l.payouts.amountMinor, l.currency)}`,
        f(l.pspFeesMinor, l.currency),
        f(l.platformFeesMinor, l.currency),
      ]),
    )
  );
}

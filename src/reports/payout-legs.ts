import type { z } from 'zod';
import type { LegsReport, PayoutLegs } from '../bank/legs.js';
import type { Palette } from '../output/palette.js';
import { type Currency, formatAmount, moneyJson } from '../money/index.js';
import { amount, csvTable, text } from '../output/csv.js';
import type { reconcilePayoutsSchema } from '../output/payout-legs.js';
import { renderTable } from './table.js';

const KIND = { psp_payout: 'psp-payout', seller_payout: 'seller-payout' } as const;

export function payoutLegsJson(report: LegsReport): z.input<typeof reconcilePayoutsSchema> {
  return {
    dateBasis: report.dateBasis,
    psp: report.psp,
    open: report.openOnly,
    payouts: report.lines.map((line) => ({
      kind: KIND[line.kind],
      psp: line.psp,
      payout: line.payout,
      currency: line.currency,
      books: moneyJson(line.booksMinor, line.currency),
      pspLeg: {
        amount: moneyJson(line.pspMinor, line.currency),
        at: line.pspDate,
        reference: line.pspReference,
      },
      bankLeg: line.bank
        ? {
            amount: moneyJson(line.bank.amountMinor, line.currency),
            bookingDate: line.bank.bookingDate,
            entry: line.bank.source,
          }
        : null,
      difference: moneyJson(line.differenceMinor, line.currency),
      inTransit: moneyJson(line.inTransitMinor, line.currency),
      status: line.status,
      openItemId: line.openItemId,
    })),
    totals: report.totals.map((total) => ({
      kind: KIND[total.kind],
      currency: total.currency,
      payouts: total.payouts,
      books: moneyJson(total.booksMinor, total.currency),
      psp: moneyJson(total.pspMinor, total.currency),
      bank: moneyJson(total.bankMinor, total.currency),
      difference: moneyJson(total.differenceMinor, total.currency),
      inTransit: moneyJson(total.inTransitMinor, total.currency),
    })),
  };
}

/** One row per payout and no total rows: each figure is on one row only, so a spreadsheet's sums are the JSON's totals. */
export function payoutLegsCsv(report: LegsReport): string {
  return csvTable(
    [
      'kind',
      'psp',
      'payout',
      'currency',
      'books',
      'psp_amount',
      'psp_at',
      'psp_reference',
      'bank_amount',
      'bank_booking_date',
      'bank_entry',
      'difference',
      'in_transit',
      'status',
      'open_item_id',
    ],
    report.lines.map((line) => [
      text(KIND[line.kind]),
      text(line.psp),
      text(line.payout),
      text(line.currency),
      amount(line.booksMinor, line.currency),
      amount(line.pspMinor, line.currency),
      text(line.pspDate),
      text(line.pspReference),
      amount(line.bank?.amountMinor ?? null, line.currency),
      text(line.bank?.bookingDate ?? null),
      text(line.bank?.source ?? null),
      amount(line.differenceMinor, line.currency),
      amount(line.inTransitMinor, line.currency),
      text(line.status),
      text(line.openItemId),
    ]),
  );
}

export function renderPayoutLegs(report: LegsReport, color: Palette): string {
  const header = `Three legs per payout${report.psp ? ` of ${report.psp}` : ''}${report.openOnly ? ', still in transit' : ''} (date basis: settled: the PSP's payout day, the seller payout's send)`;
  if (report.lines.length === 0)
    return `${header}\n${color.green(report.openOnly ? 'nothing in transit' : 'no payouts')}`;
  const money = (minor: bigint | null, currency: Currency) =>
    minor === null ? '—' : formatAmount(minor, currency);
  const rows = report.lines.map((line: PayoutLegs) => [
    KIND[line.kind],
    line.psp,
    line.payout,
    line.currency,
    money(line.booksMinor, line.currency),
    money(line.pspMinor, line.currency),
    line.pspDate?.slice(0, 10) ?? '—',
    money(line.bank?.amountMinor ?? null, line.currency),
    line.bank?.bookingDate ?? '—',
    line.bank?.source ?? '—',
    money(line.inTransitMinor, line.currency),
    line.status,
  ]);
  const table = renderTable(
    [
      { header: 'kind' },
      { header: 'psp' },
      { header: 'payout' },
      { header: 'cur' },
      { header: 'books', align: 'right' },
      { header: 'psp paid', align: 'right' },
      { header: 'paid on' },
      { header: 'bank', align: 'right' },
      { header: 'booked' },
      { header: 'entry' },
      { header: 'in transit', align: 'right' },
      { header: 'status' },
    ],
    rows,
    (cell, row, column) =>
      column === 11 && !['received', 'written off'].includes(report.lines[row]?.status ?? '')
        ? color.yellow(cell)
        : cell,
  );
  const totals = report.totals.map(
    (total) =>
      `total ${KIND[total.kind]} ${total.currency}: ${total.payouts} payout${total.payouts === 1 ? '' : 's'}, books ${formatAmount(total.booksMinor, total.currency)}, psp ${formatAmount(total.pspMinor, total.currency)}, bank ${formatAmount(total.bankMinor, total.currency)}, difference ${formatAmount(total.differenceMinor, total.currency)}, in transit ${formatAmount(total.inTransitMinor, total.currency)}`,
  );
  return [header, table, ...totals].join('\n');
}

import { type Currency, formatAmount, moneyJson } from '../money/index.js';
import type { SellerReport } from '../payouts/queries.js';
import { csvNumeric, csvRow, csvText } from '../csv-cells.js';
import { renderTable } from './table.js';

/** `report sellers` and `wallet show`: each seller's wallet per currency, as JSON, CSV or a table. */
export function sellersJson(reports: readonly SellerReport[]) {
  return reports.map((r) => ({
    sellerId: r.sellerId,
    name: r.name,
    account: r.account,
    currency: r.currency,
    pending: moneyJson(r.pendingMinor, r.currency),
    payable: moneyJson(r.payableMinor, r.currency),
    paidOut: moneyJson(r.paidOutMinor, r.currency),
    negative: r.negative,
    lastPayout: r.lastPayout && {
      payoutId: r.lastPayout.payoutId,
      amount: moneyJson(r.lastPayout.amountMinor, r.currency),
      status: r.lastPayout.status,
      at: r.lastPayout.at,
    },
  }));
}

export function sellersCsv(reports: readonly SellerReport[]): string {
  const header = [
    'seller',
    'name',
    'account',
    'currency',
    'pending',
    'payable',
    'paid_out',
    'negative',
    'last_payout',
    'last_payout_status',
  ];
  const rows = reports.map((r) => {
    const amount = (minor: bigint) => csvNumeric(formatAmount(minor, r.currency));
    return csvRow([
      csvText(r.sellerId),
      csvText(r.name ?? ''),
      csvText(r.account ?? ''),
      r.currency,
      amount(r.pendingMinor),
      amount(r.payableMinor),
      amount(r.paidOutMinor),
      String(r.negative),
      r.lastPayout?.payoutId ?? '',
      r.lastPayout?.status ?? '',
    ]);
  });
  return csvRow(header) + rows.join('');
}

export function renderSellers(reports: readonly SellerReport[]): string {
  const f = (minor: bigint, currency: Currency) => formatAmount(minor, currency);
  return renderTable(
    [
      { header: 'seller' },
      { header: 'currency' },
      { header: 'pending', align: 'right' },
      { header: 'payable', align: 'right' },
      { header: 'paid out', align: 'right' },
      { header: 'account' },
      { header: 'last payout' },
    ],
    reports.map((r) => [
      r.sellerId + (r.negative ? ' (negative)' : ''),
      r.currency,
      f(r.pendingMinor, r.currency),
      f(r.payableMinor, r.currency),
      f(r.paidOutMinor, r.currency),
      r.account ?? '',
      r.lastPayout ? `${r.lastPayout.payoutId} ${r.lastPayout.status}` : '',
    ]),
  );
}

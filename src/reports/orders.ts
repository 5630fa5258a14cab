import { formatAmount } from '../money/index.js';
import type { OrderDetail, OrderSummary } from '../payments/queries.js';
import { renderTable } from './table.js';

/** `orders list`: one line per order (the caller says when there are none). */
export function renderOrderList(rows: readonly OrderSummary[]): string {
  return renderTable(
    [
      { header: 'order' },
      { header: 'seller' },
      { header: 'amount', align: 'right' },
      { header: 'currency' },
      { header: 'status' },
      { header: 'attempts', align: 'right' },
      { header: 'psp ref' },
    ],
    rows.map((order) => [
      order.orderId,
      order.sellerId,
      formatAmount(order.amountMinor, order.currency),
      order.currency,
      order.status,
      String(order.attempts),
      order.pspReference ?? '',
    ]),
  );
}

/** `orders show`: one order, its transitions and its postings. */
export function renderOrder(order: OrderDetail): string {
  const lines = [
    `order ${order.orderId}  ${order.status}  (event ${order.eventId}, payer ${order.payerId}, seller ${order.sellerId})`,
    `  amount ${formatAmount(order.amountMinor, order.currency)} ${order.currency}, platform fee ${formatAmount(order.platformFeeMinor, order.currency)}${order.pspFeeMinor !== null ? `, PSP fee ${formatAmount(order.pspFeeMinor, order.currency)}` : ''}`,
    `  psp ${order.psp}, key ${order.chargeKey}${order.pspReference ? `, reference ${order.pspReference}` : ''}, attempts ${order.attempts}`,
    ...(order.lastError ? [`  last error: ${order.lastError}`] : []),
    ...(order.nextAttemptAt ? [`  next attempt at ${order.nextAttemptAt}`] : []),
    ...(order.leaseOwner ? [`  leased to ${order.leaseOwner} until ${order.leaseExpiresAt}`] : []),
    '',
    renderTable(
      [
        { header: 'at' },
        { header: 'attempt', align: 'right' },
        { header: 'transition' },
        { header: 'cause' },
      ],
      order.transitions.map((t) => [
        t.at,
        String(t.attempt),
        `${t.from ?? '·'} → ${t.to}`,
        t.cause,
      ]),
    ),
  ];
  if (order.ledgerTransactions.length > 0) {
    lines.push(
      '',
      `postings: ${order.ledgerTransactions.map((tx) => `#${tx.txId} ${tx.kind}`).join(', ')} (see \`payops ledger tx ID\`)`,
    );
  }
  return lines.join('\n');
}

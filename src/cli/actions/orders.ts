import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { executionFrom } from '../execution.js';
import type { ExecutionFlags } from '../psp-options.js';
import { renderTable } from '../../reports/table.js';
import type { OrderDetail } from '../../payments/queries.js';
import { listOrders, showOrder } from '../../payments/queries.js';
import { formatAmount } from '../../money/index.js';
import * as output from '../../output/orders.js';
import { orderShowJson, orderShowSchema } from '../../output/orders.js';
import { contractJson } from '../../output/contract.js';
import { PayinExecutor } from '../../payments/executor.js';

function renderOrder(
  order: OrderDetail,
  formatAmount: (minor: bigint, currency: OrderDetail['currency']) => string,
): string {
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

export type OrdersListFlags = { status?: string; limit?: number; json?: boolean; csv?: boolean };
export type OrdersShowFlags = { json?: boolean };
export type OrdersSyncFlags = ExecutionFlags & { json?: boolean };

export async function ordersList(context: CliContext, flags: OrdersListFlags): Promise<void> {
  const rows = await withDatabase(context, (db) =>
    listOrders(db, { status: flags.status as never, limit: flags.limit }),
  );
  if (flags.json) {
    context.out(contractJson(output.ordersListSchema, rows.map(output.orderSummaryJson)));
    return;
  }
  if (flags.csv) {
    context.out(output.ordersCsv(rows));
    return;
  }
  if (rows.length === 0) {
    context.out(flags.status === undefined ? 'no orders' : `no orders in status ${flags.status}`);
    return;
  }
  const view = rows.map((order) => ({
    ...order,
    amount: formatAmount(order.amountMinor, order.currency),
  }));
  context.out(
    renderTable(
      [
        { header: 'order' },
        { header: 'seller' },
        { header: 'amount', align: 'right' },
        { header: 'currency' },
        { header: 'status' },
        { header: 'attempts', align: 'right' },
        { header: 'psp ref' },
      ],
      view.map((order) => [
        order.orderId,
        order.sellerId,
        order.amount,
        order.currency,
        order.status,
        String(order.attempts),
        order.pspReference ?? '',
      ]),
    ),
  );
}

export async function ordersShow(
  context: CliContext,
  orderId: string,
  flags: OrdersShowFlags,
): Promise<void> {
  const order = await withDatabase(context, (db) => showOrder(db, orderId));
  if (flags.json) {
    context.out(contractJson(orderShowSchema, orderShowJson(order)));
    return;
  }
  context.out(renderOrder(order, formatAmount));
}

export async function ordersSync(context: CliContext, flags: OrdersSyncFlags): Promise<void> {
  const execution = await executionFrom(context, flags);
  try {
    const tally = await withDatabase(context, (db) =>
      new PayinExecutor(db, execution).syncPending(),
    );
    if (flags.json) {
      context.out(
        contractJson(output.ordersSyncSchema, {
          succeeded: tally.succeeded,
          failed: tally.failed,
        }),
      );
    } else
      context.out(`pending orders settled: succeeded ${tally.succeeded}, failed ${tally.failed}`);
  } finally {
    execution.psp.close();
  }
}

import { type Command, Option } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { executionFrom } from '../cli/execution.js';
import { positiveInteger } from '../cli/options.js';
import { type ExecutionFlags, addExecutionOptions } from '../cli/psp-options.js';
import { renderTable } from '../reports/table.js';
import type { OrderDetail } from '../payments/queries.js';

const STATUSES = [
  'created',
  'executing',
  'succeeded',
  'pending',
  'failed',
  'retry_scheduled',
  'dead_lettered',
  'needs_attention',
];

export function registerOrders(program: Command): void {
  const orders = program
    .command('orders')
    .description('pay-in orders: their state, history and PSP status');

  orders
    .command('list')
    .description('list orders, optionally in one status')
    .addOption(new Option('--status <status>', 'only orders in this status').choices(STATUSES))
    .option('--limit <n>', 'at most N orders', positiveInteger)
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples(
        'payops orders list --status pending',
        'payops orders list --json --limit 10',
        'payops orders list --csv > orders.csv',
      ),
    )
    .action(
      async (
        flags: { status?: string; limit?: number; json?: boolean; csv?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { listOrders } = await import('../payments/queries.js');
        const { formatAmount } = await import('../money/index.js');
        const rows = await withDatabase(context, (db) =>
          listOrders(db, { status: flags.status as never, limit: flags.limit }),
        );
        const output = await import('../output/orders.js');
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          context.out(contractJson(output.ordersListSchema, rows.map(output.orderSummaryJson)));
          return;
        }
        if (flags.csv) {
          context.out(output.ordersCsv(rows));
          return;
        }
        if (rows.length === 0) {
          context.out(
            flags.status === undefined ? 'no orders' : `no orders in status ${flags.status}`,
          );
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
      },
    );

  orders
    .command('show')
    .description("one order's whole history: attempts, keys, PSP references, postings")
    .argument('<orderId>', 'the order id from the checkout event')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops orders show ord_0001'))
    .action(async (orderId: string, flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { showOrder } = await import('../payments/queries.js');
      const { formatAmount } = await import('../money/index.js');
      const order = await withDatabase(context, (db) => showOrder(db, orderId));
      if (flags.json) {
        const { orderShowJson, orderShowSchema } = await import('../output/orders.js');
        const { contractJson } = await import('../output/contract.js');
        context.out(contractJson(orderShowSchema, orderShowJson(order)));
        return;
      }
      context.out(renderOrder(order, formatAmount));
    });

  addExecutionOptions(
    orders
      .command('sync')
      .description('ask the PSP about every pending order and record what it settled to')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops orders sync'))
    .action(async (flags: ExecutionFlags & { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const execution = await executionFrom(context, flags);
      const { PayinExecutor } = await import('../payments/executor.js');
      try {
        const tally = await withDatabase(context, (db) =>
          new PayinExecutor(db, execution).syncPending(),
        );
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          context.out(
            contractJson((await import('../output/orders.js')).ordersSyncSchema, {
              succeeded: tally.succeeded,
              failed: tally.failed,
            }),
          );
        } else
          context.out(
            `pending orders settled: succeeded ${tally.succeeded}, failed ${tally.failed}`,
          );
      } finally {
        execution.psp.close();
      }
    });
}

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

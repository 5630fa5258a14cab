import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { positiveInteger } from './options.js';
import { addExecutionOptions } from './psp-options.js';
import { lazy } from './lazy.js';
import type { OrdersListFlags, OrdersShowFlags } from './actions/orders.js';
import type { OrdersSyncFlags } from './actions/orders-sync.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/orders.js'));
/** `sync` loads the pay-in executor and a PSP; listing and showing orders do not. */
const syncActions = lazy(() => import('./actions/orders-sync.js'));

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

  ordersList(orders);

  ordersShow(orders);

  ordersSync(orders);
}

function ordersList(orders: Command): void {
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
    .action(async (flags: OrdersListFlags, command: Command) =>
      (await actions()).ordersList(contextOf(command), flags),
    );
}

function ordersShow(orders: Command): void {
  orders
    .command('show')
    .description("one order's whole history: attempts, keys, PSP references, postings")
    .argument('<orderId>', 'the order id from the checkout event')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops orders show ord_0001'))
    .action(async (orderId: string, flags: OrdersShowFlags, command: Command) =>
      (await actions()).ordersShow(contextOf(command), orderId, flags),
    );
}

function ordersSync(orders: Command): void {
  addExecutionOptions(
    orders
      .command('sync')
      .description('ask the PSP about every pending order and record what it settled to')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops orders sync'))
    .action(async (flags: OrdersSyncFlags, command: Command) =>
      (await syncActions()).ordersSync(contextOf(command), flags),
    );
}

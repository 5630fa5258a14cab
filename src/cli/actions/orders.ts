import { type CliContext, withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { listOrders, showOrder } from '../../payments/queries.js';
import { SqliteOrderReads } from '../../payments/sqlite-order-reads.js';
import { renderOrder, renderOrderList } from '../../reports/orders.js';

/** The --json contract (zod schemas) and the CSV: loaded only when --json or --csv is given. */
const formats = lazy(async () => {
  const [{ contractJson }, schemas] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/orders.js'),
  ]);
  return { contractJson, ...schemas };
});

export type OrdersListFlags = { status?: string; limit?: number; json?: boolean; csv?: boolean };
export type OrdersShowFlags = { json?: boolean };

export async function ordersList(context: CliContext, flags: OrdersListFlags): Promise<void> {
  const rows = await withDatabase(context, (db) =>
    listOrders(new SqliteOrderReads(db), { status: flags.status as never, limit: flags.limit }),
  );
  if (flags.json) {
    const { contractJson, ordersListSchema, orderSummaryJson } = await formats();
    context.out(contractJson(ordersListSchema, rows.map(orderSummaryJson)));
    return;
  }
  if (flags.csv) {
    context.out((await formats()).ordersCsv(rows));
    return;
  }
  if (rows.length === 0) {
    context.out(flags.status === undefined ? 'no orders' : `no orders in status ${flags.status}`);
    return;
  }
  context.out(renderOrderList(rows));
}

export async function ordersShow(
  context: CliContext,
  orderId: string,
  flags: OrdersShowFlags,
): Promise<void> {
  const order = await withDatabase(context, (db) => showOrder(new SqliteOrderReads(db), orderId));
  if (flags.json) {
    const { contractJson, orderShowJson, orderShowSchema } = await formats();
    context.out(contractJson(orderShowSchema, orderShowJson(order)));
    return;
  }
  context.out(renderOrder(order));
}

import type BetterSqlite3 from 'better-sqlite3';
import { rebuildTable, replaceOnce } from '../rebuild.js';

/**
 * Migration 8: the same constraints, without a temporary B-tree per row.
 *
 * SQLite evaluates `column IN ('a', 'b', 'c')` (three values or more) by building a temporary
 * B-tree of the list each time the expression runs. In a CHECK constraint or a partial index that
 * is every INSERT and every UPDATE of the column: a pay-in order paid for three of them (one per
 * status change), about a fifth of the instructions its rows cost. Written as comparisons, each
 * constraint allows and refuses exactly the same values and costs a few string compares.
 * SQLite cannot change a constraint in place, so each table is rebuilt with its rows.
 */
interface ValueList {
  table: string;
  column: string;
  values: readonly string[];
}

const ORDER_STATUSES = [
  'created',
  'executing',
  'succeeded',
  'pending',
  'failed',
  'retry_scheduled',
  'dead_lettered',
];
const TRANSFER_STATUSES = [
  'created',
  'executing',
  'succeeded',
  'failed',
  'retry_scheduled',
  'dead_lettered',
];

/** Payouts that were not final when migration 8 built payouts_one_open_per_seller (migration 10 added needs_attention). */
const OPEN_PAYOUT_STATUSES: readonly string[] = [
  'created',
  'executing',
  'retry_scheduled',
  'dead_lettered',
];

/**
 * Payouts that are not final: at most one per seller and currency. A payout in needs_attention
 * has left the bank but is not booked (the payable is still in the wallet): it must keep
 * blocking a second payout of the same payable.
 */
const OPEN_PAYOUT_STATUSES_V10: readonly string[] = [
  'created',
  'executing',
  'retry_scheduled',
  'dead_lettered',
  'needs_attention',
];

/** The index's predicate (as migration 10 rebuilt it, with needs_attention), on a payouts table named `alias` in a query. */
export function openPayoutPredicate(alias: string): string {
  return anyOf(`${alias}.status`, OPEN_PAYOUT_STATUSES_V10);
}

const CHECKED_LISTS: readonly ValueList[] = [
  { table: 'events', column: 'type', values: ['pay_in', 'pay_out', 'refund'] },
  { table: 'orders', column: 'status', values: ORDER_STATUSES },
  { table: 'payouts', column: 'status', values: TRANSFER_STATUSES },
  { table: 'refunds', column: 'status', values: TRANSFER_STATUSES },
];

/** `status IN ('a', 'b')`, as the released migrations wrote it. */
export function inList(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map((value) => `'${value}'`).join(', ')})`;
}

/** `(status = 'a' OR status = 'b')`: the same predicate, evaluated without a temporary table. */
export function anyOf(column: string, values: readonly string[]): string {
  return `(${values.map((value) => `${column} = '${value}'`).join(' OR ')})`;
}

export function applyComparisonChecks(db: BetterSqlite3.Database): void {
  for (const { table, column, values } of CHECKED_LISTS) {
    rebuildTable(db, table, (sql) =>
      replaceOnce(sql, inList(column, values), anyOf(column, values), `${table}.${column}`),
    );
  }
  // The partial unique index that allows one open payout per seller and currency, same predicate.
  // A query uses a partial index only if it states the index's predicate: payouts/plan.ts does,
  // with openPayoutPredicate.
  db.exec(`DROP INDEX payouts_one_open_per_seller;
           CREATE UNIQUE INDEX payouts_one_open_per_seller ON payouts (seller_id, currency) WHERE ${anyOf('status', OPEN_PAYOUT_STATUSES)};`);
}

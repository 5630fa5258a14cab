import type { Database } from '../db/index.js';
import type { Currency } from '../money/index.js';
import { type AccountType, matchesPrefix, toNormalBalance, truncateAccount } from './accounts.js';

export interface AccountBalance {
  account: string;
  currency: Currency;
  type: AccountType;
  /** In the account's normal direction: assets positive when debited, liabilities when credited. */
  balanceMinor: bigint;
  /** Debits minus credits, for totals that must come to zero. */
  debitMinusCreditMinor: bigint;
}

export interface BalanceQuery {
  /** Inclusive upper bound on effective time (ISO, UTC); absent means now, from the maintained balances. */
  asOf?: string;
  /** `assets` keeps `assets` and `assets:…`. */
  accountPrefix?: string;
  /** Roll accounts up to this many segments, as hledger's --depth does. */
  depth?: number;
  /** Keep accounts whose balance is zero. */
  includeZero?: boolean;
}

interface AccountRow {
  id: bigint;
  name: string;
  currency: string;
  type: AccountType;
  balance_minor: bigint;
}

/**
 * Balances per account and currency. Now: straight from the balances maintained at posting, so
 * the cost is O(accounts). As of a past time: per account, the running balance of its last
 * in-order entry at or before that time (one index seek), plus any backdated entries posted after
 * that entry but effective by then (an index range that is empty unless someone backdated), all
 * in one statement (BALANCE_QUERIES.asOf).
 */
export function balances(db: Database, query: BalanceQuery = {}): AccountBalance[] {
  const rows = (
    query.asOf === undefined
      ? db.prepare(BALANCE_QUERIES.now).all()
      : db.prepare(BALANCE_QUERIES.asOf).all({ asOf: query.asOf })
  ) as AccountRow[];
  const byKey = new Map<string, AccountBalance>();
  for (const row of rows) {
    if (query.accountPrefix !== undefined && !matchesPrefix(row.name, query.accountPrefix))
      continue;
    const raw = BigInt(row.balance_minor);
    const name = query.depth === undefined ? row.name : truncateAccount(row.name, query.depth);
    const key = `${name}\u0000${row.currency}`;
    const current = byKey.get(key);
    if (current) {
      current.debitMinusCreditMinor += raw;
      current.balanceMinor = toNormalBalance(current.type, current.debitMinusCreditMinor);
    } else {
      byKey.set(key, {
        account: name,
        currency: row.currency as Currency,
        type: row.type,
        balanceMinor: toNormalBalance(row.type, raw),
        debitMinusCreditMinor: raw,
      });
    }
  }
  return [...byKey.values()]
    .filter((balance) => query.includeZero || balance.debitMinusCreditMinor !== 0n)
    .sort((a, b) =>
      a.account === b.account ? compare(a.currency, b.currency) : compare(a.account, b.account),
    );
}

/** Every account's balance as of @asOf (effective times), backdated postings included. */
const AS_OF_QUERY = `SELECT a.id, a.name, a.currency, a.type,
                COALESCE(last.running_balance_minor, 0) + COALESCE((
                  SELECT SUM(CASE late.direction WHEN 'debit' THEN late.amount_minor ELSE -late.amount_minor END)
                  FROM ledger_entries late
                  WHERE late.account_id = a.id AND late.backdated = 1 AND late.effective_at <= @asOf AND late.id > COALESCE(last.id, 0)
                ), 0) AS balance_minor
         FROM ledger_accounts a
         LEFT JOIN ledger_entries last ON last.id = (
           SELECT e.id FROM ledger_entries e
           WHERE e.account_id = a.id AND e.backdated = 0 AND e.effective_at <= @asOf
           ORDER BY e.effective_at DESC, e.id DESC LIMIT 1)
         ORDER BY a.name, a.currency`;

/** One account's balance as of @asOf: SQLite pushes the filter into the query, so one account is computed, not the book's every one. */
export const ACCOUNT_AS_OF_QUERY = `SELECT type, balance_minor FROM (${AS_OF_QUERY}) WHERE name = @name AND currency = @currency`;

/** Every account with its balance, debits minus credits; test/ledger/balances.test.ts asserts the plans. */
export const BALANCE_QUERIES = {
  now: 'SELECT id, name, currency, type, balance_minor FROM ledger_accounts ORDER BY name, currency',
  asOf: AS_OF_QUERY,
} as const;

/** Why `balances` returned nothing, so the caller can name what matched nothing. */
export type NoBalancesReason = 'empty-ledger' | 'no-account-matches' | 'all-zero';

export function whyNoBalances(db: Database, query: BalanceQuery): NoBalancesReason {
  const names = db.prepare('SELECT DISTINCT name FROM ledger_accounts').pluck().all() as string[];
  if (names.length === 0) return 'empty-ledger';
  const prefix = query.accountPrefix;
  if (prefix !== undefined && !names.some((name) => matchesPrefix(name, prefix)))
    return 'no-account-matches';
  return 'all-zero';
}

/** Totals of debits minus credits per currency: zero for any complete set of accounts. */
export function netByCurrency(rows: readonly AccountBalance[]): Map<Currency, bigint> {
  const totals = new Map<Currency, bigint>();
  for (const row of rows)
    totals.set(row.currency, (totals.get(row.currency) ?? 0n) + row.debitMinusCreditMinor);
  return totals;
}

export interface AccountSummary {
  account: string;
  currency: Currency;
  type: AccountType;
  entries: number;
  balanceMinor: bigint;
  createdAt: string;
}

export function listAccounts(db: Database, accountPrefix?: string): AccountSummary[] {
  const rows = db
    .prepare(
      `SELECT a.name, a.currency, a.type, a.balance_minor, a.created_at,
              (SELECT COUNT(*) FROM ledger_entries e WHERE e.account_id = a.id) AS entries
       FROM ledger_accounts a ORDER BY a.name, a.currency`,
    )
    .all() as {
    name: string;
    currency: string;
    type: AccountType;
    balance_minor: bigint;
    created_at: string;
    entries: bigint;
  }[];
  return rows
    .filter((row) => accountPrefix === undefined || matchesPrefix(row.name, accountPrefix))
    .map((row) => ({
      account: row.name,
      currency: row.currency as Currency,
      type: row.type,
      entries: Number(row.entries),
      balanceMinor: toNormalBalance(row.type, row.balance_minor),
      createdAt: row.created_at,
    }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

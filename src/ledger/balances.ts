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

/** One account's balance as the books hold it: debits minus credits. */
export interface RawAccountBalance {
  name: string;
  currency: Currency;
  type: AccountType;
  debitMinusCreditMinor: bigint;
}

/**
 * Balances per account and currency from every account's raw balance (by name, then currency):
 * filtered by prefix, rolled up to `depth`, zero balances dropped unless asked for.
 */
export function rollUpBalances(
  rows: readonly RawAccountBalance[],
  query: BalanceQuery,
): AccountBalance[] {
  const byKey = new Map<string, AccountBalance>();
  for (const row of rows) {
    if (query.accountPrefix !== undefined && !matchesPrefix(row.name, query.accountPrefix))
      continue;
    const raw = row.debitMinusCreditMinor;
    const name = query.depth === undefined ? row.name : truncateAccount(row.name, query.depth);
    const key = `${name}\u0000${row.currency}`;
    const current = byKey.get(key);
    if (current) {
      current.debitMinusCreditMinor += raw;
      current.balanceMinor = toNormalBalance(current.type, current.debitMinusCreditMinor);
    } else {
      byKey.set(key, {
        account: name,
        currency: row.currency,
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

/** Why `balances` returned nothing, so the caller can name what matched nothing. */
export type NoBalancesReason = 'empty-ledger' | 'no-account-matches' | 'all-zero';

/** Why balances came to nothing, from the names of every account the ledger has. */
export function noBalancesReason(
  accountNames: readonly string[],
  query: BalanceQuery,
): NoBalancesReason {
  if (accountNames.length === 0) return 'empty-ledger';
  const prefix = query.accountPrefix;
  if (prefix !== undefined && !accountNames.some((name) => matchesPrefix(name, prefix)))
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

/** The accounts under `accountPrefix` (every one when undefined), in the order given. */
export function accountsUnder(
  accounts: readonly AccountSummary[],
  accountPrefix: string | undefined,
): AccountSummary[] {
  return accounts.filter(
    (account) => accountPrefix === undefined || matchesPrefix(account.account, accountPrefix),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

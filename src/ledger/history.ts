import { NotFoundError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { type AccountType, toNormalBalance } from './accounts.js';
import type { Direction } from './types.js';

export interface HistoryLine {
  txId: number;
  effectiveAt: string;
  kind: string;
  description: string;
  currency: Currency;
  direction: Direction;
  amountMinor: bigint;
  /** After this line, in the account's normal direction, in effective-time order: this line's currency. */
  runningBalanceMinor: bigint;
  /**
   * After this line, the running balance of every currency the account has seen so far (sorted by
   * currency): one running balance per currency, never one figure that jumps between currencies.
   */
  balancesMinor: { currency: Currency; balanceMinor: bigint }[];
}

export interface HistoryQuery {
  currency?: string;
  /** Only the last N lines (their running balances still count everything before them). */
  limit?: number;
}

/** One entry of an account as the journal holds it, in effective-time order. */
export interface RegisterEntry {
  txId: bigint;
  effectiveAt: string;
  kind: string;
  description: string;
  direction: Direction;
  amountMinor: bigint;
}

/** One currency of an account (accounts are per name and currency) with its entries. */
export interface AccountRegister {
  currency: Currency;
  type: AccountType;
  entries: readonly RegisterEntry[];
}

/**
 * The register of one account from its entries per currency (only `query.currency`'s when given;
 * none means the account has no entries): every entry in effective-time order with its running
 * balance. The balance is recomputed in that order here, because the stored running balance
 * follows posting order, which differs wherever something was backdated.
 */
export function registerOf(
  account: string,
  query: HistoryQuery,
  registers: readonly AccountRegister[],
): HistoryLine[] {
  if (registers.length === 0) {
    throw new NotFoundError(
      `account ${account}${query.currency ? ` in ${query.currency}` : ''} has no entries`,
      {
        hint: 'see the accounts with `payops ledger accounts`',
      },
    );
  }
  const history: HistoryLine[] = [];
  for (const register of registers) {
    let raw = 0n;
    for (const line of register.entries) {
      raw += line.direction === 'debit' ? line.amountMinor : -line.amountMinor;
      history.push({
        txId: Number(line.txId),
        effectiveAt: line.effectiveAt,
        kind: line.kind,
        description: line.description,
        currency: register.currency,
        direction: line.direction,
        amountMinor: line.amountMinor,
        runningBalanceMinor: toNormalBalance(register.type, raw),
        balancesMinor: [],
      });
    }
  }
  // One register across currencies, in time order; each line keeps its own currency's balance.
  history.sort((a, b) =>
    a.effectiveAt === b.effectiveAt ? a.txId - b.txId : a.effectiveAt < b.effectiveAt ? -1 : 1,
  );
  const latest = new Map<Currency, bigint>();
  for (const line of history) {
    latest.set(line.currency, line.runningBalanceMinor);
    line.balancesMinor = [...latest]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currency, balanceMinor]) => ({ currency, balanceMinor }));
  }
  return query.limit === undefined ? history : history.slice(-query.limit);
}

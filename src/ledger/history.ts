import type { Database } from '../db/index.js';
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

/**
 * The register of one account: every entry in effective-time order with its running balance.
 * The balance is recomputed in that order here, because the stored running balance follows
 * posting order, which differs wherever something was backdated.
 */
export function accountHistory(
  db: Database,
  account: string,
  query: HistoryQuery = {},
): HistoryLine[] {
  const accounts = db
    .prepare('SELECT id, currency, type FROM ledger_accounts WHERE name = ? ORDER BY currency')
    .all(account) as { id: bigint; currency: string; type: AccountType }[];
  const selected = accounts.filter(
    (row) => query.currency === undefined || row.currency === query.currency,
  );
  if (selected.length === 0) {
    throw new NotFoundError(
      `account ${account}${query.currency ? ` in ${query.currency}` : ''} has no entries`,
      {
        hint: 'see the accounts with `payops ledger accounts`',
      },
    );
  }
  const lines = db.prepare(
    `SELECT t.id AS tx_id, e.effective_at, t.kind, t.description, e.direction, e.amount_minor
     FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.tx_id
     WHERE e.account_id = ? ORDER BY e.effective_at, e.id`,
  );
  const history: HistoryLine[] = [];
  for (const row of selected) {
    let raw = 0n;
    const perAccount: HistoryLine[] = [];
    for (const line of lines.iterate(row.id) as Iterable<{
      tx_id: bigint;
      effective_at: string;
      kind: string;
      description: string;
      direction: Direction;
      amount_minor: bigint;
    }>) {
      raw += line.direction === 'debit' ? line.amount_minor : -line.amount_minor;
      perAccount.push({
        txId: Number(line.tx_id),
        effectiveAt: line.effective_at,
        kind: line.kind,
        description: line.description,
        currency: row.currency as Currency,
        direction: line.direction,
        amountMinor: line.amount_minor,
        runningBalanceMinor: toNormalBalance(row.type, raw),
        balancesMinor: [],
      });
    }
    history.push(...perAccount);
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

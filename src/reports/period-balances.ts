import type { Database } from '../db/index.js';
import type { AccountType } from '../ledger/index.js';

export interface RawBalance {
  account: string;
  currency: string;
  type: AccountType;
  /** Debits minus credits of every entry effective before the bound. */
  debitMinusCreditMinor: bigint;
}

/** Which account types a statement reads: the income statement never touches the sellers' thousands of accounts. */
export type Side = 'income' | 'position';

/** Bound as @types (a JSON array read by json_each): SQL is never built from values. */
export const TYPES_OF: Readonly<Record<Side, string>> = {
  income: JSON.stringify(['revenue', 'expense']),
  position: JSON.stringify(['asset', 'liability', 'equity', 'revenue', 'expense']),
};

/**
 * Balances strictly before an instant (periods end exclusive), per account of the side's types:
 * the running balance of the account's last in-order entry before the bound (one index seek on
 * ledger_entries_by_account_time) plus backdated entries posted after it but effective before the
 * bound. The same reading as ledger/balances.ts's as-of query, with `<` for an exclusive end.
 * test/reports/statements.test.ts asserts the plan uses the index.
 */
export const PERIOD_BALANCE_QUERY = `SELECT a.name, a.currency, a.type,
                 COALESCE(last.running_balance_minor, 0) + COALESCE((
                   SELECT SUM(CASE late.direction WHEN 'debit' THEN late.amount_minor ELSE -late.amount_minor END)
                   FROM ledger_entries late
                   WHERE late.account_id = a.id AND late.backdated = 1 AND late.effective_at < @before AND late.id > COALESCE(last.id, 0)
                 ), 0) AS balance_minor
          FROM ledger_accounts a
          LEFT JOIN ledger_entries last ON last.id = (
            SELECT e.id FROM ledger_entries e
            WHERE e.account_id = a.id AND e.backdated = 0 AND e.effective_at < @before
            ORDER BY e.effective_at DESC, e.id DESC LIMIT 1)
          WHERE a.type IN (SELECT value FROM json_each(@types))
          ORDER BY a.name, a.currency`;

/** One list of balances per bound, in the order of `bounds`. */
export function balancesBefore(
  db: Database,
  side: Side,
  bounds: readonly string[],
): RawBalance[][] {
  const statement = db.prepare(PERIOD_BALANCE_QUERY);
  return bounds.map((before) =>
    (
      statement.all({ before, types: TYPES_OF[side] }) as {
        name: string;
        currency: string;
        type: AccountType;
        balance_minor: bigint | number;
      }[]
    ).map((row) => ({
      account: row.name,
      currency: row.currency,
      type: row.type,
      debitMinusCreditMinor: BigInt(row.balance_minor),
    })),
  );
}

/**
 * The first and last effective instants of the side's accounts, from the index and the
 * maintained `max_effective_at` (no scan of the journal); undefined for an empty ledger.
 */
export function effectiveSpan(
  db: Database,
  side: Side,
): { first: string; last: string } | undefined {
  const row = db
    .prepare(
      `SELECT MIN(MIN(COALESCE(
                (SELECT MIN(e.effective_at) FROM ledger_entries e WHERE e.account_id = a.id AND e.backdated = 0), '9999'),
                COALESCE((SELECT MIN(e.effective_at) FROM ledger_entries e WHERE e.account_id = a.id AND e.backdated = 1), '9999'))) AS first,
              MAX(NULLIF(a.max_effective_at, '')) AS last
       FROM ledger_accounts a WHERE a.type IN (SELECT value FROM json_each(@types))`,
    )
    .get({ types: TYPES_OF[side] }) as { first: string | null; last: string | null };
  if (row.last === null || row.first === null || row.first === '9999') return undefined;
  return { first: row.first, last: row.last };
}

import type { Database } from '../db/index.js';
import type { Currency } from '../money/index.js';
import { type AccountType, toNormalBalance } from './accounts.js';
import {
  type AccountBalance,
  type AccountSummary,
  type BalanceQuery,
  type NoBalancesReason,
  type RawAccountBalance,
  accountsUnder,
  noBalancesReason,
  rollUpBalances,
} from './balances.js';
import {
  type AccountRegister,
  type HistoryLine,
  type HistoryQuery,
  registerOf,
} from './history.js';
import type { ExportTransaction, JournalHead, JournalReads } from './journal-reads.js';
import type { LedgerReadStore } from './ledger-store.js';
import { type TransactionRow, transactionHeaderOf } from './rows.js';
import type { Direction } from './types.js';

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

/** Transactions of the journal export per page: a page is one await of the stream. */
const EXPORT_PAGE_SIZE = 500;

/** The ledger's reads on SQLite: each runs synchronously, with no transaction (as before the port). */
export class SqliteLedgerReads implements LedgerReadStore, JournalReads {
  constructor(private readonly db: Database) {}

  async balances(query: BalanceQuery): Promise<AccountBalance[]> {
    return balances(this.db, query);
  }

  async whyNoBalances(query: BalanceQuery): Promise<NoBalancesReason> {
    const names = this.db
      .prepare('SELECT DISTINCT name FROM ledger_accounts')
      .pluck()
      .all() as string[];
    return noBalancesReason(names, query);
  }

  async accounts(accountPrefix: string | undefined): Promise<AccountSummary[]> {
    const rows = this.db
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
    const summaries = rows.map((row) => ({
      account: row.name,
      currency: row.currency as Currency,
      type: row.type,
      entries: Number(row.entries),
      balanceMinor: toNormalBalance(row.type, row.balance_minor),
      createdAt: row.created_at,
    }));
    return accountsUnder(summaries, accountPrefix);
  }

  async history(account: string, query: HistoryQuery): Promise<HistoryLine[]> {
    return accountHistory(this.db, account, query);
  }

  async journal(withHead: boolean): Promise<{
    head: JournalHead | undefined;
    pages: AsyncIterable<readonly ExportTransaction[]>;
  }> {
    return {
      head: withHead ? journalHead(this.db) : undefined,
      pages: pagesOf(transactions(this.db)),
    };
  }
}

/**
 * Balances per account and currency. Now: straight from the balances maintained at posting, so
 * the cost is O(accounts). As of a past time: per account, the running balance of its last
 * in-order entry at or before that time (one index seek), plus any backdated entries posted after
 * that entry but effective by then (an index range that is empty unless someone backdated), all
 * in one statement (BALANCE_QUERIES.asOf). Synchronous, for check and the SQLite-side callers.
 */
export function balances(db: Database, query: BalanceQuery = {}): AccountBalance[] {
  const rows = (
    query.asOf === undefined
      ? db.prepare(BALANCE_QUERIES.now).all()
      : db.prepare(BALANCE_QUERIES.asOf).all({ asOf: query.asOf })
  ) as { name: string; currency: string; type: AccountType; balance_minor: bigint }[];
  return rollUpBalances(
    rows.map(
      (row): RawAccountBalance => ({
        name: row.name,
        currency: row.currency as Currency,
        type: row.type,
        debitMinusCreditMinor: BigInt(row.balance_minor),
      }),
    ),
    query,
  );
}

/** The register of one account (history.ts `registerOf`), read synchronously. */
export function accountHistory(
  db: Database,
  account: string,
  query: HistoryQuery = {},
): HistoryLine[] {
  const accounts = db
    .prepare('SELECT id, currency, type FROM ledger_accounts WHERE name = ? ORDER BY currency')
    .all(account) as { id: bigint; currency: string; type: AccountType }[];
  const lines = db.prepare(
    `SELECT t.id AS tx_id, e.effective_at, t.kind, t.description, e.direction, e.amount_minor
     FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.tx_id
     WHERE e.account_id = ? ORDER BY e.effective_at, e.id`,
  );
  const registers = accounts
    .filter((row) => query.currency === undefined || row.currency === query.currency)
    .map(
      (row): AccountRegister => ({
        currency: row.currency as Currency,
        type: row.type,
        entries: (
          lines.all(row.id) as {
            tx_id: bigint;
            effective_at: string;
            kind: string;
            description: string;
            direction: Direction;
            amount_minor: bigint;
          }[]
        ).map((line) => ({
          txId: line.tx_id,
          effectiveAt: line.effective_at,
          kind: line.kind,
          description: line.description,
          direction: line.direction,
          amountMinor: line.amount_minor,
        })),
      }),
    );
  return registerOf(account, query, registers);
}

function journalHead(db: Database): JournalHead {
  const accounts = db
    .prepare('SELECT DISTINCT name, type FROM ledger_accounts ORDER BY name')
    .all() as { name: string; type: AccountType }[];
  const first = db.prepare('SELECT MIN(effective_at) AS at FROM ledger_transactions').get() as {
    at: string | null;
  };
  return { accounts, firstEffectiveAt: first.at };
}

/** The generator's pages, one await each; nothing is read before the first page is asked for. */
async function* pagesOf<T>(items: Iterable<T>): AsyncGenerator<readonly T[]> {
  let page: T[] = [];
  for (const item of items) {
    page.push(item);
    if (page.length === EXPORT_PAGE_SIZE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** Every transaction with its entries in posting order: two cursors walked side by side, so memory stays flat. */
function* transactions(db: Database): Generator<ExportTransaction> {
  const entries = db
    .prepare(
      `SELECT e.tx_id, a.name, a.currency, a.type, e.direction, e.amount_minor
       FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id ORDER BY e.id`,
    )
    .iterate() as IterableIterator<{
    tx_id: bigint;
    name: string;
    currency: string;
    type: AccountType;
    direction: Direction;
    amount_minor: bigint;
  }>;
  // Closed on every way out (the last transaction, a throw, a consumer that stops early), or
  // the connection stays busy and cannot commit or close.
  try {
    let pending = entries.next();
    for (const row of db
      .prepare('SELECT * FROM ledger_transactions ORDER BY id')
      .iterate() as Iterable<TransactionRow>) {
      const tx: ExportTransaction = { ...transactionHeaderOf(row), entries: [] };
      while (!pending.done && pending.value.tx_id <= row.id) {
        const entry = pending.value;
        if (entry.tx_id === row.id) {
          tx.entries.push({
            account: entry.name,
            currency: entry.currency as Currency,
            type: entry.type,
            direction: entry.direction,
            amountMinor: entry.amount_minor,
          });
        }
        pending = entries.next();
      }
      yield tx;
    }
  } finally {
    entries.return?.();
  }
}

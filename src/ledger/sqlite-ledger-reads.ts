import type { Database } from '../db/index.js';
import {
  type AccountBalance,
  type AccountSummary,
  type BalanceQuery,
  type NoBalancesReason,
  balances,
  listAccounts,
  whyNoBalances,
} from './balances.js';
import { type HistoryLine, type HistoryQuery, accountHistory } from './history.js';
import type { LedgerReadStore } from './ledger-store.js';

/** The ledger's reads on SQLite: each runs synchronously, with no transaction (as before the port). */
export class SqliteLedgerReads implements LedgerReadStore {
  constructor(private readonly db: Database) {}

  async balances(query: BalanceQuery): Promise<AccountBalance[]> {
    return balances(this.db, query);
  }

  async whyNoBalances(query: BalanceQuery): Promise<NoBalancesReason> {
    return whyNoBalances(this.db, query);
  }

  async accounts(accountPrefix: string | undefined): Promise<AccountSummary[]> {
    return listAccounts(this.db, accountPrefix);
  }

  async history(account: string, query: HistoryQuery): Promise<HistoryLine[]> {
    return accountHistory(this.db, account, query);
  }
}

import type { Database } from '../db/index.js';
import type { AccountType } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import { ReconStore } from '../reconcile/store.js';
import { type Bridge, bridgeOf } from '../reconcile/summary.js';
import type {
  DayEntryGroup,
  EntryGroup,
  EntryInstants,
  OpenItemRecord,
  RawBalance,
  ReportStore,
  Side,
} from './report-store.js';

/**
 * The day's entries grouped by kind, account and direction. Driven by the accounts so each one is
 * an index seek on ledger_entries_by_account_time (in-order and backdated entries alike), never a
 * scan of the journal; entries carry their transaction's effective time, as the statements read it.
 */
export const DAILY_QUERY = `SELECT t.kind, a.currency, a.name, e.direction, COUNT(DISTINCT t.id) AS txs, SUM(e.amount_minor) AS total
  FROM ledger_accounts a
  CROSS JOIN ledger_entries e ON e.account_id = a.id AND e.backdated IN (0, 1) AND e.effective_at >= @start AND e.effective_at < @end
  CROSS JOIN ledger_transactions t ON t.id = e.tx_id
  GROUP BY t.kind, a.currency, a.name, e.direction`;

/** The earliest effective time at or after @bound, over every account: two index seeks per account. */
const FIRST_FROM = `SELECT MIN(x) AS day FROM (
   SELECT (SELECT MIN(e.effective_at) FROM ledger_entries e WHERE e.account_id = a.id AND e.backdated = 0 AND e.effective_at >= @bound) AS x FROM ledger_accounts a
   UNION ALL
   SELECT (SELECT MIN(e.effective_at) FROM ledger_entries e WHERE e.account_id = a.id AND e.backdated = 1 AND e.effective_at >= @bound) FROM ledger_accounts a)`;

/** The latest effective time before @bound, over every account. */
const LAST_BEFORE = `SELECT MAX(x) AS day FROM (
   SELECT (SELECT MAX(e.effective_at) FROM ledger_entries e WHERE e.account_id = a.id AND e.backdated = 0 AND e.effective_at < @bound) AS x FROM ledger_accounts a
   UNION ALL
   SELECT (SELECT MAX(e.effective_at) FROM ledger_entries e WHERE e.account_id = a.id AND e.backdated = 1 AND e.effective_at < @bound) FROM ledger_accounts a)`;

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

/** The reports' reads on SQLite: plain reads, no transaction (none reads in a snapshot today). */
export class SqliteReportStore implements ReportStore {
  constructor(private readonly db: Database) {}

  async entryGroups(start: string, end: string): Promise<EntryGroup[]> {
    return this.db.prepare(DAILY_QUERY).all({ start, end }) as EntryGroup[];
  }

  /** One grouped query (one scan, whatever the number of days). */
  async dayEntryGroups(start: string, end: string): Promise<DayEntryGroup[]> {
    return this.db
      .prepare(
        `SELECT substr(t.effective_at, 1, 10) AS day, t.kind, a.currency, a.name, e.direction, SUM(e.amount_minor) AS total
       FROM ledger_transactions t
       JOIN ledger_entries e ON e.tx_id = t.id
       JOIN ledger_accounts a ON a.id = e.account_id
       WHERE t.effective_at >= ? AND t.effective_at < ?
       GROUP BY day, t.kind, a.currency, a.name, e.direction`,
      )
      .all(start, end) as DayEntryGroup[];
  }

  /**
   * Per account, index seeks on ledger_entries_by_account_time and the maintained
   * max_effective_at, so it costs O(accounts) whatever the journal's size.
   */
  async entryInstantsAround(start: string, end: string): Promise<EntryInstants> {
    const instant = (sql: string, bound: string): string | null =>
      (this.db.prepare(sql).get({ bound }) as { day: string | null }).day;
    return {
      first: instant(FIRST_FROM, ''),
      last: instant(LAST_BEFORE, '9999'),
      before: instant(LAST_BEFORE, start),
      after: instant(FIRST_FROM, end),
    };
  }

  async transactionSpan(): Promise<{ first: string | null; last: string | null }> {
    return this.db
      .prepare(
        'SELECT MIN(effective_at) AS first, MAX(effective_at) AS last FROM ledger_transactions',
      )
      .get() as { first: string | null; last: string | null };
  }

  async balancesBefore(side: Side, bounds: readonly string[]): Promise<RawBalance[][]> {
    const statement = this.db.prepare(PERIOD_BALANCE_QUERY);
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

  /** From the index and the maintained `max_effective_at`: no scan of the journal. */
  async effectiveSpan(side: Side): Promise<{ first: string; last: string } | undefined> {
    const row = this.db
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

  /** Each run that first saw an item is read once, however many items it saw. */
  async openItems(): Promise<OpenItemRecord[]> {
    const store = new ReconStore(this.db);
    const firstSeen = new Map<bigint, string | undefined>();
    const seenAt = (runId: bigint): string | undefined => {
      if (!firstSeen.has(runId)) firstSeen.set(runId, store.runById(runId)?.startedAt);
      return firstSeen.get(runId);
    };
    return store.openItems().map((item) => ({
      itemId: item.itemId,
      psp: item.psp,
      class: item.class,
      subject: item.subject,
      batchId: item.batchId,
      currency: item.currency,
      amountMinor: item.amountMinor,
      firstSeenAt: seenAt(item.firstRunId),
    }));
  }

  /** Each bridge as `reconcile report` computes one. */
  async bridges(limit: number): Promise<{ psp: string; bridge: Bridge }[]> {
    const store = new ReconStore(this.db);
    const batches = this.db
      .prepare(
        'SELECT psp, batch_id, currency FROM recon_batches ORDER BY first_run_id DESC, psp, batch_id, currency LIMIT ?',
      )
      .all(limit) as { psp: string; batch_id: string; currency: string }[];
    return batches.map((batch) => ({
      psp: batch.psp,
      bridge: bridgeOf(store, batch.psp, batch.batch_id, batch.currency as Currency),
    }));
  }

  async bridgeCount(): Promise<number> {
    return Number(
      (this.db.prepare('SELECT COUNT(*) AS n FROM recon_batches').get() as { n: bigint }).n,
    );
  }
}

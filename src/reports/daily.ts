import type { Database } from '../db/index.js';
import { InputError } from '../errors.js';
import type { Currency } from '../money/index.js';
import {
  bankOperating,
  chargebackFees,
  isPspReceivable,
  payoutsInTransit,
  platformFees,
  pspFees,
} from '../postings/index.js';
import { normalizeInstant } from '../time.js';

export interface DailyLine {
  currency: Currency;
  payIns: { count: number; amountMinor: bigint };
  refunds: { count: number; amountMinor: bigint };
  chargebacks: { count: number; amountMinor: bigint; feesMinor: bigint };
  payouts: { count: number; amountMinor: bigint };
  pspFeesMinor: bigint;
  /** Net of platform fees earned on captures and given back on refunds and chargebacks. */
  platformFeesMinor: bigint;
}

/** A calendar date such as 2026-11-23 (not 2026-02-30); the report covers that UTC day. */
export function checkReportDate(date: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new InputError(`--date: "${date}" is not a date such as 2026-11-23`);
  normalizeInstant(date, '--date');
}

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

interface DailyRow {
  kind: string;
  currency: string;
  name: string;
  direction: 'debit' | 'credit';
  txs: bigint;
  total: bigint;
}

/**
 * One UTC day of money movement per currency, read from the ledger itself (by effective time), so
 * it can never disagree with the books: PSP and platform fees are the day's net movement of
 * expenses:psp-fees and revenue:platform-fees whichever flow booked them, as `report income` reads them.
 */
export function dailyReport(db: Database, date: string): DailyLine[] {
  checkReportDate(date);
  const start = `${date}T00:00:00.000Z`;
  const end = new Date(Date.parse(start) + 86_400_000).toISOString();
  const rows = db.prepare(DAILY_QUERY).all({ start, end }) as DailyRow[];
  const lines = new Map<string, DailyLine>();
  for (const row of rows) {
    let line = lines.get(row.currency);
    if (!line) {
      line = emptyLine(row.currency as Currency);
      lines.set(row.currency, line);
    }
    addRow(line, row);
  }
  return [...lines.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

function emptyLine(currency: Currency): DailyLine {
  return {
    currency,
    payIns: { count: 0, amountMinor: 0n },
    refunds: { count: 0, amountMinor: 0n },
    chargebacks: { count: 0, amountMinor: 0n, feesMinor: 0n },
    payouts: { count: 0, amountMinor: 0n },
    pspFeesMinor: 0n,
    platformFeesMinor: 0n,
  };
}

/** Where a sent payout's credit goes: payouts in-transit since the bank leg; the operating account in a book from before it. */
const PAYOUT_SOURCES = new Set<string>([payoutsInTransit, bankOperating]);

/** The posting rules of DESIGN.md §6 read backwards: which leg of which kind is which figure. */
function addRow(l: DailyLine, row: DailyRow): void {
  const count = Number(row.txs);
  const total = BigInt(row.total);
  if (row.name === platformFees) l.platformFeesMinor += row.direction === 'credit' ? total : -total;
  if (row.name === pspFees) l.pspFeesMinor += row.direction === 'debit' ? total : -total;
  if (row.kind === 'payin.capture' && isPspReceivable(row.name) && row.direction === 'debit')
    l.payIns = { count, amountMinor: total };
  else if (row.kind === 'refund.sent' && isPspReceivable(row.name))
    l.refunds = { count, amountMinor: total };
  else if (row.kind === 'payout.sent' && PAYOUT_SOURCES.has(row.name)) {
    // A payout posts to exactly one of them, so the counts add up.
    l.payouts = { count: l.payouts.count + count, amountMinor: l.payouts.amountMinor + total };
  } else if (row.kind === 'chargeback.received') {
    if (isPspReceivable(row.name)) {
      l.chargebacks.count = count;
      l.chargebacks.amountMinor += total;
    } else if (row.name === chargebackFees) {
      l.chargebacks.feesMinor += total;
      l.chargebacks.amountMinor -= total; // the receivable credit includes the fee
    }
  }
}

export interface DaysWithMoney {
  /** First and last UTC days with an entry; null when the ledger is empty. */
  first: string | null;
  last: string | null;
  /** The nearest days with an entry before and after the day asked for, if any. */
  before: string | null;
  after: string | null;
}

/**
 * Which days have money around `date` (a `YYYY-MM-DD` UTC day), for a report that found nothing:
 * per account, index seeks on ledger_entries_by_account_time and the maintained max_effective_at,
 * so it costs O(accounts) whatever the journal's size.
 */
export function daysWithMoney(db: Database, date: string): DaysWithMoney {
  const start = `${date}T00:00:00.000Z`;
  const end = new Date(Date.parse(start) + 86_400_000).toISOString();
  const day = (sql: string, bound: string): string | null => {
    const row = db.prepare(sql).get({ bound }) as { day: string | null };
    return row.day === null ? null : row.day.slice(0, 10);
  };
  return {
    first: day(FIRST_FROM, ''),
    last: day(LAST_BEFORE, '9999'),
    before: day(LAST_BEFORE, start),
    after: day(FIRST_FROM, end),
  };
}

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

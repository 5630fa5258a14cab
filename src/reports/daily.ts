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
import type { EntryGroup, ReportStore } from './report-store.js';

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
 * One UTC day of money movement per currency, read from the ledger itself (by effective time), so
 * it can never disagree with the books: PSP and platform fees are the day's net movement of
 * expenses:psp-fees and revenue:platform-fees whichever flow booked them, as `report income` reads them.
 */
export async function dailyReport(store: ReportStore, date: string): Promise<DailyLine[]> {
  checkReportDate(date);
  const start = `${date}T00:00:00.000Z`;
  const end = new Date(Date.parse(start) + 86_400_000).toISOString();
  const rows = await store.entryGroups(start, end);
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
function addRow(l: DailyLine, row: EntryGroup): void {
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

/** Which days have money around `date` (a `YYYY-MM-DD` UTC day), for a report that found nothing. */
export async function daysWithMoney(store: ReportStore, date: string): Promise<DaysWithMoney> {
  const start = `${date}T00:00:00.000Z`;
  const end = new Date(Date.parse(start) + 86_400_000).toISOString();
  const instants = await store.entryInstantsAround(start, end);
  const day = (instant: string | null): string | null =>
    instant === null ? null : instant.slice(0, 10);
  return {
    first: day(instants.first),
    last: day(instants.last),
    before: day(instants.before),
    after: day(instants.after),
  };
}

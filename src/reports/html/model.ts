import { UsageError } from '../../errors.js';
import { type Currency, type MoneyJson, moneyJson } from '../../money/index.js';
import type { ItemClass } from '../../reconcile/classes.js';
import type { Bridge } from '../../reconcile/summary.js';
import type { ReportStore } from '../report-store.js';
import type { Period } from '../statements.js';
import { type DayFlow, FLOW_KEYS, type FlowKey, dailyFlows } from './flows.js';
import { type StatementTable, statementTables } from './statements.js';
import { AGE_BUCKETS, type AgeBucket, type OpenItem, openItemsAt } from './items.js';

export interface HtmlReportOptions {
  period: Period | undefined;
  /** First UTC day (YYYY-MM-DD), inclusive; default: the book's first day, at most DEFAULT_DAYS back. */
  beginDay?: string;
  /** UTC day (YYYY-MM-DD) the report stops before (exclusive, as hledger's -e); default: the day after the book's last. */
  endDay?: string;
  /** Roll statement accounts up to this many segments (hledger's --depth). */
  depth?: number;
  /** When the report is made: the age of open items is counted to this instant. */
  generatedAt: string;
}

/** Limits on the page: a chart point per day, a table row per item. */
const MAX_DAYS = 1830;
const DEFAULT_DAYS = 366;
const MAX_LISTED_ITEMS = 1000;
/** The bridges of the most recent batches. */
const MAX_BRIDGES = 1000;

export interface CurrencyFlows {
  currency: Currency;
  days: string[];
  /** One money per day for each flow (zero on quiet days); the chart reads `amount`. */
  series: Record<FlowName, MoneyJson[]>;
  totals: Record<FlowName, MoneyJson>;
}

export type FlowName = 'payIns' | 'refunds' | 'chargebacks' | 'payouts' | 'fees';
const FLOW_NAMES: Record<FlowKey, FlowName> = {
  payInsMinor: 'payIns',
  refundsMinor: 'refunds',
  chargebacksMinor: 'chargebacks',
  payoutsMinor: 'payouts',
  feesMinor: 'fees',
};

export interface ClassAges {
  class: ItemClass;
  count: number;
  /** Items per age bucket, in AGE_BUCKETS order. */
  ages: { bucket: AgeBucket; count: number }[];
  money: MoneyJson[];
}

export interface ItemView {
  itemId: string;
  psp: string;
  class: ItemClass;
  subject: string;
  batchId: string | null;
  amount: MoneyJson;
  firstSeenAt: string;
  ageDays: number;
}

/** A batch's bridge as signed contributions: gross + fees + refunds + chargebacks + adjustments = rowsNet. */
export interface BridgeView {
  psp: string;
  batchId: string;
  currency: Currency;
  rows: number;
  gross: MoneyJson;
  fees: MoneyJson;
  refunds: MoneyJson;
  chargebacks: MoneyJson;
  adjustments: MoneyJson;
  rowsNet: MoneyJson;
  payout: MoneyJson | null;
  difference: MoneyJson | null;
  booksHold: MoneyJson;
  status: Bridge['status'];
}

export interface HtmlReportModel {
  title: string;
  generatedAt: string;
  /** Statements and flows: the ledger's effective time. Open items and bridges: their state now. */
  dateBasis: 'effective';
  period: Period | null;
  range: { begin: string; end: string; clipped: boolean };
  statements: StatementTable[];
  flows: CurrencyFlows[];
  openItems: { asOf: string; count: number; byClass: ClassAges[]; listed: ItemView[] };
  bridges: { count: number; listed: BridgeView[] };
}

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (begin: string, end: string): number =>
  Math.round((Date.parse(`${end}T00:00:00.000Z`) - Date.parse(`${begin}T00:00:00.000Z`)) / DAY_MS);

/** The report's day range: the flags, else the book's span (its last DEFAULT_DAYS when longer). */
async function reportRange(
  store: ReportStore,
  options: Pick<HtmlReportOptions, 'beginDay' | 'endDay' | 'generatedAt'>,
): Promise<HtmlReportModel['range']> {
  const span = await store.transactionSpan();
  const today = options.generatedAt.slice(0, 10);
  const lastDay = span.last === null ? today : span.last.slice(0, 10);
  const end = options.endDay ?? addDays(lastDay > today ? lastDay : today, 1);
  let begin = options.beginDay ?? (span.first ?? options.generatedAt).slice(0, 10);
  let clipped = false;
  if (options.beginDay === undefined && daysBetween(begin, end) > DEFAULT_DAYS) {
    begin = addDays(end, -DEFAULT_DAYS);
    clipped = true;
  }
  if (begin >= end)
    throw new UsageError(`-b ${begin} is not before -e ${end}`, {
      hint: '-e is the day the report stops before, as in hledger',
    });
  if (daysBetween(begin, end) > MAX_DAYS) {
    throw new UsageError(
      `-b ${begin} -e ${end} spans ${daysBetween(begin, end)} days; the daily charts take at most ${MAX_DAYS}`,
      { hint: 'narrow the range with -b and -e' },
    );
  }
  return { begin, end, clipped };
}

/** Everything the page shows, as plain JSON-ready data (money as moneyJson). */
export async function buildHtmlReport(
  store: ReportStore,
  options: HtmlReportOptions,
): Promise<HtmlReportModel> {
  const range = await reportRange(store, options);
  const statements = await statementTables(
    store,
    options.period,
    range.begin,
    range.end,
    options.depth,
  );
  const items = await openItemsAt(store, options.generatedAt);
  const flows = await dailyFlows(store, range.begin, range.end);
  const bridgeCount = await store.bridgeCount();
  const bridges = await store.bridges(MAX_BRIDGES);
  return {
    title: `payops report ${range.begin} to ${addDays(range.end, -1)}`,
    generatedAt: options.generatedAt,
    dateBasis: 'effective',
    period: options.period ?? null,
    range,
    statements,
    flows: flowsByCurrency(flows, range),
    openItems: {
      asOf: options.generatedAt,
      count: items.length,
      byClass: classAges(items),
      listed: items.slice(0, MAX_LISTED_ITEMS).map(itemView),
    },
    bridges: {
      count: bridgeCount,
      listed: bridges.map(({ psp, bridge }) => bridgeView(psp, bridge)),
    },
  };
}

/** Per currency, every day of the range (zeros on quiet days, so all charts share one axis). */
export function flowsByCurrency(
  flows: readonly DayFlow[],
  range: { begin: string; end: string },
): CurrencyFlows[] {
  const days: string[] = [];
  for (let day = range.begin; day < range.end; day = addDays(day, 1)) days.push(day);
  const currencies = [...new Set(flows.map((flow) => flow.currency))].sort();
  return currencies.map((currency) => {
    const byDay = new Map(
      flows.filter((flow) => flow.currency === currency).map((flow) => [flow.day, flow]),
    );
    const series = {} as Record<FlowName, MoneyJson[]>;
    const totals = {} as Record<FlowName, MoneyJson>;
    for (const key of FLOW_KEYS) {
      const minors = days.map((day) => byDay.get(day)?.[key] ?? 0n);
      series[FLOW_NAMES[key]] = minors.map((minor) => moneyJson(minor, currency));
      totals[FLOW_NAMES[key]] = moneyJson(
        minors.reduce((sum, minor) => sum + minor, 0n),
        currency,
      );
    }
    return { currency, days, series, totals };
  });
}

export function classAges(items: readonly OpenItem[]): ClassAges[] {
  const byClass = new Map<ItemClass, OpenItem[]>();
  for (const item of items) byClass.set(item.class, [...(byClass.get(item.class) ?? []), item]);
  return [...byClass]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([itemClass, members]) => {
      const money = new Map<Currency, bigint>();
      for (const item of members)
        money.set(item.currency, (money.get(item.currency) ?? 0n) + item.amountMinor);
      return {
        class: itemClass,
        count: members.length,
        ages: AGE_BUCKETS.map(({ label }) => ({
          bucket: label,
          count: members.filter((item) => item.ageBucket === label).length,
        })),
        money: [...money]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([currency, minor]) => moneyJson(minor, currency)),
      };
    });
}

function itemView(item: OpenItem): ItemView {
  return {
    itemId: item.itemId,
    psp: item.psp,
    class: item.class,
    subject: item.subject,
    batchId: item.batchId,
    amount: moneyJson(item.amountMinor, item.currency),
    firstSeenAt: item.firstSeenAt,
    ageDays: item.ageDays,
  };
}

export function bridgeView(psp: string, bridge: Bridge): BridgeView {
  const m = (minor: string | bigint) => moneyJson(BigInt(minor), bridge.currency);
  return {
    psp,
    batchId: bridge.batchId,
    currency: bridge.currency,
    rows: bridge.rows,
    gross: m(bridge.capturesMinor),
    fees: m(-BigInt(bridge.feesMinor)),
    refunds: m(bridge.refundsMinor),
    chargebacks: m(bridge.chargebacksMinor),
    adjustments: m(bridge.adjustmentsMinor),
    rowsNet: m(bridge.rowsNetMinor),
    payout: bridge.payoutMinor === null ? null : m(bridge.payoutMinor),
    difference: bridge.differenceMinor === null ? null : m(bridge.differenceMinor),
    booksHold: m(bridge.settledMinor),
    status: bridge.status,
  };
}

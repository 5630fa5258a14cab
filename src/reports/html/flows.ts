import type { Currency } from '../../money/index.js';
import { chargebackFees, isPspReceivable, pspFees } from '../../postings/index.js';
import type { DayEntryGroup, ReportStore } from '../report-store.js';

/** One UTC day of money movement in one currency, by the ledger's effective time; every figure positive. */
export interface DayFlow {
  day: string;
  currency: Currency;
  payInsMinor: bigint;
  refundsMinor: bigint;
  /** What chargebacks took back from the receivable, their fees left out (those are in feesMinor). */
  chargebacksMinor: bigint;
  payoutsMinor: bigint;
  /** Net PSP fees (expenses:psp-fees, whichever flow booked them) plus chargeback fees. */
  feesMinor: bigint;
}

export const FLOW_KEYS = [
  'payInsMinor',
  'refundsMinor',
  'chargebacksMinor',
  'payoutsMinor',
  'feesMinor',
] as const;
export type FlowKey = (typeof FLOW_KEYS)[number];

/**
 * Days in [beginDay, endDay) with any money movement, one row per day and currency, read from
 * the ledger in one grouped query (one scan, whatever the number of days).
 */
export async function dailyFlows(
  store: ReportStore,
  beginDay: string,
  endDay: string,
): Promise<DayFlow[]> {
  const rows = await store.dayEntryGroups(`${beginDay}T00:00:00.000Z`, `${endDay}T00:00:00.000Z`);
  const flows = new Map<string, DayFlow>();
  for (const row of rows) {
    const key = `${row.day} ${row.currency}`;
    let flow = flows.get(key);
    if (!flow) {
      flow = {
        day: row.day,
        currency: row.currency as Currency,
        payInsMinor: 0n,
        refundsMinor: 0n,
        chargebacksMinor: 0n,
        payoutsMinor: 0n,
        feesMinor: 0n,
      };
      flows.set(key, flow);
    }
    addRow(flow, row);
  }
  return [...flows.values()].sort((a, b) =>
    a.day === b.day ? (a.currency < b.currency ? -1 : 1) : a.day < b.day ? -1 : 1,
  );
}

/** The posting rules of DESIGN.md §6 read backwards: which leg of which kind is which flow. */
function addRow(flow: DayFlow, row: DayEntryGroup): void {
  const total = BigInt(row.total);
  if (row.name === pspFees) flow.feesMinor += row.direction === 'debit' ? total : -total;
  if (row.kind === 'payin.capture' && isPspReceivable(row.name) && row.direction === 'debit')
    flow.payInsMinor += total;
  else if (row.kind === 'refund.sent' && isPspReceivable(row.name) && row.direction === 'credit')
    flow.refundsMinor += total;
  else if (row.kind === 'payout.sent' && row.direction === 'credit') flow.payoutsMinor += total;
  else if (row.kind === 'chargeback.received') {
    // The receivable's credit holds the chargeback and its fee; the fee is shown with the fees.
    if (isPspReceivable(row.name) && row.direction === 'credit') flow.chargebacksMinor += total;
    else if (row.name === chargebackFees && row.direction === 'debit') {
      flow.chargebacksMinor -= total;
      flow.feesMinor += total;
    }
  }
}

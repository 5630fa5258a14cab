import type { Currency } from '../money/index.js';
import type { ItemClass, ReconClass } from './classes.js';
import type { DecisionAction } from './decision.js';
import type { ReconStore } from './store.js';

/**
 * What a run leaves behind for `reconcile run --json`, `reconcile report` and the review: kept as
 * JSON with the run. Amounts are minor units as decimal strings, with their currency.
 */
export interface MoneyLine {
  currency: Currency;
  amountMinor: string;
}

export interface ClassLine {
  class: ReconClass;
  /** Settlement rows of the file in this class. */
  rows: number;
  /** payops' records in this class (a pair counts one row and one record). */
  records: number;
  /** matched: what was settled (gross); a mismatch: what it is about (the difference, or the whole amount). */
  money: MoneyLine[];
}

/**
 * One class in one currency: the counts and money of `ClassLine` split so that no figure repeats
 * on several lines (a spreadsheet sums them). A row or record counts in its own currency.
 */
export interface ClassCurrencyLine {
  class: ReconClass;
  currency: Currency;
  rows: number;
  records: number;
  amountMinor: string;
}

/** gross − fees − refunds − chargebacks ± adjustments = payout, from the batch's rows. */
export interface Bridge {
  batchId: string;
  currency: Currency;
  rows: number;
  capturesMinor: string;
  feesMinor: string;
  refundsMinor: string;
  chargebacksMinor: string;
  adjustmentsMinor: string;
  /** What the rows add up to: the payout they promise. */
  rowsNetMinor: string;
  /** What the PSP paid out; null until the batch's payout row arrives. */
  payoutMinor: string | null;
  differenceMinor: string | null;
  /** What the books have moved to the bank for the batch so far. */
  settledMinor: string;
  status: 'balanced' | 'unbalanced' | 'awaiting payout';
}

export interface RuleAction {
  rule: string;
  itemId: string;
  class: ItemClass;
  action: DecisionAction;
  currency: Currency;
  amountMinor: string;
  /** False when the rule left an item it covers for the review (the cap, a note, a currency); `message` says why. */
  applied: boolean;
  message: string;
}

export interface RunSummary {
  runId: string;
  psp: string;
  file: {
    name: string;
    sha256: string;
    format: string;
    bytes: number;
    rowsRead: number;
    rowsRejected: number;
  };
  periodEnd: string | null;
  graceDays: number;
  quietPending: boolean;
  /** Records kept quiet as pending, per currency (absent in summaries kept before issue 15). */
  quietPendingByCurrency?: { currency: Currency; records: number; amountMinor: string }[];
  classes: ClassLine[];
  /** The classes per currency (absent in summaries kept before issue 15). */
  byCurrency?: ClassCurrencyLine[];
  life: { new: number; persisting: number; resolved: number };
  /** Items open after the run, per class (pending left out when quiet). */
  open: ClassLine[];
  openCount: number;
  batches: Bridge[];
  rules: RuleAction[];
}

/** Per class and currency, in class order then currency order. */
export class ClassCurrencyTally {
  private readonly lines = new Map<string, ClassCurrencyLine & { minor: bigint }>();

  add(
    lineClass: ReconClass,
    currency: Currency,
    counts: { rows?: number; records?: number; amountMinor?: bigint },
  ): void {
    const key = `${lineClass}\u0000${currency}`;
    const line = this.lines.get(key) ?? {
      class: lineClass,
      currency,
      rows: 0,
      records: 0,
      amountMinor: '0',
      minor: 0n,
    };
    line.rows += counts.rows ?? 0;
    line.records += counts.records ?? 0;
    line.minor += counts.amountMinor ?? 0n;
    this.lines.set(key, line);
  }

  sorted(order: readonly ReconClass[]): ClassCurrencyLine[] {
    return [...this.lines.values()]
      .sort(
        (a, b) =>
          order.indexOf(a.class) - order.indexOf(b.class) || a.currency.localeCompare(b.currency),
      )
      .map(({ minor, ...line }) => ({ ...line, amountMinor: minor.toString() }));
  }
}

export function moneyLines(totals: ReadonlyMap<Currency, bigint>): MoneyLine[] {
  return [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => ({ currency, amountMinor: minor.toString() }));
}

export function bridgeOf(
  store: ReconStore,
  psp: string,
  batchId: string,
  currency: Currency,
): Bridge {
  const batch = store.batch(psp, batchId, currency);
  const settled = store.settledOfBatch(psp, batchId, currency);
  if (!batch) {
    return {
      batchId,
      currency,
      rows: 0,
      capturesMinor: '0',
      feesMinor: '0',
      refundsMinor: '0',
      chargebacksMinor: '0',
      adjustmentsMinor: '0',
      rowsNetMinor: '0',
      payoutMinor: null,
      differenceMinor: null,
      settledMinor: settled.toString(),
      status: 'awaiting payout',
    };
  }
  const payout = batch.payoutMinor;
  return {
    batchId,
    currency,
    rows: Number(batch.rowCount),
    capturesMinor: batch.capturesMinor.toString(),
    feesMinor: batch.feesMinor.toString(),
    refundsMinor: batch.refundsMinor.toString(),
    chargebacksMinor: batch.chargebacksMinor.toString(),
    adjustmentsMinor: batch.otherMinor.toString(),
    rowsNetMinor: batch.rowsNetMinor.toString(),
    payoutMinor: payout === null ? null : payout.toString(),
    differenceMinor: payout === null ? null : (payout - batch.rowsNetMinor).toString(),
    settledMinor: settled.toString(),
    status:
      payout === null
        ? 'awaiting payout'
        : payout === batch.rowsNetMinor
          ? 'balanced'
          : 'unbalanced',
  };
}

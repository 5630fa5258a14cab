import { InputError, UsageError } from '../../errors.js';
import { type Currency, exponentOf } from '../../money/index.js';
import {
  PAYOPS_SETTLEMENT_HEADER_LINE,
  formatPayopsSettlementRow,
} from '../../reconcile/settlement-file/payops.js';
import type { SettlementRow } from '../../reconcile/settlement-file/row.js';
import { type FeeRule, feeFor } from '../fee-rule.js';
import type { SimEngine, SimMovement } from './engine.js';
import { draw } from './faults.js';
import { type OutputGuard, PrivateFile } from '../../private-files.js';

/**
 * The discrepancies `psp settle --inject-discrepancies N` writes into the file, the i-th being
 * kind i mod 6, each on its own capture chosen by the seed. The payout row of each batch stays
 * what the PSP really paid out, so a batch with an injected row no longer adds up.
 */
export const DISCREPANCY_KINDS = [
  'missing_row',
  'extra_row',
  'changed_amount',
  'changed_fee',
  'settled_failed',
  'duplicated_row',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** What reconciliation should make of each kind. */
const EXPECTED_CLASS: Readonly<Record<DiscrepancyKind, string>> = {
  missing_row: 'missing_external',
  extra_row: 'missing_internal',
  changed_amount: 'amount_mismatch',
  changed_fee: 'fee_mismatch',
  settled_failed: 'status_mismatch',
  duplicated_row: 'duplicate',
};

export interface InjectedDiscrepancy {
  kind: DiscrepancyKind;
  /** missing_row is `pending` instead while the record is inside the run's grace period. */
  expectedClass: string;
  pspReference: string;
  merchantReference: string | null;
  currency: Currency;
  batchId: string;
  /** The line of the row that carries it; null for a missing row. */
  line: number | null;
  /** How much more the file's rows say the batch paid than it did (minor units). */
  overstatedNetMinor: string;
  detail: string;
}

export interface SettlementManifest {
  psp: 'sim';
  date: string;
  seed: string;
  file: string;
  rows: number;
  batches: {
    batchId: string;
    currency: Currency;
    payoutMinor: string | null;
    rowsNetMinor: string;
    differenceMinor: string | null;
  }[];
  injected: InjectedDiscrepancy[];
  skipped: { kind: DiscrepancyKind; reason: string }[];
}

export interface SettleOptions {
  /** The UTC day, YYYY-MM-DD. */
  date: string;
  out: string;
  /** What `out` must not be (the books, the PSP state, the manifest). */
  outGuard: OutputGuard;
  inject: number;
  seed: string;
  /** The fee of a charge the PSP never captured, for a `settled_failed` row. */
  feeRule: FeeRule;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Writes the simulated PSP's settlement file for one UTC day, in payops' format, from the PSP's
 * own books: every capture (a pending charge counts on the day it settled), refund and dispute
 * of the day with its fee, then one payout row per currency (batch `po_sim_YYYYMMDD_CUR`, paid
 * at the end of the day). Streams, so a day of a million charges needs no more memory than ten.
 */
export async function writeSimSettlement(
  engine: SimEngine,
  options: SettleOptions,
): Promise<SettlementManifest> {
  if (!DAY.test(options.date) || Number.isNaN(Date.parse(options.date)))
    throw new UsageError(`--date: "${options.date}" is not a day such as 2026-11-23`);
  const { fromIso, toIso } = dayBounds(options.date);
  const availableOn = toIso.slice(0, 10);
  const batchOf = (currency: Currency) => simBatchId(options.date, currency);

  let captures = 0;
  for (const movement of engine.movementsBetween(fromIso, toIso))
    if (movement.type === 'capture') captures++;
  const unsettled = [...engine.unsettledChargesBetween(fromIso, toIso)];
  const plan = planInjections(options.inject, options.seed, captures, unsettled.length);

  // Written whole or not at all: a failure leaves no settlement file cut short for a run to import.
  const out = PrivateFile.create(options.out, options.outGuard);
  try {
    const write = async (text: string): Promise<void> => out.write(text);
    await write(`${PAYOPS_SETTLEMENT_HEADER_LINE}\n`);
    let line = 1;
    const paid = new SimPayoutTally(options.date);
    const reported = new Map<Currency, bigint>();
    const injected: InjectedDiscrepancy[] = [];
    const emit = async (
      row: Omit<SettlementRow, 'line' | 'netMinor' | 'providerType' | 'availableOn'>,
    ): Promise<number> => {
      const full: SettlementRow = {
        ...row,
        line: ++line,
        netMinor: row.grossMinor - row.feeMinor,
        providerType: row.type,
        availableOn,
      };
      if (row.type !== 'payout')
        reported.set(row.currency, (reported.get(row.currency) ?? 0n) + full.netMinor);
      await write(`${formatPayopsSettlementRow(full)}\n`);
      return line;
    };
    const rowOf = (movement: SimMovement) => ({
      type: movement.type,
      pspReference: movement.reference,
      merchantReference: movement.merchantReference,
      batchId: batchOf(movement.currency),
      currency: movement.currency,
      grossMinor: movement.grossMinor,
      feeMinor: movement.feeMinor,
      occurredAt: movement.at,
    });
    const note = (
      kind: DiscrepancyKind,
      movement: Pick<SimMovement, 'reference' | 'merchantReference' | 'currency'>,
      at: number | null,
      overstatedNetMinor: bigint,
      detail: string,
    ) => {
      injected.push({
        kind,
        expectedClass: EXPECTED_CLASS[kind],
        pspReference: movement.reference,
        merchantReference: movement.merchantReference,
        currency: movement.currency,
        batchId: batchOf(movement.currency),
        line: at,
        overstatedNetMinor: overstatedNetMinor.toString(),
        detail,
      });
    };

    let captureIndex = -1;
    for (const movement of engine.movementsBetween(fromIso, toIso)) {
      paid.add(movement);
      const kind = movement.type === 'capture' ? plan.byCapture.get(++captureIndex) : undefined;
      const row = rowOf(movement);
      const unit = 10n ** BigInt(exponentOf(movement.currency));
      switch (kind) {
        case undefined:
          await emit(row);
          break;
        case 'missing_row':
          note(
            kind,
            movement,
            null,
            -(movement.grossMinor - movement.feeMinor),
            'the capture is left out of the file; the payout still includes it',
          );
          break;
        case 'changed_amount':
          note(
            kind,
            movement,
            await emit({ ...row, grossMinor: row.grossMinor + unit }),
            unit,
            `gross raised by ${unit} minor units`,
          );
          break;
        case 'changed_fee':
          // One minor unit: the size of a rounding difference, which a fee tolerance rule books.
          note(
            kind,
            movement,
            await emit({ ...row, feeMinor: row.feeMinor + 1n }),
            -1n,
            'fee raised by one minor unit',
          );
          break;
        case 'duplicated_row':
          await emit(row);
          note(
            kind,
            movement,
            await emit(row),
            movement.grossMinor - movement.feeMinor,
            'the same capture listed twice',
          );
          break;
        case 'extra_row': {
          await emit(row);
          const reference = `ch_sim_x${String(injected.length + 1).padStart(7, '0')}`;
          const extra = {
            ...row,
            pspReference: reference,
            merchantReference: `ord_not_ours_${injected.length + 1}`,
          };
          const at = await emit(extra);
          note(
            kind,
            { reference, merchantReference: extra.merchantReference, currency: movement.currency },
            at,
            row.grossMinor - row.feeMinor,
            'a charge payops never made',
          );
          break;
        }
        case 'settled_failed':
          throw new Error("settled_failed rows are written after the day's movements");
      }
    }
    for (const index of plan.failedCharges) {
      const charge = unsettled[index];
      if (!charge) continue;
      const feeMinor = feeFor(options.feeRule, charge.amountMinor, charge.currency);
      const movement = {
        reference: charge.reference,
        merchantReference: charge.merchantReference,
        currency: charge.currency,
      };
      const at = await emit({
        type: 'capture',
        pspReference: charge.reference,
        merchantReference: charge.merchantReference,
        batchId: batchOf(charge.currency),
        currency: charge.currency,
        grossMinor: charge.amountMinor,
        feeMinor,
        occurredAt: charge.createdAt,
      });
      note(
        'settled_failed',
        movement,
        at,
        charge.amountMinor - feeMinor,
        `the PSP ${charge.status} it, yet the file settles it`,
      );
    }
    const currencies = [...new Set([...paid.currencies(), ...reported.keys()])].sort();
    const batches: SettlementManifest['batches'] = [];
    for (const currency of currencies) {
      const payoutMinor = paid.payoutMinor(currency);
      const rowsNetMinor = reported.get(currency) ?? 0n;
      if (payoutMinor !== null)
        await emit({
          type: 'payout',
          pspReference: batchOf(currency),
          merchantReference: null,
          batchId: batchOf(currency),
          currency,
          grossMinor: -payoutMinor,
          feeMinor: 0n,
          occurredAt: `${options.date}T23:59:59.999Z`,
        });
      batches.push({
        batchId: batchOf(currency),
        currency,
        payoutMinor: payoutMinor === null ? null : payoutMinor.toString(),
        rowsNetMinor: rowsNetMinor.toString(),
        differenceMinor: payoutMinor === null ? null : (payoutMinor - rowsNetMinor).toString(),
      });
    }
    out.commit();
    return {
      psp: 'sim',
      date: options.date,
      seed: options.seed,
      file: options.out,
      rows: line - 1,
      batches,
      injected,
      skipped: plan.skipped,
    };
  } catch (error) {
    out.abort();
    throw error;
  }
}

/** The batch (and payout reference) of the simulated PSP's payout of `date` in `currency`. */
export function simBatchId(date: string, currency: Currency): string {
  return `po_sim_${date.replaceAll('-', '')}_${currency}`;
}

/** The UTC day [fromIso, toIso) as the state file's timestamps compare. */
function dayBounds(date: string): { fromIso: string; toIso: string } {
  const from = new Date(`${date}T00:00:00.000Z`);
  return {
    fromIso: from.toISOString(),
    toIso: new Date(from.getTime() + 86_400_000).toISOString(),
  };
}

/** One payout of the simulated PSP: what `psp settle` writes as a batch's payout row and the simulated bank credits. */
export interface SimDayPayout {
  /** The UTC day settled (the payout is made at its end), YYYY-MM-DD. */
  date: string;
  batchId: string;
  currency: Currency;
  /** > 0. */
  amountMinor: bigint;
}

/**
 * The one place the simulated PSP decides what it pays out for a day: per currency, the net
 * (gross − fee) of the day's movements; a day that nets to nothing or less pays nothing (the PSP
 * carries it; no payout row). `psp settle` and `bank statement` both count through it.
 */
class SimPayoutTally {
  private readonly netMinor = new Map<Currency, bigint>();

  constructor(readonly date: string) {}

  add(movement: Pick<SimMovement, 'currency' | 'grossMinor' | 'feeMinor'>): void {
    this.netMinor.set(
      movement.currency,
      (this.netMinor.get(movement.currency) ?? 0n) + movement.grossMinor - movement.feeMinor,
    );
  }

  currencies(): Currency[] {
    return [...this.netMinor.keys()].sort();
  }

  /** What the PSP pays out in `currency` for the day, or null when the day nets to nothing or less. */
  payoutMinor(currency: Currency): bigint | null {
    const netMinor = this.netMinor.get(currency) ?? 0n;
    return netMinor > 0n ? netMinor : null;
  }

  payouts(): SimDayPayout[] {
    return this.currencies().flatMap((currency) => {
      const amountMinor = this.payoutMinor(currency);
      return amountMinor === null
        ? []
        : [{ date: this.date, batchId: simBatchId(this.date, currency), currency, amountMinor }];
    });
  }
}

/**
 * Every payout the simulated PSP made for the days before `untilDay` (exclusive), oldest day first,
 * currencies in order: one pass over the state file's movements, tallied day by day.
 */
export function simPayoutsBefore(engine: SimEngine, untilDay: string): SimDayPayout[] {
  const payouts: SimDayPayout[] = [];
  let tally: SimPayoutTally | undefined;
  for (const movement of engine.movementsBetween(
    '0000-01-01T00:00:00.000Z',
    dayBounds(untilDay).fromIso,
  )) {
    const day = movement.at.slice(0, 10);
    if (tally?.date !== day) {
      if (tally) payouts.push(...tally.payouts());
      tally = new SimPayoutTally(day);
    }
    tally.add(movement);
  }
  if (tally) payouts.push(...tally.payouts());
  return payouts;
}

interface InjectionPlan {
  byCapture: Map<number, DiscrepancyKind>;
  failedCharges: number[];
  skipped: { kind: DiscrepancyKind; reason: string }[];
}

/** Which capture (by its index in the day) gets which discrepancy, decided by the seed alone. */
function planInjections(
  count: number,
  seed: string,
  captures: number,
  failed: number,
): InjectionPlan {
  if (!Number.isInteger(count) || count < 0)
    throw new InputError('--inject-discrepancies: expected a whole number, 0 or more');
  const plan: InjectionPlan = { byCapture: new Map(), failedCharges: [], skipped: [] };
  const usedFailed = new Set<number>();
  const usedCaptures = new Set<number>();
  for (let i = 0; i < count; i++) {
    const kind = DISCREPANCY_KINDS[i % DISCREPANCY_KINDS.length] as DiscrepancyKind;
    if (kind === 'settled_failed') {
      const index = pick(seed, `failed-${i}`, failed, usedFailed);
      if (index === undefined)
        plan.skipped.push({ kind, reason: 'no declined or failed charge that day' });
      else plan.failedCharges.push(index);
      continue;
    }
    const index = pick(seed, `capture-${i}`, captures, usedCaptures);
    if (index === undefined) plan.skipped.push({ kind, reason: 'not enough captures that day' });
    else plan.byCapture.set(index, kind);
  }
  return plan;
}

/** An index in [0, size) not yet taken, drawn from the seed; undefined when all are taken. */
function pick(seed: string, name: string, size: number, taken: Set<number>): number | undefined {
  if (taken.size >= size) return undefined;
  for (let attempt = 0; ; attempt++) {
    const index = Math.floor(draw(seed, 'settle', name, attempt) * size);
    if (!taken.has(index)) {
      taken.add(index);
      return index;
    }
  }
}

import { UsageError } from '../../errors.js';
import type { BankStatement } from '../types.js';
import { type SimBankFacts, trueStatements } from './day.js';
import { type BankDiscrepancyKind, type BankInjection, injectDiscrepancies } from './inject.js';

/** The longest delay between a PSP payout and its credit the simulated bank takes, in business days. */
const MAX_DELAY_DAYS = 30;
/** At most this many discrepancies in one file. */
const MAX_INJECTIONS = 10_000;

export interface BankDayOptions {
  /** The statement day, YYYY-MM-DD (UTC). */
  date: string;
  /** Business days between a PSP payout and its credit. */
  delayDays: number;
  inject: number;
  seed: string;
}

export interface BankDayPlan {
  /** One per currency, in currency order; every one adds up (opening + credits − debits = closing). */
  statements: BankStatement[];
  injected: BankInjection[];
  skipped: { kind: BankDiscrepancyKind; reason: string }[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The simulated bank's day, decided from the PSP's facts alone (pure): the true statements, then
 * the discrepancies asked for. The opening balance is always the true history.
 */
export function planBankDay(facts: SimBankFacts, options: BankDayOptions): BankDayPlan {
  checkBankDayOptions(options);
  const statements = trueStatements(facts, options.date, options.delayDays);
  if (options.inject === 0) return { statements, injected: [], skipped: [] };
  return injectDiscrepancies(statements, facts, {
    date: options.date,
    delayDays: options.delayDays,
    count: options.inject,
    seed: options.seed,
  });
}

/** Refuses a day that is not one, a delay or a count out of range (the command calls it before reading anything). */
export function checkBankDayOptions(options: BankDayOptions): void {
  const { date, delayDays, inject } = options;
  if (
    !DAY.test(date) ||
    Number.isNaN(Date.parse(date)) ||
    new Date(`${date}T00:00:00.000Z`).toISOString().slice(0, 10) !== date
  ) {
    throw new UsageError(`--date: "${date}" is not a day such as 2026-11-23`);
  }
  if (!Number.isInteger(delayDays) || delayDays < 0 || delayDays > MAX_DELAY_DAYS) {
    throw new UsageError(
      `--delay-days: ${delayDays} is not a whole number of business days from 0 to ${MAX_DELAY_DAYS}`,
    );
  }
  if (!Number.isInteger(inject) || inject < 0 || inject > MAX_INJECTIONS) {
    throw new UsageError(
      `--inject-discrepancies: ${inject} is not a whole number from 0 to ${MAX_INJECTIONS}`,
    );
  }
}

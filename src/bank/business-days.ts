/**
 * Business days for the payout window: Monday to Friday, no holiday calendar (a bank holiday
 * makes a payout look late by a day; the item then resolves itself when the money arrives).
 * Dates are YYYY-MM-DD calendar days, computed in UTC.
 */
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dayMs(date: string): number {
  if (!DATE.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date)
    throw new RangeError(`not a calendar date: ${date}`);
  return ms;
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isBusinessDay(date: string): boolean {
  const weekday = new Date(dayMs(date)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** `date` plus `days` business days (0: the date itself); a weekend start counts from the next Monday. */
export function addBusinessDays(date: string, days: number): string {
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError(`business days must be a whole number >= 0, not ${days}`);
  let ms = dayMs(date);
  let left = days;
  while (left > 0) {
    ms += DAY_MS;
    if (isBusinessDay(dateOf(ms))) left--;
  }
  return dateOf(ms);
}

/** The last day a payout made on `payoutDate` may arrive: its date plus the window's business days. */
export function dueDay(payoutDate: string, windowDays: number): string {
  return addBusinessDays(payoutDate, windowDays);
}

/** The calendar day before `date` (a statement's opening balance is the books at the end of it). */
export function previousDay(date: string): string {
  return dateOf(dayMs(date) - DAY_MS);
}

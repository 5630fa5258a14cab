/**
 * The simulated bank's calendar: it books on business days, Monday to Friday, with no holiday
 * calendar (the same rule as the bank leg's window, docs/RECONCILIATION.md "The bank leg").
 * Days are YYYY-MM-DD strings in UTC.
 */
const DAY_MS = 86_400_000;

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function isWeekend(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** `day` plus `count` business days: each step moves to the next Monday-to-Friday day. */
export function addBusinessDays(day: string, count: number): string {
  let current = day;
  for (let step = 0; step < count; step++) {
    current = addDays(current, 1);
    while (isWeekend(current)) current = addDays(current, 1);
  }
  return current;
}

/**
 * The day the bank credits a PSP payout made at the end of `payoutDay`: `delayDays` business days
 * later; with no delay, a payout of a Saturday or Sunday arrives on the Monday.
 */
export function arrivalDay(payoutDay: string, delayDays: number): string {
  let arrival = addBusinessDays(payoutDay, delayDays);
  while (isWeekend(arrival)) arrival = addDays(arrival, 1);
  return arrival;
}

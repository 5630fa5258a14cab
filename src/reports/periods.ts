import { InputError } from '../errors.js';
import { normalizeInstant } from '../time.js';

/**
 * Report periods as hledger has them: `--begin` inclusive, `--end` exclusive, bare dates are UTC
 * days; with a period, the span is widened to whole periods (calendar days, ISO weeks starting
 * Monday, calendar months), which is what hledger 1.25 does for `-D`, `-W` and `-M`.
 */
export type Period = 'daily' | 'weekly' | 'monthly';

export interface PeriodSpan {
  /** ISO instant, inclusive. */
  start: string;
  /** ISO instant, exclusive. */
  end: string;
}

/** A report with more columns than this is refused: nobody reads it, and it costs a query each. */
const MAX_PERIODS = 1000;

const DAY_MS = 86_400_000;

/** `2026-11-23` → its UTC midnight; anything else is refused, naming the flag. */
export function parseReportDate(text: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
    throw new InputError(`${flag}: "${text.slice(0, 40)}" is not a date such as 2026-11-01`);
  return normalizeInstant(text, flag);
}

/** The first instant of the period holding `instantMs`. */
function periodStartOf(period: Period, instantMs: number): number {
  const day = Math.floor(instantMs / DAY_MS) * DAY_MS;
  if (period === 'daily') return day;
  if (period === 'weekly') {
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    return day - weekday * DAY_MS;
  }
  const date = new Date(day);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextPeriodStart(period: Period, startMs: number): number {
  if (period === 'daily') return startMs + DAY_MS;
  if (period === 'weekly') return startMs + 7 * DAY_MS;
  const date = new Date(startMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/**
 * The columns of a report over [beginMs, endMs): one column when no period is asked for, else
 * whole periods covering the span. Empty when the span is empty.
 */
export function reportPeriods(
  period: Period | undefined,
  beginMs: number,
  endMs: number,
): PeriodSpan[] {
  if (!(beginMs < endMs)) return [];
  if (period === undefined) return [{ start: iso(beginMs), end: iso(endMs) }];
  const spans: PeriodSpan[] = [];
  for (
    let start = periodStartOf(period, beginMs);
    start < endMs;
    start = nextPeriodStart(period, start)
  ) {
    if (spans.length >= MAX_PERIODS) {
      throw new InputError(
        `--period ${period}: more than ${MAX_PERIODS} columns from ${iso(beginMs).slice(0, 10)} to ${iso(endMs).slice(0, 10)}`,
        {
          hint: 'narrow the span with -b/--begin and -e/--end, or choose a longer period',
        },
      );
    }
    spans.push({ start: iso(start), end: iso(nextPeriodStart(period, start)) });
  }
  return spans;
}

/** The UTC day after the one holding `instantMs`, as hledger's default end is the day after the last transaction. */
export function dayAfter(instantMs: number): number {
  return Math.floor(instantMs / DAY_MS) * DAY_MS + DAY_MS;
}

export function dayStart(instantMs: number): number {
  return Math.floor(instantMs / DAY_MS) * DAY_MS;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

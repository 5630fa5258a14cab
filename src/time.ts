import { InputError } from './errors.js';

/**
 * Instants are stored as ISO 8601 UTC with milliseconds ("2026-11-23T10:15:00.000Z"): sortable as
 * text, unambiguous. Input must say its time zone: a date-time without "Z" or an offset is refused
 * rather than guessed. A bare date means midnight UTC at its start.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function normalizeInstant(text: unknown, where = 'time'): string {
  // Already in stored form (every internal posting, every row of payops' settlement file): accept
  // it if it names a real instant, checked by arithmetic rather than a Date round trip.
  if (typeof text === 'string' && CANONICAL.test(text) && isRealCanonicalInstant(text)) return text;
  if (typeof text !== 'string') {
    throw new InputError(`${where}: expected an ISO 8601 time such as "2026-11-23T10:15:00Z"`);
  }
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    return checkedCalendar(text, `${text}T00:00:00.000Z`, where, dateOnly);
  }
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) {
    const hint = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)
      ? ' (add "Z" or an offset such as "+01:00": payops does not guess time zones)'
      : ' (expected e.g. "2026-11-23T10:15:00Z" or "2026-11-23")';
    throw new InputError(`${where}: "${text.slice(0, 40)}" is not an ISO 8601 time${hint}`);
  }
  return checkedCalendar(text, text.replace(' ', 'T'), where, dateTime);
}

function checkedCalendar(
  original: string,
  isoText: string,
  where: string,
  parts: RegExpExecArray,
): string {
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = parts;
  const instant = new Date(isoText);
  const valid =
    !Number.isNaN(instant.getTime()) &&
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth(Number(year), Number(month)) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59;
  if (!valid)
    throw new InputError(`${where}: "${original.slice(0, 40)}" is not a real date and time`);
  const stored = instant.toISOString();
  // An offset can carry 9999-12-31 into year 10000 ("+010000-…"), or 0000-01-01 before year 0: neither sorts as text.
  if (!CANONICAL.test(stored))
    throw new InputError(
      `${where}: "${original.slice(0, 40)}" falls outside the years 0000 to 9999 in UTC`,
    );
  return stored;
}

/** `text` matches CANONICAL; true when its fields name a real calendar date and time of day. */
function isRealCanonicalInstant(text: string): boolean {
  const digit = (index: number): number => text.charCodeAt(index) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digit(11) * 10 + digit(12) <= 23 &&
    digit(14) * 10 + digit(15) <= 59 &&
    digit(17) * 10 + digit(18) <= 59
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Proleptic Gregorian, for any year (Date.UTC would read years 0–99 as 1900–1999). */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/**
 * `--as-of` bound: a bare date means the end of that day (everything effective on it counts),
 * a date-time means that instant, inclusive.
 */
export function asOfBound(text: string, where = '--as-of'): string {
  const start = normalizeInstant(text, where);
  if (!DATE_ONLY.test(text)) return start;
  return new Date(Date.parse(start) + 86_400_000 - 1).toISOString();
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Milliseconds since the epoch; injected wherever time decides behaviour, so tests control it. */
export type Clock = () => number;

/**
 * Test only: `PAYOPS_TEST_CLOCK_OFFSET_MS=N` moves the binary's clock N ms ahead (the executors'
 * and the simulated PSP's alike), so an end-to-end test or the chaos run can step past the PSP's
 * 24 h key lifetime without waiting a day (restoring a backup, issue 14).
 */
const TEST_CLOCK_OFFSET = 'PAYOPS_TEST_CLOCK_OFFSET_MS';

function testClockOffsetMs(): number {
  const text = process.env[TEST_CLOCK_OFFSET];
  if (text === undefined || text === '') return 0;
  if (!/^-?[0-9]{1,15}$/.test(text))
    throw new InputError(
      `${TEST_CLOCK_OFFSET}: "${text.slice(0, 40)}" is not a whole number of milliseconds`,
    );
  return Number(text);
}

let clockOffsetMs: number | undefined;
export const systemClock: Clock = () => Date.now() + (clockOffsetMs ??= testClockOffsetMs());

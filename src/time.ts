import { InputError } from './errors.js';

/**
 * Instants are stored as ISO 8601 UTC with milliseconds ("2026-11-23T10:15:00.000Z"): sortable as
 * text, unambiguous. Input must say its time zone: a date-time without "Z" or an offset is refused
 * rather than guessed. A bare date means midnight UTC at its start.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function normalizeInstant(text: unknown, where = 'time'): string {
  // Already in stored form (every internal posting is): accept it if it names a real instant.
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

function checkedCalendar(original: string, isoText: string, where: string, parts: RegExpExecArray): string {
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = parts;
  const instant = new Date(isoText);
  const valid =
    !Number.isNaN(instant.getTime()) &&
    Number(month) >= 1 && Number(month) <= 12 &&
    Number(day) >= 1 && Number(day) <= daysInMonth(Number(year), Number(month)) &&
    Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
  if (!valid) throw new InputError(`${where}: "${original.slice(0, 40)}" is not a real date and time`);
  return instant.toISOString();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Whether a text of the stored form ("2026-11-23T10:15:00.000Z") names a real instant, i.e.
 * whether Date would write it back unchanged: every field in its calendar range. Read digit by
 * digit: parsing and re-printing a Date for each posting was most of what validating one cost.
 */
function isRealCanonicalInstant(text: string): boolean {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && digits(text, 11, 2) <= 23 && digits(text, 14, 2) <= 59 && digits(text, 17, 2) <= 59;
}

function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) value = value * 10 + (text.charCodeAt(index) - 48);
  return value;
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
export const systemClock: Clock = () => Date.now();

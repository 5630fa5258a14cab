import { printable } from '../../money/index.js';
import { normalizeInstant } from '../../time.js';
import { optionalDayField, rowErrorFrom } from './fields.js';
import { RowError } from './format.js';

/**
 * Local date-times in the providers' files, turned into UTC without guessing: a time is converted
 * only when its zone is stated (a column, or the mapping file) and names exactly one offset.
 */

/** A zone: a fixed offset from UTC, or an IANA zone whose offset depends on the date. */
export type Zone = { kind: 'offset'; minutes: number } | { kind: 'iana'; name: string };

/** Abbreviations that name one offset. CST, IST and AST name several and are refused. */
const ABBREVIATIONS: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  MET: 60,
  CEST: 120,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  SAST: 120,
  WAT: 60,
  CAT: 120,
  EAT: 180,
  PKT: 300,
  ICT: 420,
  WIB: 420,
  SGT: 480,
  HKT: 480,
  AWST: 480,
  JST: 540,
  KST: 540,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  HST: -600,
  AKST: -540,
  AKDT: -480,
  PST: -480,
  PDT: -420,
  MST: -420,
  MDT: -360,
  CDT: -300,
  EST: -300,
  EDT: -240,
  ADT: -180,
  NST: -210,
  NDT: -150,
  BRT: -180,
  ART: -180,
};
const AMBIGUOUS: Readonly<Record<string, string>> = {
  CST: 'US Central -06:00, China +08:00 or Cuba -05:00',
  IST: 'India +05:30, Ireland +01:00 or Israel +02:00',
  AST: 'Atlantic -04:00 or Arabia +03:00',
};
const OFFSET = /^(?:(?:UTC|GMT) ?)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

const zoneCache = new Map<string, Zone | string>();

/** The zone a text names, or the reason it names none (a string). */
export function zoneOf(text: string): Zone | string {
  const cached = zoneCache.get(text);
  if (cached !== undefined) return cached;
  const zone = resolveZone(text.trim());
  if (zoneCache.size < 1000) zoneCache.set(text, zone);
  return zone;
}

function resolveZone(text: string): Zone | string {
  const upper = text.toUpperCase();
  const abbreviation = ABBREVIATIONS[upper];
  if (abbreviation !== undefined) return { kind: 'offset', minutes: abbreviation };
  const ambiguous = AMBIGUOUS[upper];
  if (ambiguous !== undefined)
    return `"${upper}" names more than one zone (${ambiguous}); payops does not guess`;
  const offset = OFFSET.exec(upper);
  if (offset) {
    const [, sign, hours = '0', minutes = '00'] = offset;
    if (Number(hours) > 14 || Number(minutes) > 59)
      return `"${printable(text)}" is not a UTC offset`;
    return {
      kind: 'offset',
      minutes: (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)),
    };
  }
  if (/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+$/.test(text) && formatterFor(text) !== undefined)
    return { kind: 'iana', name: text };
  return `"${printable(text)}" is not a time zone payops knows (use an IANA name such as "Europe/Amsterdam", an offset such as "+01:00", or UTC)`;
}

const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

function formatterFor(name: string): Intl.DateTimeFormat | undefined {
  if (formatters.has(name)) return formatters.get(name);
  let formatter: Intl.DateTimeFormat | undefined;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    formatter = undefined; // not a zone this Node knows
  }
  formatters.set(name, formatter);
  return formatter;
}

/** Minutes the IANA zone is ahead of UTC at the instant `utcMs`. */
function ianaOffsetMinutes(name: string, utcMs: number): number {
  const formatter = formatterFor(name) as Intl.DateTimeFormat;
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(utcMs))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return Math.round((wall - (utcMs - (((utcMs % 1000) + 1000) % 1000))) / 60_000);
}

/**
 * The UTC instant of a wall-clock time in `zone`, given as the milliseconds that time would have
 * in UTC. A wall time that happens twice (clocks going back) or never (clocks going forward) in
 * the zone is refused: which instant was meant is not written anywhere.
 */
export function wallTimeToUtc(wallMs: number, zone: Zone): number | string {
  if (zone.kind === 'offset') return wallMs - zone.minutes * 60_000;
  const instants = new Set<number>();
  for (const probe of [wallMs - 86_400_000, wallMs + 86_400_000]) {
    const offset = ianaOffsetMinutes(zone.name, probe);
    const candidate = wallMs - offset * 60_000;
    if (ianaOffsetMinutes(zone.name, candidate) === offset) instants.add(candidate);
  }
  if (instants.size === 1) return [...instants][0] as number;
  return instants.size === 0
    ? `does not exist in ${zone.name} (the clocks skip it)`
    : `happens twice in ${zone.name} (the clocks go back over it), so the instant is unknown`;
}

const WHOLE_SECONDS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** "YYYY-MM-DD HH:MM[:SS[.sss]]" in `zone` → ISO 8601 UTC. */
export function localInstantField(value: string | undefined, zone: Zone, field: string): string {
  if (value === undefined || value === '')
    throw new RowError(field, 'is empty (expected a date and time such as "2026-11-23 10:15:00")');
  if (value.length === 19 && WHOLE_SECONDS.test(value)) {
    // The common shape, checked without captures: a million-row Stripe file has two a row.
    const wallIso = instantWithZone(`${value.slice(0, 10)}T${value.slice(11)}.000Z`, field);
    return zone.kind === 'offset' && zone.minutes === 0
      ? wallIso
      : toUtc(wallIso, zone, value, field);
  }
  const match = LOCAL_DATE_TIME.exec(value);
  if (!match) {
    if (/(?:Z|[+-]\d{2}:?\d{2})$/.test(value)) return instantWithZone(value, field);
    throw new RowError(
      field,
      `"${printable(value)}" is not a date and time (expected YYYY-MM-DD HH:MM:SS)`,
    );
  }
  const [, year, month, day, hour, minute, second = '00', millis = '0'] = match;
  // Checked as a UTC wall time first, which rejects 2026-02-30 and 24:00 with the usual reason.
  const wallIso = instantWithZone(
    `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis.padEnd(3, '0')}Z`,
    field,
  );
  if (zone.kind === 'offset' && zone.minutes === 0) return wallIso;
  return toUtc(wallIso, zone, value, field);
}

function toUtc(wallIso: string, zone: Zone, value: string, field: string): string {
  const utc = wallTimeToUtc(Date.parse(wallIso), zone);
  if (typeof utc === 'string') throw new RowError(field, `"${printable(value)}" ${utc}`);
  return new Date(utc).toISOString();
}

/** A date-time in a column that the provider documents as UTC: "YYYY-MM-DD HH:MM:SS" or ISO 8601 with a zone. */
export function utcInstantField(value: string | undefined, field: string): string {
  return localInstantField(value, UTC, field);
}

/** A day, or a date-time whose day is taken, in a UTC column; null when empty. */
export function utcDayField(value: string | undefined, field: string): string | null {
  if (value === undefined || value === '') return null;
  if (value === lastDay.value) return lastDay.day; // the rows of a batch share their day
  const day =
    value.length > 10 && LOCAL_DATE_TIME.test(value)
      ? utcInstantField(value, field).slice(0, 10)
      : optionalDayField(value, field);
  lastDay.value = value;
  lastDay.day = day;
  return day;
}

const lastDay: { value: string; day: string | null } = { value: '', day: null };

const UTC: Zone = { kind: 'offset', minutes: 0 };

function instantWithZone(value: string, field: string): string {
  try {
    return normalizeInstant(value, field);
  } catch (error) {
    throw rowErrorFrom(error, field);
  }
}

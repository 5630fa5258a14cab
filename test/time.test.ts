import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { asOfBound, normalizeInstant } from '../src/time.js';
import { inputErrorOf } from './helpers/errors.js';

const ZONE_HINT = 'add "Z" or an offset';

describe('normalizeInstant: accepted input', () => {
  it.each([
    ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['2026-12-31', '2026-12-31T00:00:00.000Z'],
    ['1970-01-01', '1970-01-01T00:00:00.000Z'],
  ])('reads bare date %j as midnight UTC at its start: %j', (text, expected) => {
    expect(normalizeInstant(text)).toBe(expected);
  });

  it.each([
    ['2026-11-23T10:15:00Z', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T10:15:00.000Z', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T10:15:00.5Z', '2026-11-23T10:15:00.500Z'],
    ['2026-11-23T10:15:00.12Z', '2026-11-23T10:15:00.120Z'],
    ['2026-11-23T10:15:00.123Z', '2026-11-23T10:15:00.123Z'],
    ['2026-11-23T10:15Z', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23 10:15:00Z', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T00:00:00Z', '2026-11-23T00:00:00.000Z'],
    ['2026-11-23T23:59:59.999Z', '2026-11-23T23:59:59.999Z'],
  ])('normalizes UTC %j to %j', (text, expected) => {
    expect(normalizeInstant(text)).toBe(expected);
  });

  it.each([
    ['2026-11-23T10:15:00+01:00', '2026-11-23T09:15:00.000Z'],
    ['2026-11-23T10:15:00-05:00', '2026-11-23T15:15:00.000Z'],
    ['2026-11-23T10:15:00+05:30', '2026-11-23T04:45:00.000Z'],
    ['2026-11-23T10:15:00+00:00', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T10:15:00-00:00', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T00:30:00+01:00', '2026-11-22T23:30:00.000Z'],
    ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00.000Z'],
    ['2026-11-23T10:15:00.250+14:00', '2026-11-22T20:15:00.250Z'],
    ['2026-11-23 10:15-08:00', '2026-11-23T18:15:00.000Z'],
  ])('converts offset time %j to UTC %j', (text, expected) => {
    expect(normalizeInstant(text)).toBe(expected);
  });

  it('converts any instant written with any whole-minute offset back to the same UTC instant', () => {
    const instantArb = fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9000, 0, 1) });
    const offsetArb = fc.integer({ min: -14 * 60, max: 14 * 60 });
    fc.assert(
      fc.property(instantArb, offsetArb, (ms, offsetMinutes) => {
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23); // wall clock at that offset
        const sign = offsetMinutes < 0 ? '-' : '+';
        const magnitude = Math.abs(offsetMinutes);
        const offset = `${sign}${String(Math.floor(magnitude / 60)).padStart(2, '0')}:${String(magnitude % 60).padStart(2, '0')}`;
        expect(normalizeInstant(`${local}${offset}`)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts a text in the stored form exactly when Date writes it back unchanged', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const stored = fc
      .tuple(
        fc.integer({ min: 1, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(19),
        two(39),
        two(29),
        two(69),
        two(69),
        fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
      )
      .map(
        ([year, month, day, hour, minute, second, ms]) =>
          `${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}Z`,
      );
    fc.assert(
      fc.property(stored, (text) => {
        const date = new Date(text);
        const real = !Number.isNaN(date.getTime()) && date.toISOString() === text;
        if (real) expect(normalizeInstant(text)).toBe(text);
        else expect(() => normalizeInstant(text)).toThrow(InputError);
      }),
      { numRuns: 5000 },
    );
    for (const leap of ['2000-02-29T00:00:00.000Z', '2024-02-29T12:00:00.000Z'])
      expect(normalizeInstant(leap)).toBe(leap);
    for (const bad of [
      '1900-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-11-23T24:00:00.000Z',
      '2026-11-23T10:60:00.000Z',
    ]) {
      expect(() => normalizeInstant(bad)).toThrow(InputError);
    }
  });

  it('is idempotent on its own output (years 0001–9999)', () => {
    const instantArb = fc.integer({
      min: Date.UTC(2000, 0, 1) - 1999 * 365 * 86_400_000,
      max: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    });
    fc.assert(
      fc.property(instantArb, (ms) => {
        const iso = new Date(ms).toISOString();
        expect(normalizeInstant(iso)).toBe(iso);
        expect(normalizeInstant(normalizeInstant(iso))).toBe(iso);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('normalizeInstant: does not depend on the machine time zone', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it.each(['Pacific/Kiritimati', 'America/Los_Angeles', 'Europe/Berlin'])(
    'gives the same answers with TZ=%s',
    (zone) => {
      process.env.TZ = zone;
      expect(normalizeInstant('2026-11-23')).toBe('2026-11-23T00:00:00.000Z');
      expect(normalizeInstant('2026-03-29T02:30:00+01:00')).toBe('2026-03-29T01:30:00.000Z');
      expect(asOfBound('2026-11-23')).toBe('2026-11-23T23:59:59.999Z');
      expect(() => normalizeInstant('2026-11-23T10:15:00')).toThrow(InputError);
    },
  );
});

describe('normalizeInstant: date-times without a time zone', () => {
  it.each([
    '2026-11-23T10:15:00',
    '2026-11-23T10:15',
    '2026-11-23T10:15:00.123',
    '2026-11-23 10:15:00',
    '2026-11-23 10:15',
  ])('rejects %j and says to add "Z" or an offset', (text) => {
    const error = inputErrorOf(
      () => normalizeInstant(text, 'events[0].occurredAt'),
      'events[0].occurredAt',
    );
    expect(error.message).toContain(ZONE_HINT);
    expect(error.message).toContain('does not guess time zones');
  });
});

describe('normalizeInstant: impossible calendar dates and times', () => {
  it.each([
    '2026-02-30',
    '2026-02-29',
    '2100-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-11-00',
    '2026-11-32',
    '2026-02-30T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-04-31T23:59:59+02:00',
    '2026-11-23T24:00:00Z',
    '2026-11-23T25:00:00Z',
    '2026-11-23T10:60:00Z',
    '2026-11-23T10:15:60Z',
    '2026-11-23T10:15:00+25:00',
    '2026-11-23T10:15:00+01:60',
  ])('rejects %j as not a real date and time', (text) => {
    const error = inputErrorOf(() => normalizeInstant(text, 'settledAt'), 'settledAt');
    expect(error.message).toMatch(/not a real date and time|not an ISO 8601 time/);
  });

  it.each([
    '2026-02-29T10:00:00.000Z',
    '2100-02-29T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-11-23T24:00:00.000Z',
    '2026-11-23T10:60:00.000Z',
    '2026-11-23T10:15:60.000Z',
  ])('rejects %j, already in stored form but not a real instant', (text) => {
    expect(inputErrorOf(() => normalizeInstant(text), 'time').message).toContain(
      'not a real date and time',
    );
  });

  it('counts leap days in years 0–99 by the Gregorian rule (not as 1900–1999)', () => {
    expect(normalizeInstant('0096-02-29')).toBe('0096-02-29T00:00:00.000Z');
    expect(normalizeInstant('0096-02-29T12:00:00.000Z')).toBe('0096-02-29T12:00:00.000Z');
    expect(normalizeInstant('0000-02-29T00:00:00Z')).toBe('0000-02-29T00:00:00.000Z');
    expect(inputErrorOf(() => normalizeInstant('0099-02-29'), 'time').message).toContain(
      'not a real date and time',
    );
  });

  it('agrees with a Date round trip on every stored-form instant, real or not', () => {
    const partsArb = fc.tuple(
      fc.integer({ min: 1000, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
    );
    const pad = (value: number, width: number) => String(value).padStart(width, '0');
    fc.assert(
      fc.property(partsArb, ([year, month, day, hour, minute, second]) => {
        const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.000Z`;
        const date = new Date(text);
        const real = !Number.isNaN(date.getTime()) && date.toISOString() === text;
        if (real) expect(normalizeInstant(text)).toBe(text);
        else expect(() => normalizeInstant(text)).toThrow(InputError);
      }),
      { numRuns: 3000 },
    );
  });

  it('says "not a real date and time" for 2026-02-30 and 2026-13-01', () => {
    expect(inputErrorOf(() => normalizeInstant('2026-02-30'), 'time').message).toBe(
      'time: "2026-02-30" is not a real date and time',
    );
    expect(inputErrorOf(() => normalizeInstant('2026-13-01'), 'time').message).toBe(
      'time: "2026-13-01" is not a real date and time',
    );
  });
});

describe('normalizeInstant: malformed input', () => {
  it.each([
    '',
    ' ',
    'today',
    '2026/11/23',
    '23-11-2026',
    '2026-1-1',
    '26-11-23',
    '20261123',
    ' 2026-11-23',
    '2026-11-23 ',
    '2026-11-23\n',
    '2026-11-23T10:15:00z',
    '2026-11-23t10:15:00Z',
    '2026-11-23T10:15:00+0100',
    '2026-11-23T10:15:00+01',
    '2026-11-23T10:15:00.1234Z',
    '2026-11-23T10:15:00.Z',
    '2026-11-23T10Z',
    '+002026-11-23T10:15:00Z',
    '2026-11-23T10:15:00 UTC',
    '２０２６-11-23',
  ])('rejects %j with an example of the expected format', (text) => {
    const error = inputErrorOf(() => normalizeInstant(text, 'occurredAt'), 'occurredAt');
    expect(error.message).toContain('is not an ISO 8601 time');
    expect(error.message).toContain('"2026-11-23T10:15:00Z"');
  });

  it.each([
    ['a number (epoch ms)', 1_795_428_900_000],
    ['null', null],
    ['undefined', undefined],
    ['a Date object', new Date('2026-11-23T10:15:00Z')],
  ])('rejects %s: only strings are accepted', (_label, value) => {
    const error = inputErrorOf(() => normalizeInstant(value, 'occurredAt'), 'occurredAt');
    expect(error.message).toContain('expected an ISO 8601 time');
  });

  it('names the field with "time" when no `where` is given', () => {
    inputErrorOf(() => normalizeInstant('nope'), 'time');
  });

  it('shortens very long input in the message', () => {
    const error = inputErrorOf(() => normalizeInstant('x'.repeat(500)), 'time');
    expect(error.message).toContain(`"${'x'.repeat(40)}"`);
    expect(error.message).not.toContain('x'.repeat(41));
  });
});

describe('asOfBound', () => {
  it.each([
    ['2026-11-23', '2026-11-23T23:59:59.999Z'],
    ['2026-12-31', '2026-12-31T23:59:59.999Z'],
    ['2028-02-29', '2028-02-29T23:59:59.999Z'],
  ])('turns bare date %j into the last millisecond of that UTC day: %j', (text, expected) => {
    expect(asOfBound(text)).toBe(expected);
  });

  it.each([
    ['2026-11-23T10:15:00Z', '2026-11-23T10:15:00.000Z'],
    ['2026-11-23T00:00:00Z', '2026-11-23T00:00:00.000Z'],
    ['2026-11-23T10:15:00+01:00', '2026-11-23T09:15:00.000Z'],
    ['2026-11-23 23:59:59.999Z', '2026-11-23T23:59:59.999Z'],
  ])('keeps date-time %j as that instant: %j', (text, expected) => {
    expect(asOfBound(text)).toBe(expected);
  });

  it('rejects a date-time without a time zone, naming --as-of', () => {
    const error = inputErrorOf(() => asOfBound('2026-11-23T10:15:00'), '--as-of');
    expect(error.message).toContain(ZONE_HINT);
  });

  it('rejects impossible dates, naming the given flag', () => {
    inputErrorOf(() => asOfBound('2026-02-30'), '--as-of');
    inputErrorOf(() => asOfBound('2026-13-01', '--until'), '--until');
  });

  it('a bare-date bound is 1 ms before the next day starts, for any day in 1970–9999', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Math.floor(Date.UTC(9999, 11, 30) / 86_400_000) }),
        (dayNumber) => {
          const date = new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
          const nextDayStart = new Date((dayNumber + 1) * 86_400_000).toISOString();
          expect(Date.parse(asOfBound(date)) + 1).toBe(Date.parse(nextDayStart));
          expect(asOfBound(date).slice(0, 10)).toBe(date);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowError } from '../../../src/reconcile/formats/format.js';
import {
  type Zone,
  localInstantField,
  utcDayField,
  utcInstantField,
  wallTimeToUtc,
  zoneOf,
} from '../../../src/reconcile/formats/zones.js';

describe('zoneOf', () => {
  it.each([
    ['UTC', 0],
    ['gmt', 0],
    ['CET', 60],
    ['CEST', 120],
    ['PST', -480],
    ['EDT', -240],
    ['AEDT', 660],
    ['+01:00', 60],
    ['-0530', -330],
    ['UTC+1', 60],
    ['GMT-03:00', -180],
  ])('reads %s as a fixed offset of %i minutes', (text, minutes) => {
    expect(zoneOf(text)).toEqual({ kind: 'offset', minutes });
  });

  it('reads an IANA name as a zone whose offset depends on the date', () => {
    expect(zoneOf('Europe/Amsterdam')).toEqual({ kind: 'iana', name: 'Europe/Amsterdam' });
    expect(zoneOf('America/Argentina/Buenos_Aires')).toEqual({
      kind: 'iana',
      name: 'America/Argentina/Buenos_Aires',
    });
  });

  it.each(['CST', 'IST', 'AST'])('refuses %s, which names several zones', (text) => {
    expect(zoneOf(text)).toMatch(/names more than one zone/);
  });

  it.each(['Europe/Atlantis', 'CETT', '+15:00', '+01:75', '', 'local'])('refuses %j', (text) => {
    expect(typeof zoneOf(text)).toBe('string');
  });
});

describe('wallTimeToUtc', () => {
  const amsterdam: Zone = { kind: 'iana', name: 'Europe/Amsterdam' };

  it('applies the offset in force at that date in an IANA zone', () => {
    expect(
      new Date(wallTimeToUtc(Date.UTC(2026, 0, 15, 12), amsterdam) as number).toISOString(),
    ).toBe('2026-01-15T11:00:00.000Z');
    expect(
      new Date(wallTimeToUtc(Date.UTC(2026, 6, 15, 12), amsterdam) as number).toISOString(),
    ).toBe('2026-07-15T10:00:00.000Z');
  });

  it('refuses a wall time the clocks skip or repeat', () => {
    expect(wallTimeToUtc(Date.UTC(2026, 2, 29, 2, 30), amsterdam)).toMatch(/does not exist/);
    expect(wallTimeToUtc(Date.UTC(2026, 9, 25, 2, 30), amsterdam)).toMatch(/happens twice/);
  });

  it('inverts the zone: a UTC instant shown as wall time converts back to itself unless that wall time repeats', () => {
    const zones = [
      'Europe/Amsterdam',
      'America/New_York',
      'Australia/Sydney',
      'Asia/Kolkata',
      'Pacific/Chatham',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (minuteMs, name) => {
          const instant = minuteMs - (minuteMs % 60_000);
          const parts = new Intl.DateTimeFormat('en-US', {
            timeZone: name,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
          })
            .formatToParts(instant)
            .filter((part) => part.type !== 'literal');
          const wall: Record<string, number> = Object.fromEntries(
            parts.map((part) => [part.type, Number(part.value)]),
          );
          const wallMs = Date.UTC(
            wall.year as number,
            (wall.month as number) - 1,
            wall.day as number,
            wall.hour as number,
            wall.minute as number,
          );
          const back = wallTimeToUtc(wallMs, { kind: 'iana', name });
          if (typeof back === 'string') expect(back).toMatch(/happens twice/);
          else expect(back).toBe(instant);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('date-time fields', () => {
  it('reads a UTC column written with a space or a T, with or without seconds and milliseconds', () => {
    expect(utcInstantField('2026-11-23 10:15:00', 'created_utc')).toBe('2026-11-23T10:15:00.000Z');
    expect(utcInstantField('2026-11-23T10:15', 'created_utc')).toBe('2026-11-23T10:15:00.000Z');
    expect(utcInstantField('2026-11-23 10:15:00.5', 'created_utc')).toBe(
      '2026-11-23T10:15:00.500Z',
    );
    expect(utcInstantField('2026-11-23T10:15:00-05:00', 'created_utc')).toBe(
      '2026-11-23T15:15:00.000Z',
    );
  });

  it('takes the day of a UTC date or date-time, null when empty', () => {
    expect(utcDayField('2026-11-25', 'available_on_utc')).toBe('2026-11-25');
    expect(utcDayField('2026-11-25 00:00:00', 'available_on_utc')).toBe('2026-11-25');
    expect(utcDayField('', 'available_on_utc')).toBeNull();
    expect(() => utcDayField('2026-02-30', 'available_on_utc')).toThrow(RowError);
  });

  it('refuses text that is not a date-time, naming the field', () => {
    const error = (() => {
      try {
        localInstantField('yesterday', { kind: 'offset', minutes: 0 }, 'Creation Date');
      } catch (caught) {
        return caught as RowError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RowError);
    expect([error?.field, error?.reason]).toEqual([
      'Creation Date',
      '"yesterday" is not a date and time (expected YYYY-MM-DD HH:MM:SS)',
    ]);
  });
});

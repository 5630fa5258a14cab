import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  dueDay,
  isBusinessDay,
  previousDay,
} from '../../../src/bank/business-days.js';

describe('business days (Mon-Fri, no holidays)', () => {
  it('adds over weekends', () => {
    expect(isBusinessDay('2026-11-23')).toBe(true); // Monday
    expect(isBusinessDay('2026-11-28')).toBe(false); // Saturday
    expect(addBusinessDays('2026-11-23', 3)).toBe('2026-11-26');
    expect(addBusinessDays('2026-11-26', 3)).toBe('2026-12-01'); // Thu + 3 = Tue
    expect(addBusinessDays('2026-11-28', 1)).toBe('2026-11-30'); // Sat + 1 = Mon
    expect(addBusinessDays('2026-11-27', 0)).toBe('2026-11-27');
    expect(dueDay('2026-12-31', 2)).toBe('2027-01-04');
    expect(previousDay('2027-01-01')).toBe('2026-12-31');
    expect(() => addBusinessDays('2026-02-30', 1)).toThrow(/calendar date/);
    expect(() => addBusinessDays('2026-11-23', -1)).toThrow(RangeError);
  });

  it('lands on a business day after exactly n business days, never before', () => {
    const day = fc
      .integer({ min: 0, max: 3650 })
      .map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 30 }), (date, n) => {
        const due = addBusinessDays(date, n);
        expect(isBusinessDay(due)).toBe(true);
        expect(addBusinessDays(date, n + 1) > due).toBe(true);
        const calendarDays = (Date.parse(due) - Date.parse(date)) / 86_400_000;
        expect(calendarDays).toBeGreaterThanOrEqual(n);
        expect(calendarDays).toBeLessThanOrEqual(n + Math.ceil(n / 5) * 2 + 2);
      }),
    );
  });
});

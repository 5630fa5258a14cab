import { describe, expect, it } from 'vitest';
import { addBusinessDays, arrivalDay } from '../../../src/bank/sim/calendar.js';

// 2026-11-27 is a Friday.
describe("the simulated bank's calendar (Mon-Fri, no holidays)", () => {
  it('adds business days, stepping over the weekend', () => {
    expect(addBusinessDays('2026-11-23', 1)).toBe('2026-11-24');
    expect(addBusinessDays('2026-11-27', 1)).toBe('2026-11-30');
    expect(addBusinessDays('2026-11-27', 2)).toBe('2026-12-01');
    expect(addBusinessDays('2026-11-28', 1)).toBe('2026-11-30');
    expect(addBusinessDays('2026-11-23', 0)).toBe('2026-11-23');
  });

  it('credits a payout delay days later; a weekend arrival is the Monday', () => {
    expect(arrivalDay('2026-11-23', 1)).toBe('2026-11-24');
    expect(arrivalDay('2026-11-27', 1)).toBe('2026-11-30');
    expect(arrivalDay('2026-11-28', 1)).toBe('2026-11-30');
    expect(arrivalDay('2026-11-29', 1)).toBe('2026-11-30');
    expect(arrivalDay('2026-11-28', 0)).toBe('2026-11-30');
    expect(arrivalDay('2026-11-26', 0)).toBe('2026-11-26');
    expect(arrivalDay('2026-12-31', 1)).toBe('2027-01-01');
  });
});

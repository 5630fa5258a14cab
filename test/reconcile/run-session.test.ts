import { describe, expect, it } from 'vitest';
import { expectationOf } from '../../src/reconcile/run-session.js';

describe('expectationOf (pure): a booked record no row of the file reported', () => {
  it('is pending inside the grace period, counted in whole days between the two dates', () => {
    expect(expectationOf('2026-11-20T23:59:00.000Z', '2026-11-22T00:01:00Z', 3)).toEqual({
      recordClass: 'pending',
      why: 'booked 2026-11-20; the PSP has 1 more day(s) to report it',
    });
    expect(expectationOf('2026-11-22T08:00:00.000Z', '2026-11-22T09:00:00Z', 3)).toEqual({
      recordClass: 'pending',
      why: 'booked 2026-11-22; the PSP has 3 more day(s) to report it',
    });
  });

  it('is missing_external from the last day of the grace period on', () => {
    expect(expectationOf('2026-11-19T10:00:00.000Z', '2026-11-22T10:00:00Z', 3)).toEqual({
      recordClass: 'missing_external',
      why: "booked 2026-11-19, 3 day(s) before the file's last day; the PSP has not reported it",
    });
    expect(expectationOf('2026-11-22T10:00:00.000Z', '2026-11-22T11:00:00Z', 0)).toMatchObject({
      recordClass: 'missing_external',
    });
  });
});

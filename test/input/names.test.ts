import { describe, expect, it } from 'vitest';
import { nearestName } from '../../src/input/names.js';

describe('nearestName', () => {
  const known = ['graceDays', 'quietPending', 'feeTolerance', 'capPerRun'];

  it('finds the known name within two edits, whatever the case', () => {
    expect(nearestName('graceDay', known)).toBe('graceDays');
    expect(nearestName('feeTolerence', known)).toBe('feeTolerance');
    expect(nearestName('CAPPERRUN', known)).toBe('capPerRun');
    expect(nearestName('quitePending', known)).toBe('quietPending');
  });

  it('suggests nothing for a name further off', () => {
    expect(nearestName('tolerance', known)).toBeUndefined();
    expect(nearestName('', known)).toBeUndefined();
    expect(nearestName('graceDays', [])).toBeUndefined();
  });
});

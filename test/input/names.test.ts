import { describe, expect, it } from 'vitest';
import { didYouMean, nearestName, unknownFieldReason } from '../../src/input/names.js';

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

describe('did-you-mean for unknown fields', () => {
  it('suggests the closest known name, not merely the first within reach', () => {
    expect(nearestName('platfromFee', ['platform', 'platformFee'])).toBe('platformFee');
    expect(nearestName('amout', ['amounts', 'amount'])).toBe('amount');
  });

  it('never calls a one- or two-letter key near something', () => {
    expect(nearestName('id', ['ib', 'iban'])).toBeUndefined();
  });

  it('says the hint in one wording', () => {
    expect(didYouMean('platfromFee', ['amount', 'platformFee'])).toBe(
      ' (did you mean "platformFee"?)',
    );
    expect(didYouMean('zzz', ['amount'])).toBe('');
    expect(unknownFieldReason('platfromFee', new Set(['platformFee']))).toBe(
      'unknown field (did you mean "platformFee"?)',
    );
    expect(unknownFieldReason('colour', ['amount'], '(check the spelling)')).toBe(
      'unknown field (check the spelling)',
    );
    expect(unknownFieldReason('colour', ['amount'])).toBe('unknown field');
  });
});

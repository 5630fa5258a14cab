import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { DEFAULT_RULES, parseRules, readRulesFile, rulesJson } from '../../src/reconcile/rules.js';
import { REPO_ROOT } from '../helpers/cli.js';

function refused(text: string): string {
  try {
    parseRules(text, 'rules.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error('accepted');
}

describe('reconciliation rules file', () => {
  it('defaults: two days of grace, pending quiet, pending orders completed, nothing booked automatically', () => {
    expect(parseRules('{}', 'rules.json')).toEqual(DEFAULT_RULES);
    // Saved by an editor that writes a byte order mark and CRLF: the same rules.
    expect(parseRules('\uFEFF{\r\n  "graceDays": 2\r\n}\r\n', 'rules.json')).toEqual(DEFAULT_RULES);
    expect(rulesJson(DEFAULT_RULES)).toEqual({
      graceDays: 2,
      quietPending: true,
      completePendingOrders: true,
      feeTolerance: {},
      writeOffTolerance: {},
      capPerRun: {},
    });
  });

  it('reads the example in fixtures/reconcile/rules.json', () => {
    const rules = readRulesFile(path.join(REPO_ROOT, 'fixtures', 'reconcile', 'rules.json'));
    expect(rulesJson(rules)).toEqual({
      graceDays: 2,
      quietPending: true,
      completePendingOrders: true,
      feeTolerance: { USD: '0.05', EUR: '0.05', JPY: '5' },
      writeOffTolerance: { USD: '0.10', EUR: '0.10', JPY: '10' },
      capPerRun: { USD: '25.00', EUR: '25.00', JPY: '2500' },
    });
    expect(rules.feeTolerance.get('USD' as never)).toBe(5n);
  });

  it('refuses what it cannot use, naming the file and the rule', () => {
    expect(refused('[')).toMatch(/^rules\.json: not valid JSON/);
    expect(refused('[]')).toBe('rules.json: expected a JSON object of rules');
    expect(refused('{"graceDay": 2}')).toBe(
      'rules.json: unknown rule "graceDay" (did you mean "graceDays"?); known rules: graceDays, quietPending, completePendingOrders, feeTolerance, writeOffTolerance, capPerRun, bank',
    );
    expect(refused('{"tolerance": 2}')).toBe(
      'rules.json: unknown rule "tolerance"; known rules: graceDays, quietPending, completePendingOrders, feeTolerance, writeOffTolerance, capPerRun, bank',
    );
    expect(refused('{"graceDays": -1}')).toBe(
      'rules.json graceDays: expected a whole number of days from 0 to 366',
    );
    expect(refused('{"graceDays": 1.5}')).toBe(
      'rules.json graceDays: expected a whole number of days from 0 to 366',
    );
    expect(refused('{"quietPending": "yes"}')).toBe(
      'rules.json quietPending: expected true or false',
    );
    expect(refused('{"feeTolerance": {"USD": 0.05}, "capPerRun": {"USD": "1.00"}}')).toMatch(
      /^rules\.json feeTolerance\.USD: amounts must be decimal strings/,
    );
    expect(refused('{"feeTolerance": {"USD": "0.005"}, "capPerRun": {"USD": "1.00"}}')).toMatch(
      /has more decimals than USD allows/,
    );
    expect(refused('{"feeTolerance": {"usd": "0.05"}}')).toMatch(
      /"usd" is not an ISO 4217 currency code \(did you mean "USD"\?\)/,
    );
    expect(refused('{"feeTolerance": {"USD": "-0.05"}, "capPerRun": {"USD": "1.00"}}')).toBe(
      'rules.json feeTolerance.USD: must not be negative',
    );
    expect(refused('{"writeOffTolerance": {"EUR": "0.10"}}')).toBe(
      'rules.json writeOffTolerance.EUR: needs a capPerRun.EUR, the most rules may book in EUR in one run',
    );
  });

  it('a missing rules file is a usage error', () => {
    expect(() => readRulesFile('/nonexistent/rules.json')).toThrow(UsageError);
  });
});

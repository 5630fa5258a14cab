import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BANK_RULES,
  feeCapOf,
  parseBankRules,
  readBankRulesFile,
  windowDaysOf,
  windowDaysOption,
} from '../../src/bank/rules.js';
import { InputError, UsageError } from '../../src/errors.js';
import { toCurrency } from '../../src/money/index.js';
import { tempDirPerTest } from '../helpers/cli.js';

const USD = toCurrency('USD');
const JPY = toCurrency('JPY');

describe('the bank rules', () => {
  const temp = tempDirPerTest();

  it('defaults: 3 business days for every PSP, a 25 major-unit fee cap in every currency', () => {
    expect(windowDaysOf(DEFAULT_BANK_RULES, 'sim')).toBe(3);
    expect(windowDaysOf(DEFAULT_BANK_RULES, 'sim', 0)).toBe(0);
    expect(feeCapOf(DEFAULT_BANK_RULES, USD)).toBe(2500n);
    expect(feeCapOf(DEFAULT_BANK_RULES, JPY)).toBe(25n);
  });

  it('reads windows per PSP with a "*" fallback and caps per currency (an unnamed currency books nothing by itself)', () => {
    const rules = parseBankRules(
      { windowDays: { sim: 2, '*': 5 }, feeCap: { USD: '10.00' } },
      'rules.json',
    );
    expect([windowDaysOf(rules, 'sim'), windowDaysOf(rules, 'stripe')]).toEqual([2, 5]);
    expect([feeCapOf(rules, USD), feeCapOf(rules, JPY)]).toEqual([1000n, 0n]);
  });

  it('refuses what it cannot use, one line naming the file and the rule', () => {
    const refused = (value: unknown) => {
      try {
        parseBankRules(value, 'rules.json');
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ windowDay: {} })).toMatch(
      /^rules\.json bank: unknown rule "windowDay" \(did you mean "windowDays"\?\)/,
    );
    expect(refused({ windowDays: { sim: -1 } })).toBe(
      'rules.json bank.windowDays.sim: expected a whole number of business days from 0 to 30',
    );
    expect(refused({ windowDays: { Sim: 1 } })).toMatch(/"Sim" is not a PSP name/);
    expect(refused({ feeCap: { USD: 25 } })).toMatch(
      /rules\.json bank\.feeCap\.USD: amounts must be decimal strings/,
    );
    expect(refused({ feeCap: { USD: '-1.00' } })).toMatch(/must not be negative/);
    expect(refused([])).toMatch(/^rules\.json bank: expected an object/);
  });

  it('--window-days out of range is a usage error', () => {
    expect(windowDaysOption(30)).toBe(30);
    expect(() => windowDaysOption(31)).toThrow(UsageError);
  });

  it('reads the bank object from a rules file that the settlement rules also accept', () => {
    const file = path.join(temp.dir, 'rules.json');
    fs.writeFileSync(file, JSON.stringify({ graceDays: 2, bank: { windowDays: { sim: 1 } } }));
    expect(windowDaysOf(readBankRulesFile(file), 'sim')).toBe(1);
    fs.writeFileSync(file, JSON.stringify({ graceDay: 2 }));
    expect(() => readBankRulesFile(file)).toThrow(/unknown rule "graceDay"/);
  });
});

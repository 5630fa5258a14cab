import { describe, expect, it } from 'vitest';
import {
  defaultFeeCapMinor,
  simAccountChargeMinor,
  simBankIban,
} from '../../../src/bank/sim/account.js';
import type { Currency } from '../../../src/money/index.js';

const valid = (iban: string): boolean => {
  const moved = `${iban.slice(4)}${iban.slice(0, 4)}`;
  const digits = [...moved]
    .map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char))
    .join('');
  return BigInt(digits) % 97n === 1n;
};

describe("the simulated bank's accounts", () => {
  it('has one fixed, valid IBAN per currency, as documented', () => {
    expect(simBankIban('USD' as Currency)).toBe('GB65SIMB00000100302813');
    for (const currency of ['USD', 'EUR', 'GBP', 'JPY', 'KWD'] as Currency[])
      expect(valid(simBankIban(currency)), currency).toBe(true);
    expect(new Set(['USD', 'EUR', 'GBP', 'JPY'].map((c) => simBankIban(c as Currency))).size).toBe(
      4,
    );
  });

  it('takes an account charge under the default fee cap in every exponent', () => {
    expect(simAccountChargeMinor('USD' as Currency)).toBe(150n);
    expect(simAccountChargeMinor('JPY' as Currency)).toBe(15n);
    expect(simAccountChargeMinor('KWD' as Currency)).toBe(1500n);
    for (const currency of ['USD', 'JPY', 'KWD'] as Currency[])
      expect(simAccountChargeMinor(currency)).toBeLessThan(defaultFeeCapMinor(currency));
  });
});

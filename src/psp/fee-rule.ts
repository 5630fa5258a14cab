import { Decimal } from 'decimal.js';
import { UsageError } from '../errors.js';
import { type Currency, applyBasisPoints, exponentOf } from '../money/index.js';

/**
 * A PSP's processing fee: a percentage of the amount plus a fixed part, e.g. "2.9%+0.30".
 * The percentage is rounded half-even to the minor unit. The fixed part is in major units of the
 * charge's currency, converted half-even (0.30 is 30 cents in USD and 0 in JPY).
 */
export interface FeeRule {
  basisPoints: bigint;
  fixedMajor: string;
  text: string;
}

const RULE = /^\s*(\d{1,2}(?:\.\d{1,2})?)%\s*(?:\+\s*(\d{1,6}(?:\.\d{1,4})?))?\s*$/;

export function parseFeeRule(text: string): FeeRule {
  const match = RULE.exec(text);
  if (!match)
    throw new UsageError(
      `--fee-rule: "${text}" is not a fee rule; expected e.g. "2.9%+0.30" or "1.5%"`,
    );
  const basisPoints = BigInt(new Decimal(match[1] as string).times(100).toFixed(0));
  return { basisPoints, fixedMajor: match[2] ?? '0', text: text.trim() };
}

export const DEFAULT_FEE_RULE = parseFeeRule('2.9%+0.30');

export function feeFor(rule: FeeRule, amountMinor: bigint, currency: Currency): bigint {
  const fee =
    applyBasisPoints(amountMinor, rule.basisPoints, 'half-even') + fixedMinorOf(rule, currency);
  // A fee never exceeds the charge it is taken from.
  return fee > amountMinor ? amountMinor : fee;
}

/** The fixed part in minor units of a currency, converted once per rule and currency (every charge needs it). */
const FIXED_MINOR = new WeakMap<FeeRule, Map<Currency, bigint>>();

function fixedMinorOf(rule: FeeRule, currency: Currency): bigint {
  let byCurrency = FIXED_MINOR.get(rule);
  if (byCurrency === undefined) FIXED_MINOR.set(rule, (byCurrency = new Map()));
  let fixedMinor = byCurrency.get(currency);
  if (fixedMinor === undefined) {
    fixedMinor = BigInt(
      new Decimal(rule.fixedMajor)
        .times(new Decimal(10).pow(exponentOf(currency)))
        .toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN)
        .toFixed(0),
    );
    byCurrency.set(currency, fixedMinor);
  }
  return fixedMinor;
}

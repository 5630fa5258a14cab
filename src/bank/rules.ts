import fs from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { currencyAmounts } from '../input/json-file.js';
import { didYouMean } from '../input/names.js';
import { type Currency, exponentOf, formatAmount, printable } from '../money/index.js';
import { parseRules } from '../reconcile/rules.js';

/**
 * The bank leg's rules: the `bank` object of the rules file (docs/RECONCILIATION.md, "The bank leg"):
 * `{"bank": {"windowDays": {"sim": 2, "*": 3}, "feeCap": {"USD": "25.00"}}}`.
 * - windowDays: business days a payout of a PSP may take to reach the bank (its payout day +
 *   N business days is its due day); `"*"` for every PSP not named; default 3.
 * - feeCap: a bank charge up to this much (per entry) is booked to expenses:bank-fees by the rule
 *   `bank-fee-cap`; above it the charge waits as an open bank_fee item. With no `feeCap` at all
 *   every currency's cap is 25 of its major units (25.00 USD, 25 JPY); once `feeCap` is given, a
 *   currency it does not name, or names with "0", books nothing by itself.
 */
export interface BankRules {
  windowDays: ReadonlyMap<string, number>;
  /** undefined: the default cap for every currency. */
  feeCap: ReadonlyMap<Currency, bigint> | undefined;
}

const DEFAULT_WINDOW_DAYS = 3;
const DEFAULT_FEE_CAP_MAJOR = 25n;
const MAX_WINDOW_DAYS = 30;
const KNOWN = ['windowDays', 'feeCap'] as const;
const PSP_NAME = /^([a-z][a-z0-9_-]{0,31}|\*)$/;

export const DEFAULT_BANK_RULES: BankRules = {
  windowDays: new Map([['*', DEFAULT_WINDOW_DAYS]]),
  feeCap: undefined,
};

/** The window of a PSP: its own, else `"*"`, else the default; `override` (--window-days) wins. */
export function windowDaysOf(rules: BankRules, psp: string, override?: number): number {
  return override ?? rules.windowDays.get(psp) ?? rules.windowDays.get('*') ?? DEFAULT_WINDOW_DAYS;
}

/** The most the rule books by itself for one charge in `currency` (0: nothing). */
export function feeCapOf(rules: BankRules, currency: Currency): bigint {
  if (rules.feeCap === undefined)
    return DEFAULT_FEE_CAP_MAJOR * 10n ** BigInt(exponentOf(currency));
  return rules.feeCap.get(currency) ?? 0n;
}

export function readBankRulesFile(file: string): BankRules {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--rules: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  parseRules(text, file); // the whole file is valid, not only its bank part
  return parseBankRules(
    (JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>).bank,
    file,
  );
}

export function parseBankRules(value: unknown, where: string): BankRules {
  if (value === undefined) return DEFAULT_BANK_RULES;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(
      `${where} bank: expected an object such as {"windowDays": {"*": 3}, "feeCap": {"USD": "25.00"}}`,
    );
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!(KNOWN as readonly string[]).includes(key))
      throw new InputError(
        `${where} bank: unknown rule "${printable(key)}"${didYouMean(key, KNOWN)}; known: ${KNOWN.join(', ')}`,
      );
  }
  return {
    windowDays: windows(object.windowDays, `${where} bank.windowDays`),
    feeCap:
      object.feeCap === undefined
        ? undefined
        : currencyAmounts(object.feeCap, `${where} bank.feeCap`, '{"USD": "25.00"}'),
  };
}

function windowDays(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_WINDOW_DAYS)
    throw new InputError(
      `${where}: expected a whole number of business days from 0 to ${MAX_WINDOW_DAYS}`,
    );
  return value;
}

/** --window-days N: a usage error (exit 2), not a refused file, when out of range. */
export function windowDaysOption(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_WINDOW_DAYS)
    throw new UsageError(
      `--window-days: expected a whole number of business days from 0 to ${MAX_WINDOW_DAYS}, not ${value}`,
    );
  return value;
}

function windows(value: unknown, where: string): Map<string, number> {
  const result = new Map([['*', DEFAULT_WINDOW_DAYS]]);
  if (value === undefined) return result;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(
      `${where}: expected an object of PSP name (or "*") to business days, e.g. {"sim": 2, "*": 3}`,
    );
  for (const [psp, days] of Object.entries(value as Record<string, unknown>)) {
    if (!PSP_NAME.test(psp))
      throw new InputError(
        `${where}: "${printable(psp)}" is not a PSP name (lower-case letters, digits, "_" or "-") nor "*"`,
      );
    result.set(psp, windowDays(days, `${where}.${psp}`));
  }
  return result;
}

/** As stored with the run (recon_runs.rules) and shown in its summary. */
export function bankRulesJson(rules: BankRules, override?: number): Record<string, unknown> {
  return {
    windowDays: Object.fromEntries(rules.windowDays),
    ...(override === undefined ? {} : { windowDaysOverride: override }),
    feeCap:
      rules.feeCap === undefined
        ? `default ${DEFAULT_FEE_CAP_MAJOR} in every currency`
        : Object.fromEntries(
            [...rules.feeCap].map(([currency, minor]) => [currency, formatAmount(minor, currency)]),
          ),
  };
}

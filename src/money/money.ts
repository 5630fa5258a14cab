import { Decimal } from 'decimal.js';
import { InputError } from '../errors.js';
import { type Currency, exponentOf, isCurrencyCode } from './currencies.js';

/**
 * Money is a bigint count of the currency's minor unit. Amounts enter and leave payops as decimal
 * strings in major units ("25.00", "1500" for JPY) and are converted here, exactly, with decimal.js.
 * Nothing is ever rounded on the way in: more decimals than the currency has is an error.
 */
export interface Money {
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

/** The range SQLite's INTEGER holds: every amount and every balance must stay inside it. */
export const MAX_MINOR = 2n ** 63n - 1n;
export const MIN_MINOR = -(2n ** 63n);

/**
 * The one per-amount limit: the most any single amount entering payops may be, in minor units of
 * its currency (10,000,000,000,000.00 USD; 1,000,000,000,000,000 JPY). Orders, refunds, hand
 * postings, settlement rows, PSP answers and webhooks are held to it where they come in. Every
 * balance payops keeps is a sum of such amounts and must stay within 64 bits: 9,223 amounts at
 * this limit fit in one balance, and the ledger refuses, before writing, the one that would not.
 */
export const MAX_AMOUNT_MINOR = 10n ** 15n;

/**
 * The most a sum of amounts that payops stores may be (a settlement batch's captures, fees, net):
 * 1,000 amounts at the per-amount limit. Half of 64 bits and less, so the difference of two such
 * sums (a batch's payout against its rows) still fits.
 */
export const MAX_SUM_MINOR = 10n ** 18n;

// Enough digits for any int64 amount at any exponent, so no operation below ever rounds.
const Exact = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});

/** 10^exponent per exponent (0–4 in ISO 4217), built once: a million-row file converts 3,000,000 amounts. */
const SCALES = new Map<number, Decimal>();
function scaleOf(exponent: number): Decimal {
  let scale = SCALES.get(exponent);
  if (scale === undefined) {
    scale = new Exact(10).pow(exponent);
    SCALES.set(exponent, scale);
  }
  return scale;
}

const DECIMAL_STRING = /^-?[0-9]+(?:\.[0-9]+)?$/;
const MAX_AMOUNT_TEXT_LENGTH = 40;

export function toCurrency(code: unknown, where = 'currency'): Currency {
  if (typeof code !== 'string' || code.length === 0) {
    throw new InputError(`${where}: expected an ISO 4217 code such as "USD"`);
  }
  if (!isCurrencyCode(code)) {
    const upper = code.toUpperCase();
    const hint = upper !== code && isCurrencyCode(upper) ? ` (did you mean "${upper}"?)` : '';
    throw new InputError(`${where}: "${printable(code)}" is not an ISO 4217 currency code${hint}`);
  }
  return code;
}

/**
 * Parses a decimal string in major units into minor units. Accepts an optional leading minus,
 * ASCII digits and at most `exponent` decimals as written (so "25.000" USD and "1.0" JPY fail); rejects numbers (use a string), blanks, exponents,
 * "+", thousands separators, non-ASCII digits and anything beyond 64 bits.
 */
export function parseAmount(text: unknown, currency: Currency, where = 'amount'): bigint {
  if (typeof text === 'number' || typeof text === 'bigint') {
    throw new InputError(
      `${where}: amounts must be decimal strings such as "25.00", not JSON numbers (got ${String(text)})`,
    );
  }
  if (typeof text !== 'string') {
    throw new InputError(`${where}: expected a decimal string such as "25.00"`);
  }
  if (text.length > MAX_AMOUNT_TEXT_LENGTH || !DECIMAL_STRING.test(text)) {
    throw new InputError(
      `${where}: "${printable(text)}" is not a decimal amount (digits, optional "-" and ".", e.g. "25.00")`,
    );
  }
  const exponent = exponentOf(currency);
  // Counted as written: "25.000" USD states a precision USD does not have, even if it is zero.
  const dot = text.indexOf('.');
  const decimalsWritten = dot < 0 ? 0 : text.length - dot - 1;
  if (decimalsWritten > exponent) {
    throw new InputError(
      `${where}: "${text}" has more decimals than ${currency} allows (${exponent}); payops never rounds input`,
    );
  }
  const minor = BigInt(new Exact(text).times(scaleOf(exponent)).toFixed(0));
  if (minor > MAX_MINOR || minor < MIN_MINOR) {
    throw new InputError(
      `${where}: "${text}" ${currency} is beyond the largest amount payops can hold`,
    );
  }
  return minor;
}

/**
 * The reason an amount is beyond the per-amount limit, or undefined: "is more than one amount may
 * be (10000000000000.00 USD)". For callers that build their own message (a row, an event).
 */
export function beyondAmountLimit(amountMinor: bigint, currency: Currency): string | undefined {
  if (amountMinor <= MAX_AMOUNT_MINOR && amountMinor >= -MAX_AMOUNT_MINOR) return undefined;
  return `is more than one amount may be (${formatAmount(MAX_AMOUNT_MINOR, currency)} ${currency})`;
}

/** parseAmount held to the per-amount limit (MAX_AMOUNT_MINOR), either sign. */
export function parseBoundedAmount(text: unknown, currency: Currency, where = 'amount'): bigint {
  const minor = parseAmount(text, currency, where);
  const beyond = beyondAmountLimit(minor, currency);
  if (beyond !== undefined) throw new InputError(`${where}: "${String(text)}" ${beyond}`);
  return minor;
}

/** Parses an amount that must be strictly positive (charges, entries, fees that are charged). */
export function parsePositiveAmount(text: unknown, currency: Currency, where = 'amount'): bigint {
  const minor = parseAmount(text, currency, where);
  if (minor <= 0n)
    throw new InputError(`${where}: must be greater than zero (got "${String(text)}")`);
  return minor;
}

/**
 * Formats minor units as a plain decimal string in major units: 2500n USD → "25.00". Moving the
 * point `exponent` digits left is exact string work (reports format thousands of amounts; a
 * property test checks it against decimal.js).
 */
export function formatAmount(amountMinor: bigint, currency: Currency): string {
  const exponent = exponentOf(currency);
  return new Exact(amountMinor.toString()).dividedBy(scaleOf(exponent)).toFixed(exponent);
}

/** "25.00 USD" */
export function formatMoney(money: Money): string {
  return `${formatAmount(money.amountMinor, money.currency)} ${money.currency}`;
}

export function money(amountMinor: bigint, currency: Currency): Money {
  assertInRange(amountMinor, currency);
  return { amountMinor, currency };
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b, 'add');
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b, 'subtract');
  return money(a.amountMinor - b.amountMinor, a.currency);
}

export function assertInRange(amountMinor: bigint, currency: Currency): void {
  if (amountMinor > MAX_MINOR || amountMinor < MIN_MINOR) {
    throw new RangeError(`amount ${amountMinor} ${currency} overflows 64 bits`);
  }
}

function assertSameCurrency(a: Money, b: Money, operation: string): void {
  if (a.currency !== b.currency) {
    throw new TypeError(`cannot ${operation} ${a.currency} and ${b.currency}`);
  }
}

/** Makes user text safe to echo in a one-line message. */
export function printable(text: string, maxLength = 40): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

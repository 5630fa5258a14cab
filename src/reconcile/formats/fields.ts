import { InputError } from '../../errors.js';
import {
  type Currency,
  MAX_MINOR,
  MIN_MINOR,
  beyondAmountLimit,
  formatAmount,
  isCurrencyCode,
  parseAmount,
  printable,
} from '../../money/index.js';
import { normalizeInstant } from '../../time.js';
import type { SettlementRowType } from '../types.js';
import { RowError } from './format.js';

/**
 * The checks every format applies to a field, each throwing RowError(field, reason) so that the
 * reader reports `FILE:LINE field: reason`. Amounts and instants go through src/money and
 * src/time: exact, never rounded, never guessed.
 */

const MINOR_UNITS = /^-?[0-9]{1,19}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The last day that passed optionalDayField: a batch's rows share it, so it is checked once. */
let lastDay = '';

/** Text as it is (a formula stays text), or null when empty. Control characters never get here: the CSV reader refuses them. */
export function optionalText(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

export function requiredText(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw new RowError(field, 'is empty');
  return value;
}

export function currencyField(value: string | undefined, field: string): Currency {
  if (value !== undefined && isCurrencyCode(value)) return value;
  if (value === undefined || value === '')
    throw new RowError(field, 'is empty (expected an ISO 4217 code such as "USD")');
  const upper = value.toUpperCase();
  const hint = upper !== value && isCurrencyCode(upper) ? ` (did you mean "${upper}"?)` : '';
  throw new RowError(field, `"${printable(value)}" is not an ISO 4217 currency code${hint}`);
}

/**
 * A decimal string in major units → minor units; more decimals than the currency has is refused,
 * and so is an amount beyond the per-amount limit of orders (src/money MAX_AMOUNT_MINOR).
 */
export function amountField(value: string | undefined, currency: Currency, field: string): bigint {
  if (value === undefined || value === '')
    throw new RowError(
      field,
      `is empty (expected an amount such as "${formatAmount(2500n, currency)}")`,
    );
  let minor: bigint;
  try {
    minor = parseAmount(value, currency, field);
  } catch (error) {
    throw rowErrorFrom(error, field);
  }
  return withinAmountLimit(minor, value, currency, field);
}

function withinAmountLimit(
  minor: bigint,
  value: string,
  currency: Currency,
  field: string,
): bigint {
  const beyond = beyondAmountLimit(minor, currency);
  if (beyond !== undefined) throw new RowError(field, `"${value}" ${beyond}`);
  return minor;
}

/** Minor units written as an integer ("2500" is 25.00 USD): PayPal, a generic "minor" mapping. */
export function minorUnitsField(
  value: string | undefined,
  currency: Currency,
  field: string,
): bigint {
  if (value === undefined || value === '')
    throw new RowError(field, 'is empty (expected an amount in minor units such as "2500")');
  if (!MINOR_UNITS.test(value)) {
    throw new RowError(
      field,
      `"${printable(value)}" is not an amount in minor units of ${currency} (digits only, e.g. "2500" for ${formatAmount(2500n, currency)})`,
    );
  }
  const minor = BigInt(value);
  if (minor > MAX_MINOR || minor < MIN_MINOR)
    throw new RowError(field, `"${value}" is beyond the largest amount payops can hold`);
  return withinAmountLimit(minor, value, currency, field);
}

/** An ISO 8601 instant with a zone → "YYYY-MM-DDTHH:MM:SS.sssZ". */
export function instantField(value: string | undefined, field: string): string {
  if (value === undefined || value === '')
    throw new RowError(
      field,
      'is empty (expected an ISO 8601 time such as "2026-11-23T10:15:00Z")',
    );
  try {
    return normalizeInstant(value, field);
  } catch (error) {
    throw rowErrorFrom(error, field);
  }
}

/** A calendar day "YYYY-MM-DD", or null when empty. */
export function optionalDayField(value: string | undefined, field: string): string | null {
  if (value === undefined || value === '') return null;
  if (value === lastDay) return value;
  if (!DAY.test(value))
    throw new RowError(field, `"${printable(value)}" is not a date (expected YYYY-MM-DD)`);
  instantField(value, field);
  lastDay = value;
  return value;
}

/** A stated net must be gross − fee exactly. */
export function checkNet(
  grossMinor: bigint,
  feeMinor: bigint,
  netMinor: bigint,
  currency: Currency,
  field = 'net',
): void {
  if (grossMinor - feeMinor === netMinor) return;
  const text = (minor: bigint) => formatAmount(minor, currency);
  throw new RowError(
    field,
    `${text(netMinor)} is not gross ${text(grossMinor)} - fee ${text(feeMinor)} = ${text(grossMinor - feeMinor)}`,
  );
}

/**
 * The sign convention of src/reconcile/types.ts, enforced on every row of every format: a row
 * that breaks it would be matched or bridged with the wrong sign.
 */
export function checkSigns(
  type: SettlementRowType,
  grossMinor: bigint,
  feeMinor: bigint,
  currency: Currency,
  grossField: string,
  feeField: string,
): void {
  const text = (minor: bigint) => `${formatAmount(minor, currency)} ${currency}`;
  const fail = (field: string, rule: string, minor: bigint): never => {
    throw new RowError(field, `a ${type} row's ${rule} (got ${text(minor)})`);
  };
  switch (type) {
    case 'capture':
      if (grossMinor <= 0n) fail(grossField, 'gross must be positive', grossMinor);
      if (feeMinor < 0n) fail(feeField, 'fee must not be negative', feeMinor);
      return;
    case 'refund':
      if (grossMinor >= 0n)
        fail(grossField, 'gross must be negative (money back to the buyer)', grossMinor);
      return;
    case 'chargeback':
      if (grossMinor >= 0n)
        fail(grossField, 'gross must be negative (the disputed amount)', grossMinor);
      if (feeMinor < 0n) fail(feeField, 'fee must not be negative', feeMinor);
      return;
    case 'chargeback_reversal':
      if (grossMinor <= 0n)
        fail(grossField, 'gross must be positive (a dispute won back)', grossMinor);
      return;
    case 'fee':
      if (grossMinor !== 0n)
        fail(grossField, 'gross must be 0 (the fee is in the fee column)', grossMinor);
      if (feeMinor <= 0n)
        fail(feeField, 'fee must be positive (a fee credited back is an adjustment)', feeMinor);
      return;
    case 'payout':
      if (grossMinor >= 0n)
        fail(
          grossField,
          'gross must be negative (money leaving the PSP balance for the bank)',
          grossMinor,
        );
      if (feeMinor !== 0n) fail(feeField, 'fee must be 0', feeMinor);
      return;
    case 'adjustment':
      return;
  }
}

/** An InputError from src/money or src/time, which starts with "<field>: ", as a RowError. */
export function rowErrorFrom(error: unknown, field: string): RowError {
  if (!(error instanceof InputError)) throw error;
  const prefix = `${field}: `;
  return new RowError(
    field,
    error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
  );
}

import { InputError } from '../errors.js';
import { printable } from '../money/index.js';

export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';

const TYPE_BY_ROOT: Readonly<Record<string, AccountType>> = {
  assets: 'asset',
  liabilities: 'liability',
  equity: 'equity',
  revenue: 'revenue',
  expenses: 'expense',
};

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_ACCOUNT_NAME_LENGTH = 200;

/**
 * Validates an account name such as `liabilities:sellers:seller_7:payable` and returns its type,
 * which the first segment decides. Segments are letters, digits, "_", "." and "-", so every name
 * exports unchanged to hledger and ledger-cli.
 */
export function accountTypeOf(name: string, where = 'account'): AccountType {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ACCOUNT_NAME_LENGTH) {
    throw new InputError(`${where}: expected an account name such as "assets:bank:operating"`);
  }
  const segments = name.split(':');
  const type = TYPE_BY_ROOT[segments[0] ?? ''];
  if (!type) {
    throw new InputError(
      `${where}: "${printable(name)}" must start with one of ${Object.keys(TYPE_BY_ROOT).join(', ')}`,
    );
  }
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) {
    throw new InputError(
      `${where}: "${printable(name)}" has an invalid segment "${printable(bad)}" (letters, digits, "_", "." and "-", separated by ":")`,
    );
  }
  return type;
}

/** Assets and expenses grow with debits; liabilities, equity and revenue with credits. */
function isDebitNormal(type: AccountType): boolean {
  return type === 'asset' || type === 'expense';
}

/** Converts a raw debits-minus-credits balance into the account's normal direction. */
export function toNormalBalance(type: AccountType, debitMinusCreditMinor: bigint): bigint {
  return isDebitNormal(type) ? debitMinusCreditMinor : -debitMinusCreditMinor;
}

/** `assets:psp:sim` at depth 2 is `assets:psp`. */
export function truncateAccount(name: string, depth: number): string {
  return name.split(':').slice(0, depth).join(':');
}

/** `assets` matches `assets` and `assets:bank`, not `assetsx`. */
export function matchesPrefix(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}:`);
}

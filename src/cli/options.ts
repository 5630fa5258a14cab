import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: a bad value is a usage error (exit 2) naming the flag. */
export function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new InvalidArgumentError('expected a whole number greater than zero');
  return Number(value);
}

export function transactionId(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new InvalidArgumentError('expected a transaction id such as 42');
  return Number(value);
}

export function nonNegativeInteger(value: string): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return Number(value);
}

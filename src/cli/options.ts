import { InvalidArgumentError } from 'commander';
import { InputError, UsageError } from '../errors.js';

/** Commander argument parsers: a bad value is a usage error (exit 2) naming the flag. */
export function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value))
    throw new InvalidArgumentError('expected a whole number greater than zero');
  return Number(value);
}

export function transactionId(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value))
    throw new InvalidArgumentError('expected a transaction id such as 42');
  return Number(value);
}

/**
 * Runs a domain parser on a flag's value: what it refuses is a usage error (exit 2), not rejected
 * input (exit 3), because the command line is not an input file.
 */
export function flagValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError)
      throw new UsageError(
        error.message,
        error.hint === undefined ? undefined : { hint: error.hint },
      );
    throw error;
  }
}

/** `flagValue` of an async parse: a report reading the books through its port. */
export async function flagValueAsync<T>(parse: () => Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (error) {
    return flagValue(() => {
      throw error;
    });
  }
}

export function nonNegativeInteger(value: string): number {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(value))
    throw new InvalidArgumentError('expected a whole number, 0 or more');
  return Number(value);
}

/** A TCP port to listen on: 0 (any free one) to 65535. */
export function port(value: string): number {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(value) || Number(value) > 65_535)
    throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port)');
  return Number(value);
}

/** A listen() failure a person can fix (the port is taken or forbidden) as a usage error; anything else as it is. */
export function listenError(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new UsageError(`--port ${port}: the port is in use on 127.0.0.1`, {
      hint: 'choose another port, or --port 0 for any free one',
    });
  if (code === 'EACCES')
    return new UsageError(`--port ${port}: not allowed to listen on it`, {
      hint: 'use a port above 1023, or --port 0',
    });
  return error;
}

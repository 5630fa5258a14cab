import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/** Catches what `fn` throws and checks it is an InputError (exit code 3) whose message starts with `where:`. */
export function inputErrorOf(fn: () => unknown, where: string): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.exitCode).toBe(3);
  expect(error.message.startsWith(`${where}: `)).toBe(true);
  return error;
}

/**
 * Errors a person can act on. Each carries the process exit code of DESIGN.md §9 and, where
 * there is one, what to do about it. The CLI prints `payops: <message> (<hint>)` on one line and
 * shows the stack only under --verbose; anything that is not a PayopsError is a bug (exit 1).
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  inputRejected: 3,
  reconciliationOpen: 4,
  invariantFailed: 5,
  workPending: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface PayopsErrorOptions {
  /** What the person should do next, e.g. "run `payops init --db x.db` first". */
  hint?: string;
  cause?: unknown;
}

export class PayopsError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCode, options: PayopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }

  /** The one line a person sees. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** Wrong flags, missing files, a database that does not exist: the command could not start. */
export class UsageError extends PayopsError {
  constructor(message: string, options?: PayopsErrorOptions) {
    super(message, ExitCode.usage, options);
  }
}

/** Input that was read and refused: a malformed line, an invalid amount, an unknown currency. */
export class InputError extends PayopsError {
  constructor(message: string, options?: PayopsErrorOptions) {
    super(message, ExitCode.inputRejected, options);
  }
}

/** The same idempotency key was used again with different content; the original stands. */
export class IdempotencyConflictError extends InputError {}

/** Something asked for by id does not exist. */
export class NotFoundError extends PayopsError {
  constructor(message: string, options?: PayopsErrorOptions) {
    super(message, ExitCode.usage, options);
  }
}

/** A guarantee does not hold: unbalanced books, a broken hash chain, wallet ≠ ledger. */
export class InvariantError extends PayopsError {
  constructor(message: string, options?: PayopsErrorOptions) {
    super(message, ExitCode.invariantFailed, options);
  }
}

/** The storage cannot be used: locked, read-only, full, or from a newer payops. */
export class StorageError extends PayopsError {
  constructor(message: string, options?: PayopsErrorOptions) {
    super(message, ExitCode.unexpected, options);
  }
}

/** A programming error: an invariant the code itself must keep was broken. Never caught. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(`internal invariant violated: ${message}`);
}

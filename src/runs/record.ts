import { type Database, openDatabase } from '../db/index.js';
import { formatLeaseOwner, thisProcessOwner } from '../work/leases/lease-owner.js';
import { digestFile } from './digest.js';
import { SqliteRunsStore } from './sqlite-runs-store.js';
import { RunStore } from './store.js';

export interface RunFacts {
  command: string;
  argv: string[];
  osUser: string;
  cwd: string;
  payopsVersion: string;
  inputFiles: readonly string[];
}

/**
 * Writes the run's row (status running); returns its id, or undefined when nothing was recorded.
 * A book that cannot be opened (no such file, not payops', an older schema) records nothing and
 * says nothing: the command itself reports why it cannot use it, and no file is ever created here.
 */
export type StartOutcome =
  | { id: number }
  | { id: undefined; warning?: { line: string; storage: boolean } };

/**
 * Synchronous on RunStore, not through the port: it runs in the command line's first-open listener
 * (src/cli/context.ts), which is called synchronously as the command opens the book, so the row is
 * written before the command's first unit of work.
 *
 * A start that could not be written is not said at once: when the book is locked, read-only or
 * full, the command meets the same condition next and its own one line says so; the warning is
 * printed by `finishRun` only if the command did its work anyway.
 */
export function startRun(
  dbPath: string,
  busyTimeoutMs: number | undefined,
  facts: RunFacts,
): StartOutcome {
  const db = openQuietly(dbPath, busyTimeoutMs);
  if (db === undefined) return { id: undefined };
  try {
    const owner = thisProcessOwner();
    const inputs = facts.inputFiles.map(digestFile).filter((digest) => digest !== undefined);
    return {
      id: new RunStore(db).start({
        ...facts,
        host: owner.host,
        owner: formatLeaseOwner(owner),
        inputs,
        startedAt: new Date().toISOString(),
      }),
    };
  } catch (error) {
    return {
      id: undefined,
      warning: {
        line: warning(`could not record the start of this run in ${dbPath}`, error),
        storage: isStorageCondition(error),
      },
    };
  } finally {
    db.close();
  }
}

/** Prints a start's deferred warning unless the command failed for the same storage reason (exit 1 or 2). */
export function settleStartWarning(
  warningOf: { line: string; storage: boolean },
  exitCode: number,
): void {
  if (warningOf.storage && (exitCode === 1 || exitCode === 2)) return;
  process.stderr.write(warningOf.line);
}

function isStorageCondition(error: unknown): boolean {
  const code = String((error as { code?: unknown } | undefined)?.code ?? '');
  return /^SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|PERM)/.test(code);
}

export async function finishRun(
  dbPath: string,
  busyTimeoutMs: number | undefined,
  id: number,
  exitCode: number,
): Promise<void> {
  let db: Database | undefined;
  try {
    db = openDatabase(dbPath, { busyTimeoutMs });
    await new SqliteRunsStore(db).finish(id, exitCode, new Date().toISOString());
  } catch (error) {
    process.stderr.write(
      warning(
        `could not record the end of run ${id} in ${dbPath} (\`payops runs\` will show it as interrupted)`,
        error,
      ),
    );
  } finally {
    db?.close();
  }
}

function openQuietly(dbPath: string, busyTimeoutMs: number | undefined): Database | undefined {
  try {
    return openDatabase(dbPath, { busyTimeoutMs });
  } catch {
    return undefined;
  }
}

function warning(what: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `payops: warning: ${what}: ${message.split('\n')[0]}; the command itself is not affected\n`;
}

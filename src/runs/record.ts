import { type Database, openDatabase } from '../db/index.js';
import { formatLeaseOwner, thisProcessOwner } from '../work/lease-owner.js';
import { digestFile } from './digest.js';
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
export function startRun(dbPath: string, busyTimeoutMs: number | undefined, facts: RunFacts): number | undefined {
  const db = openQuietly(dbPath, busyTimeoutMs);
  if (db === undefined) return undefined;
  try {
    const owner = thisProcessOwner();
    const inputs = facts.inputFiles.map(digestFile).filter((digest) => digest !== undefined);
    return new RunStore(db).start({ ...facts, host: owner.host, owner: formatLeaseOwner(owner), inputs, startedAt: new Date().toISOString() });
  } catch (error) {
    warn(`could not record the start of this run in ${dbPath}`, error);
    return undefined;
  } finally {
    db.close();
  }
}

export function finishRun(dbPath: string, busyTimeoutMs: number | undefined, id: number, exitCode: number): void {
  let db: Database | undefined;
  try {
    db = openDatabase(dbPath, { busyTimeoutMs });
    new RunStore(db).finish(id, exitCode, new Date().toISOString());
  } catch (error) {
    warn(`could not record the end of run ${id} in ${dbPath} (\`payops runs\` will show it as interrupted)`, error);
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

function warn(what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`payops: warning: ${what}: ${message.split('\n')[0]}; the command itself is not affected\n`);
}

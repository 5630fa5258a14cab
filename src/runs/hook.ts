import os from 'node:os';
import type { Command } from 'commander';
import { INPUT_FILE_OPTIONS, MAX_INPUT_FILES, RUN_COMMANDS, redactArgv } from './commands.js';

/** Sets (undefined: clears) what the command line calls once a command first opens the book. */
export type FirstOpenRegistration = (
  listener: ((dbPath: string, busyTimeoutMs: number | undefined) => void) | undefined,
) => void;

export interface RunRecording {
  /** Finishes the run's row with the command's exit code, if one was started; returns the code. */
  finish(exitCode: number): Promise<number>;
}

/** `payin run` from the command that is about to act. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let each: Command | null = command; each?.parent; each = each.parent)
    names.unshift(each.name());
  return names.join(' ');
}

/**
 * Records every command of RUN_COMMANDS in the book's `runs` table: a row at start (when the
 * command first opens the book: one refused before that changed nothing and is no run) and its
 * exit code at the end (main() calls finish, whether the action returned or
 * threw). A book that cannot be opened records nothing; any other failure to record is one
 * warning on stderr and never changes the command's outcome. The command line passes its
 * `onFirstOpen` in, so runs/ does not import cli/.
 */
export function recordRuns(
  program: Command,
  argv: readonly string[],
  version: string,
  onFirstOpen: FirstOpenRegistration,
): RunRecording {
  let started: { dbPath: string; busyTimeoutMs: number | undefined; id: number } | undefined;
  let startWarning: { line: string; storage: boolean } | undefined;
  program.hook('preAction', async (_root, action) => {
    const command = commandPath(action);
    if (!RUN_COMMANDS.has(command)) return;
    const { startRun } = await import('./record.js');
    const start = {
      command,
      argv: redactArgv(argv.slice(2)),
      osUser: osUser(),
      cwd: process.cwd(),
      payopsVersion: version,
      inputFiles: inputFilesOf(action),
    };
    onFirstOpen((dbPath, busyTimeoutMs) => {
      const outcome = startRun(dbPath, busyTimeoutMs, start);
      if (outcome.id !== undefined) started = { dbPath, busyTimeoutMs, id: outcome.id };
      else startWarning = outcome.warning;
    });
  });
  return {
    async finish(exitCode) {
      onFirstOpen(undefined);
      if (startWarning !== undefined) {
        const { settleStartWarning } = await import('./record.js');
        settleStartWarning(startWarning, exitCode);
        startWarning = undefined;
      }
      if (started === undefined) return exitCode;
      const { dbPath, busyTimeoutMs, id } = started;
      started = undefined;
      const { finishRun } = await import('./record.js');
      await finishRun(dbPath, busyTimeoutMs, id, exitCode);
      return exitCode;
    },
  };
}

function inputFilesOf(action: Command): string[] {
  const positional = action.processedArgs
    .flat()
    .filter((value): value is string => typeof value === 'string');
  const options = action.opts<Record<string, unknown>>();
  const named = INPUT_FILE_OPTIONS.map((name) => options[name]).filter(
    (value): value is string => typeof value === 'string',
  );
  return [...positional, ...named].slice(0, MAX_INPUT_FILES);
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid with no passwd entry (containers): the number is still who it was.
    return process.env.USER || `uid ${process.getuid?.() ?? '?'}`;
  }
}

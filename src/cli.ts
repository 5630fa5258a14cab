import { Command, CommanderError } from 'commander';
import { registerAttention } from './cli/attention.js';
import { registerBank } from './cli/bank.js';
import { registerChargebacks } from './cli/chargebacks.js';
import { registerCompletion } from './cli/completion.js';
import { registerConfig } from './cli/config.js';
import { onFirstOpen } from './cli/context.js';
import { registerCheck } from './cli/check.js';
import { registerDemo } from './cli/demo.js';
import { registerInit } from './cli/init.js';
import { registerLedger } from './cli/ledger.js';
import { registerOrders } from './cli/orders.js';
import { registerPayin } from './cli/payin.js';
import { registerPayout } from './cli/payout.js';
import { registerPsp } from './cli/psp.js';
import { registerQueue } from './cli/queue.js';
import { registerReconcile } from './cli/reconcile.js';
import { registerReport } from './cli/report.js';
import { registerRuns } from './cli/runs.js';
import { registerWebhooks } from './cli/webhooks.js';
import { ExitCode, PayopsError } from './errors.js';
import { nonNegativeInteger } from './cli/options.js';
import { colourWanted, loadPalette } from './output/palette.js';
import { recordRuns } from './runs/hook.js';
import { configureFromFile } from './config/hook.js';

// Kept in step with package.json by test/cli.test.ts; read here without loading the file at start-up.
export const VERSION = '0.1.0';

function buildProgram(run: (argv: string[]) => Promise<number>): Command {
  const program = new Command('payops')
    .description(
      'Finance operations for a marketplace: pay-in, pay-out, double-entry ledger and reconciliation on SQLite.',
    )
    .version(VERSION, '-V, --version')
    .option(
      '--db <path>',
      'database file (default: $PAYOPS_DB, else "db" of payops.json / $PAYOPS_CONFIG, else ./payops.db)',
    )
    .option(
      '--busy-timeout <ms>',
      'how long to wait for another payops process to release the database (default 5000)',
      nonNegativeInteger,
    )
    .option('--verbose', 'show stack traces for errors')
    .option('--no-color', 'never colour the output (NO_COLOR is honoured too)')
    .exitOverride()
    // Commander's own error lines are silenced: report() says them once, as one `payops: ` line.
    // A bare command group's help (commander prints it on stderr as an error) is replaced by one line too.
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .addHelpText(
      'after',
      `
Examples:
  $ payops init --db books.db
  $ payops --db books.db ledger post --file opening.json
  $ payops --db books.db ledger balance --as-of 2026-11-23

Exit codes: 0 ok, 1 unexpected failure, 2 usage error, 3 input rejected,
4 reconciliation left open items, 5 an invariant check failed, 6 work left in retry queue or dead letters.`,
    );
  registerInit(program);
  registerPayin(program);
  registerOrders(program);
  registerPayout(program);
  registerReport(program);
  registerChargebacks(program);
  registerQueue(program);
  registerAttention(program);
  registerPsp(program);
  registerBank(program);
  registerReconcile(program);
  registerWebhooks(program);
  registerLedger(program);
  registerCheck(program);
  registerRuns(program);
  registerConfig(program);
  registerCompletion(program);
  registerDemo(program, run);
  return program;
}

/** Every command and option, for tests that inspect the command line as a whole (never run). */
export function commandTree(): Command {
  return buildProgram(main);
}

/** Runs one command line; returns the exit code instead of exiting, so tests and `demo` can reuse it. */
export async function main(argv: string[]): Promise<number> {
  await loadPalette(colourWanted(argv));
  const program = buildProgram(main);
  const defaults = configureFromFile(program);
  const runs = recordRuns(program, argv, VERSION, onFirstOpen);
  // Commands set process.exitCode for outcomes that are not errors (rejected input, work left);
  // scope it to this call so one command's code never leaks into the next (demo runs many).
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    refuseUnknownHelpTopic(program, argv);
    await program.parseAsync(argv);
    return await runs.finish(Number(process.exitCode ?? ExitCode.ok));
  } catch (error) {
    return await runs.finish(
      report(error, argv.includes('--verbose'), () => commandOf(program, argv)),
    );
  } finally {
    defaults.release();
    process.exitCode = outer;
  }
}

function report(error: unknown, verbose: boolean, commandOf: () => Command): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; everything else commander rejects is usage, said in one line.
    if (error.exitCode === 0) return ExitCode.ok;
    const command = commandOf();
    const line =
      error.code === 'commander.help'
        ? missingCommandLine(command, error)
        : commanderLine(error.message);
    process.stderr.write(`payops: ${line} (see ${pathOf(command)} --help)\n`);
    return ExitCode.usage;
  }
  if (error instanceof PayopsError) {
    process.stderr.write(`payops: ${error.oneLine()}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `payops: unexpected error: ${message}${verbose ? '' : ' (run with --verbose for the stack trace)'}\n`,
  );
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ExitCode.unexpected;
}

/** `error: unknown option '--stat'\n(Did you mean --status?)` → `unknown option '--stat' (did you mean --status?)`. */
export function commanderLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\(Did you mean/g, ' (did you mean')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** `payops ledger` alone: which commands it has, rather than its whole help on stderr. */
function missingCommandLine(command: Command, error: CommanderError): string {
  const unknownHelpTopic = /unknown command/i.test(error.message) ? error.message : undefined;
  if (unknownHelpTopic) return commanderLine(unknownHelpTopic);
  const names = command.commands
    .filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden)
    .map((sub) => sub.name());
  const group = pathOf(command).replace(/^payops ?/, '');
  return `${group === '' ? 'a command is needed' : `${group} needs a command`}: ${names.join(', ')}`;
}

/**
 * `payops help ledger bogus`: commander would print the help of the part it knows (exit 0) or of
 * the whole program; an unknown name is a usage error, said as `payops ledger bogus` says it.
 */
function refuseUnknownHelpTopic(program: Command, argv: readonly string[]): void {
  const words = argv
    .slice(2)
    .filter(
      (token, index, all) => !token.startsWith('-') && !VALUED_GLOBALS.has(all[index - 1] ?? ''),
    );
  let current = program;
  let inHelp = false;
  for (const word of words) {
    const next = current.commands.find(
      (command) => command.name() === word || command.aliases().includes(word),
    );
    if (next !== undefined) current = next;
    else if (!inHelp && word === 'help' && current.commands.length > 0) inHelp = true;
    else if (inHelp)
      throw new CommanderError(2, 'commander.unknownCommand', `error: unknown command '${word}'`);
    else return;
  }
}

/** Global options that take a value: the word after them is no command name. */
const VALUED_GLOBALS: ReadonlySet<string> = new Set(['--db', '--busy-timeout']);

/** The deepest command argv names (`ledger tx` for `--db x ledger tx abc`), for the help hint. */
function commandOf(program: Command, argv: readonly string[]): Command {
  let current = program;
  for (const token of argv.slice(2)) {
    if (token === '--') break;
    const next = current.commands.find(
      (command) => command.name() === token || command.aliases().includes(token),
    );
    if (next) current = next;
  }
  return current;
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let each: Command | null = command; each; each = each.parent) names.unshift(each.name());
  return names.join(' ');
}

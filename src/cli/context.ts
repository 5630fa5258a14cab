import type { Command } from 'commander';
import type { Book } from '../book/book.js';
import type { Database } from '../db/index.js';
import { type Palette, palette } from '../output/palette.js';

export interface CliContext {
  dbPath: string;
  busyTimeoutMs: number | undefined;
  verbose: boolean;
  color: Palette;
  out(text: string): void;
  err(text: string): void;
  stderrIsTTY: boolean;
}

/** Global options live on the root program; every command reads them through this. */
export function contextOf(command: Command): CliContext {
  const options = command.optsWithGlobals<{
    db?: string;
    busyTimeout?: number;
    verbose?: boolean;
    color?: boolean;
  }>();
  const colorAllowed =
    options.color !== false &&
    !(process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') &&
    process.stdout.isTTY === true;
  return {
    // An empty PAYOPS_DB is unset, not a path.
    dbPath: options.db || process.env.PAYOPS_DB || './payops.db',
    busyTimeoutMs: options.busyTimeout,
    verbose: options.verbose === true,
    color: palette(colorAllowed),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

type OpenListener = (dbPath: string, busyTimeoutMs: number | undefined) => void;
let firstOpenListener: OpenListener | undefined;

/**
 * Called once, after a command's first successful open of the book: the runs hook records the
 * run's start there, so a command refused before it touches the book (a usage error, a protected
 * output path) leaves the book byte for byte as it was.
 */
export function onFirstOpen(listener: OpenListener | undefined): void {
  firstOpenListener = listener;
}

/** Opens the database for one command and always closes it; storage failures become one line. */
export async function withDatabase<T>(
  context: CliContext,
  work: (db: Database) => T | Promise<T>,
  options: { create?: boolean; migrate?: boolean; readonly?: boolean } = {},
): Promise<T> {
  const { openDatabase, storageError } = await import('../db/index.js');
  const db = openDatabase(context.dbPath, { ...options, busyTimeoutMs: context.busyTimeoutMs });
  const listener = firstOpenListener;
  firstOpenListener = undefined;
  listener?.(context.dbPath, context.busyTimeoutMs);
  try {
    return await work(db);
  } catch (error) {
    throw storageError(error, context.dbPath);
  } finally {
    db.close();
  }
}

/**
 * The composition root of the flows that run the claim → call → record protocol: opens the
 * database as `withDatabase` does and hands them its Book (src/book/book.ts), never the driver.
 */
export async function withBook<T>(
  context: CliContext,
  work: (book: Book) => T | Promise<T>,
): Promise<T> {
  const { sqliteBook } = await import('../book/sqlite-book.js');
  return withDatabase(context, (db) => work(sqliteBook(db)));
}

/** JSON with bigints as strings; amounts are already decimal strings by then. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    2,
  );
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/check.js';
import { runChecksWithPsp } from '../../src/check/with-psp.js';
import { SqliteCheckSource } from '../../src/check/sqlite-check-source.js';
import { openDatabase } from '../../src/db/index.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';

/**
 * The bad-input corpus: each case is one entry (a file under test/corpus/, the command that reads
 * it, and what must come of it) run through the real binary on a copy of a prepared database.
 * Whatever the input, payops must answer with the documented exit code and a message a person can
 * act on, and the database must hold exactly what the documented behaviour allows: the good
 * records of a partly bad event file, nothing at all for a bad ledger file or a bad flag.
 */
export const CORPUS_DIR = path.join(REPO_ROOT, 'test', 'corpus');

export interface CorpusCase {
  /** Unique; names the test. */
  name: string;
  /** The input, relative to test/corpus/; copied into the case's own directory before the run. */
  input?: string;
  /** An input made by the test instead (large ones are never committed): its file name and bytes. */
  generated?: { name: string; bytes: () => Buffer };
  /**
   * Arguments after the command the target runs on the input; for the `flags` target, the whole
   * command line. `{input}` is the input's path, `{dir}` the case's directory, `{missing}` a path
   * that does not exist, `{corpus}` test/corpus/ itself (for a second file the case reads as it is).
   */
  args?: readonly string[];
  /** The prepared database the case starts from (default: the target's first). */
  given?: string;
  expect: CorpusExpectation;
  /** A command run afterwards whose output must match, e.g. a CSV report of what was accepted. */
  then?: { args: readonly string[]; stdout: string | RegExp };
}

export interface CorpusExpectation {
  exit: number;
  /** Found in stderr: a string is contained, a RegExp matched. */
  message?: string | RegExp;
  /**
   * What the run may add to the database, by the ids of the target (eventIds, idempotency keys).
   * Empty or absent: nothing at all may change, in any table.
   */
  added?: readonly string[];
  /** Records in the rejects file (event files only). */
  rejected?: number;
  /** Text that must never reach the rejects file, such as a card number. */
  rejectsWithout?: readonly string[];
}

/** How one kind of input is run and what its ids are. */
export interface CorpusTarget {
  title: string;
  /** The command line for a case; `input` is the copied input's path, if the case has one. */
  command(input: string | undefined, args: readonly string[]): string[];
  /** Prepared databases by name: each is built once, through the binary, and copied per case. */
  givens: Record<string, (db: string) => void>;
  /** The ids a run adds: a query for them in the books. */
  idsQuery: string;
  /** Where an event file's rejected records go, if the target writes them. */
  rejectsFile?: (input: string) => string;
  /** Environment of every command line of the target (e.g. the webhook secret). */
  env?: NodeJS.ProcessEnv;
}

/** Runs the binary and fails the test with its output if the exit code is not the expected one. */
export function run(
  args: readonly string[],
  expected = 0,
  env: NodeJS.ProcessEnv = {},
): { stdout: string; stderr: string } {
  const result = payops(args, { env });
  if (result.code !== expected)
    throw new Error(
      `payops ${args.join(' ')} exited ${result.code}, not ${expected}:\n${result.stderr}${result.stdout}`,
    );
  return result;
}

export function runCorpus(target: CorpusTarget, cases: readonly CorpusCase[]): void {
  describe(target.title, () => {
    let work: string;
    let cleanup: () => void;
    const givens = new Map<string, string>();

    beforeAll(() => {
      ({ dir: work, cleanup } = tempDir('payops-corpus-'));
      for (const [name, build] of Object.entries(target.givens)) {
        const directory = path.join(work, `given-${name}`);
        fs.mkdirSync(directory);
        const db = path.join(directory, 'books.db');
        run(['init', '--db', db]);
        build(db);
        givens.set(name, directory);
      }
    });
    afterAll(() => cleanup());

    it('has unique case names and inputs that exist', () => {
      expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
      for (const c of cases)
        if (c.input) expect(fs.existsSync(path.join(CORPUS_DIR, c.input)), c.input).toBe(true);
    });

    it.each(cases.map((c, index) => [c.name, c, index] as const))('%s', async (_name, c, index) => {
      const directory = path.join(
        work,
        `${index}-${c.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}`,
      );
      fs.mkdirSync(directory);
      const given = givens.get(c.given ?? (Object.keys(target.givens)[0] as string));
      if (given === undefined) throw new Error(`${c.name}: no prepared database "${c.given}"`);
      for (const file of fs.readdirSync(given))
        fs.copyFileSync(path.join(given, file), path.join(directory, file));
      const db = path.join(directory, 'books.db');

      let input: string | undefined;
      if (c.input)
        fs.copyFileSync(
          path.join(CORPUS_DIR, c.input),
          (input = path.join(directory, path.basename(c.input))),
        );
      if (c.generated)
        fs.writeFileSync((input = path.join(directory, c.generated.name)), c.generated.bytes());
      const fill = (arg: string) =>
        arg
          .replace('{input}', input ?? '')
          .replace('{dir}', directory)
          .replace('{missing}', path.join(directory, 'missing', 'nothing-here'))
          .replace('{corpus}', CORPUS_DIR);
      const args = (c.args ?? []).map(fill);

      const before = snapshot(db, target.idsQuery);
      const result = payops([...target.command(input, args), '--db', db], {
        env: target.env ?? {},
      });
      const after = snapshot(db, target.idsQuery);

      const context = `payops ${target.command(input, args).join(' ')}\nstderr: ${result.stderr}\nstdout: ${result.stdout.slice(0, 2000)}`;
      expect(result.code, context).toBe(c.expect.exit);
      if (c.expect.message !== undefined) {
        if (typeof c.expect.message === 'string')
          expect(result.stderr, context).toContain(c.expect.message);
        else expect(result.stderr, context).toMatch(c.expect.message);
      }
      // Bad input is a person's problem to fix, never a crash: no "unexpected error", no stack.
      expect(result.stderr, context).not.toMatch(/unexpected error|\n\s+at /);

      const added = after.ids.filter((id) => !before.ids.includes(id)).sort();
      expect(added, context).toEqual([...(c.expect.added ?? [])].sort());
      if (added.length === 0)
        expect(after.tables, `${c.name}: nothing may be written`).toEqual(before.tables);
      else await expectConsistent(db);
      expect(after.integrity).toBe('ok');

      if (target.rejectsFile && input) {
        const rejects = target.rejectsFile(input);
        const written = fs.existsSync(rejects) ? fs.readFileSync(rejects, 'utf8') : '';
        if (c.expect.rejected !== undefined)
          expect(written.split('\n').filter(Boolean), `${c.name}: rejects file`).toHaveLength(
            c.expect.rejected,
          );
        if (written !== '') expect(fs.statSync(rejects).mode & 0o777).toBe(0o600);
        for (const secret of c.expect.rejectsWithout ?? []) expect(written).not.toContain(secret);
      }
      if (c.then) {
        const { stdout } = run([...c.then.args.map(fill), '--db', db], 0, target.env);
        if (typeof c.then.stdout === 'string') expect(stdout).toContain(c.then.stdout);
        else expect(stdout).toMatch(c.then.stdout);
      }
    });
  });
}

interface Snapshot {
  /** Per table: its row count and a digest of its rows. */
  tables: Record<string, string>;
  ids: string[];
  integrity: string;
}

/**
 * Every table of the books, digested: equal snapshots mean nothing was written. `runs` is left
 * out: a run whose input was rejected is still a run (who ran what, and its exit code).
 */
export function snapshot(file: string, idsQuery: string): Snapshot {
  const db = new Sqlite(file, { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    const tables: Record<string, string> = {};
    const names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'runs' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    for (const name of names) {
      // Table names come from sqlite_master itself, never from input.
      const rows = db.prepare(`SELECT * FROM "${name}"`).raw().all();
      const text = rows
        .map((row) =>
          JSON.stringify(row, (_key, value: unknown) =>
            typeof value === 'bigint' ? value.toString() : value,
          ),
        )
        .sort();
      tables[name] =
        `${rows.length} rows, ${createHash('sha256').update(text.join('\n')).digest('hex').slice(0, 16)}`;
    }
    return {
      tables,
      ids: db.prepare(idsQuery).pluck().all() as string[],
      integrity: String(db.pragma('integrity_check', { simple: true })),
    };
  } finally {
    db.close();
  }
}

/** What was added holds together: every invariant `payops check` knows, against the PSP's own record. */
async function expectConsistent(file: string): Promise<void> {
  const psp = path.join(path.dirname(file), 'books.psp-sim.db');
  const db = openDatabase(file);
  try {
    const report = await runChecksWithPsp(
      new SqliteCheckSource(db),
      fs.existsSync(psp) ? { psp: 'sim', stateFile: psp } : undefined,
      runChecks,
    );
    expect(report.results.filter((result) => !result.ok)).toEqual([]);
  } finally {
    db.close();
  }
}

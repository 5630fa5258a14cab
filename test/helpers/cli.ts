import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(REPO_ROOT, 'bin', 'payops');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary (dist/ must be built: `npm test` builds first). No TTY, no colour. */
export function payops(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; user?: RunAs } = {},
): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '', ...options.env },
    maxBuffer: 256 * 1024 * 1024,
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `payops check --json` on the database passes: no check fails, nothing is said on stderr, exit 0.
 * `args` adds options (e.g. `--psp http --psp-state FILE`); returns the names of the checks run.
 */
export function expectCheckPasses(db: string, args: readonly string[] = []): string[] {
  const check = payops(['check', '--json', ...args, '--db', db]);
  const report = JSON.parse(check.stdout) as {
    results: { name: string; ok: boolean; details: string[] }[];
  };
  expect(report.results.filter((result) => !result.ok)).toEqual([]);
  expect(check.stderr).toBe('');
  expect(check.code).toBe(0);
  return report.results.map((result) => result.name);
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'payops-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temporary directory for every test of the file or suite that calls this (made before
 * each test, removed after it). Read `.dir` inside a test.
 */
export function tempDirPerTest(prefix?: string): { readonly dir: string } {
  let current: { dir: string; cleanup: () => void } | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  return {
    get dir(): string {
      if (current === undefined)
        throw new Error('tempDirPerTest: the directory exists only while a test runs');
      return current.dir;
    },
  };
}

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * File permissions do not bind root, so a test of a read-only file run as root would prove
 * nothing: as root, such tests run payops as `nobody` on files given to it; as anyone else, as
 * themselves. `own` hands the paths to that user.
 */
export function unprivilegedUser(): { user: RunAs | undefined; own: (...paths: string[]) => void } {
  if (process.getuid?.() !== 0) return { user: undefined, own: () => undefined };
  const user = { uid: 65534, gid: 65534 };
  return {
    user,
    own: (...paths) =>
      paths.forEach((file) => {
        fs.chownSync(file, user.uid, user.gid);
      }),
  };
}

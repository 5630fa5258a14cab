import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(REPO_ROOT, 'bin', 'payops');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary (dist/ must be built: `npm test` builds first). No TTY, no colour. */
export function payops(args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; user?: RunAs } = {}): RunResult {
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

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'payops-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
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
  return { user, own: (...paths) => paths.forEach((file) => fs.chownSync(file, user.uid, user.gid)) };
}

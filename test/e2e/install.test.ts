import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

interface PackEntry {
  name: string;
  files: { path: string; mode: number }[];
}

/**
 * What `npm pack` puts in the tarball, without writing it (the full pack → install -g → payops
 * --version → payops init runs in .ci/run, where building better-sqlite3 again is affordable).
 */
describe('the npm package', () => {
  it('holds the launcher (executable), the built CLI and the fixtures, and no tests, sources or books', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(pack.status).toBe(0);
    const [entry] = JSON.parse(pack.stdout) as PackEntry[];
    const files = new Map((entry?.files ?? []).map((file) => [file.path, file.mode]));
    expect(entry?.name).toBe('payops');
    expect(files.get('bin/payops')! & 0o111).toBe(0o111);
    expect(files.has('dist/cli.js')).toBe(true);
    expect(files.has('package.json')).toBe(true);
    expect(
      [...files.keys()].filter((file) => /^(src|test|bench|chaos)\/|\.db$|\.tgz$/.test(file)),
    ).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(manifest.bin).toEqual({ payops: 'bin/payops' });
  });
});

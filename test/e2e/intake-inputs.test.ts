import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, payops, tempDir } from '../helpers/cli.js';

/** Issue 14 "Smaller": an empty event file, and an input that is not a file of its own. */
const BAD = path.join(REPO_ROOT, 'fixtures', 'events', 'bad-lines.ndjson');

describe('empty and non-regular event inputs (issue 14, smaller)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-inputs-'));
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
  });
  afterEach(() => cleanup());

  it('an empty event file says "0 events" and exits 0', () => {
    const empty = path.join(dir, 'empty.ndjson');
    fs.writeFileSync(empty, '');
    const result = payops(['payin', 'run', empty, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 0 events`),
    );
  });

  it('payin run /dev/stdin writes its rejects to ./stdin.rejects.ndjson in the current folder, and says so', () => {
    const input = fs.openSync(BAD, 'r');
    const run = spawnSync(process.execPath, [BIN, 'payin', 'run', '/dev/stdin', '--db', db], {
      encoding: 'utf8',
      cwd: dir,
      stdio: [input, 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '' },
    });
    fs.closeSync(input);
    expect(run.status).toBe(3);
    const rejects = path.join(fs.realpathSync(dir), 'stdin.rejects.ndjson');
    expect(fs.existsSync(rejects)).toBe(true);
    expect(fs.readFileSync(rejects, 'utf8')).toContain('"field"');
    expect(run.stdout).toContain(`rejected records: ${rejects}`);
    expect(fs.existsSync('/dev/stdin.rejects.ndjson')).toBe(false);
  });
});

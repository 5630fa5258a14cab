import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';

/**
 * Issue 14 item 9, false assurance: a check that did not run never passes for one that did. A
 * named PSP state file that does not exist is a usage error (exit 2), a skipped check is listed
 * with its reason in the summary and in --json, and a full PSP state file is named as the file
 * that is full, not the books.
 */
const SMALL = path.join(REPO_ROOT, 'fixtures', 'events', 'small.json');
const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');

interface CheckJson {
  results: { name: string; ok: boolean }[];
  skipped: { check: string; reason: string }[];
}

describe('check says what it did not check (issue 14 item 9)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-skips-'));
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
  });
  afterEach(() => cleanup());

  it('check --psp-state <a mistyped path> exits 2 naming it, for the simulated PSP as for http', () => {
    expect(payops(['payin', 'run', SMALL, '--db', db]).code).toBe(0);
    const typo = path.join(dir, 'books.psp-smi.db');
    const result = payops(['check', '--psp-state', typo, '--db', db]);
    expect(result.stderr).toContain(`--psp-state: ${typo} does not exist`);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(typo)).toBe(false);
  });

  it('a PSP record that is not there is listed as skipped, with its reason, in the summary and in --json', () => {
    const text = payops(['check', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^skip {2}PSP record: no PSP state at .*books\.psp-sim\.db/m);
    expect(text.stdout).toMatch(/1 check skipped/);
    const json = payops(['check', '--json', '--db', db]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as CheckJson;
    expect(report.skipped).toEqual([
      {
        check: 'PSP record',
        reason: expect.stringMatching(/no PSP state at .*books\.psp-sim\.db/),
      },
    ]);
  });

  it('with the PSP record checked, nothing is listed as skipped', () => {
    expect(payops(['payin', 'run', SMALL, '--db', db]).code).toBe(0);
    const report = JSON.parse(payops(['check', '--json', '--db', db]).stdout) as CheckJson;
    expect(report.results.some((result) => / at the PSP /.test(result.name))).toBe(true);
    expect(report.skipped).toEqual([]);
  });

  it('a full PSP state file is reported by its own name, not as the books being full', () => {
    const state = path.join(dir, 'books.psp-sim.db');
    const result = payops(['payin', 'run', DAY, '--db', db], {
      env: { PAYOPS_TEST_PSP_STATE_MAX_PAGE_COUNT: '1' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${state} is full`);
    expect(result.stderr).not.toContain(`${db} is full`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDirPerTest } from '../helpers/cli.js';

const NON_ASCII_MINUS = /[\u2212\u2012\u2013\uFE63\uFF0D]/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('negatives are written with ASCII "-" in every text output (docs/OUTPUT.md)', () => {
  const temp = tempDirPerTest('payops-minus-');

  it('a whole demo run (pay-in, payouts, refunds, chargebacks, reconciliation, ledger) prints no U+2212', () => {
    const result = payops(['demo', '--db', path.join(temp.dir, 'demo.db')]);
    expect(result.code, result.stderr).toBe(0);
    const text = result.stdout + result.stderr;
    const offending = text.split('\n').filter((line) => line.includes('\u2212'));
    expect(offending).toEqual([]);
    // The ledger's footer and the reconciliation bridges do print negatives and differences.
    expect(text).toContain('debits - credits');
  }, 120_000);

  it('no line of code in src/ writes a non-ASCII minus (comments may use the sign)', () => {
    const offending = sourceFiles(path.join(REPO_ROOT, 'src')).flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, where: `${path.relative(REPO_ROOT, file)}:${index + 1}` }))
        .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && line.includes('\u2212'))
        .map(({ where }) => where),
    );
    expect(offending).toEqual([]);
    expect(NON_ASCII_MINUS.test('-')).toBe(false);
  });
});

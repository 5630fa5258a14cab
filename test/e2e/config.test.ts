import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDirPerTest } from '../helpers/cli.js';

interface Shown {
  file: string | null;
  settings: { key: string; value: string; source: string; from: string | null }[];
}

describe('payops.json and payops config show (end to end)', () => {
  const temp = tempDirPerTest('payops-config-e2e-');
  const inDir = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    payops(args, {
      cwd: temp.dir,
      env: { PAYOPS_PSP: '', PAYOPS_PSP_URL: '', PAYOPS_CONFIG: '', ...env },
    });
  const writeConfig = (content: object) =>
    fs.writeFileSync(path.join(temp.dir, 'payops.json'), JSON.stringify(content), { mode: 0o600 });
  const shown = (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const result = inDir(['config', 'show', '--json', ...args], env);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as Shown;
    return Object.fromEntries(
      json.settings.map((s) => [s.key, { value: s.value, source: s.source, from: s.from }]),
    );
  };

  it('without a file, every setting is its default', () => {
    const settings = shown();
    expect(settings.db).toEqual({ value: './payops.db', source: 'default', from: null });
    expect(settings.psp).toEqual({ value: 'sim', source: 'default', from: null });
  });

  it('flags beat environment beat file, and config show says where each came from', () => {
    writeConfig({ db: 'file.db', psp: 'http', pspUrl: 'http://127.0.0.1:1', busyTimeoutMs: 100 });
    const file = path.join(temp.dir, 'payops.json');
    const fromFile = shown();
    expect(fromFile.db).toEqual({
      value: path.join(temp.dir, 'file.db'),
      source: 'file',
      from: file,
    });
    expect(fromFile.busyTimeoutMs).toEqual({ value: '100', source: 'file', from: file });
    const fromEnv = shown([], { PAYOPS_DB: 'env.db', PAYOPS_PSP: 'stripe' });
    expect(fromEnv.db).toEqual({ value: 'env.db', source: 'environment', from: 'PAYOPS_DB' });
    expect(fromEnv.psp).toEqual({ value: 'stripe', source: 'environment', from: 'PAYOPS_PSP' });
    expect(fromEnv.pspUrl).toEqual({ value: 'http://127.0.0.1:1', source: 'file', from: file });
    const fromFlags = shown(['--db', 'flag.db', '--psp', 'sim'], {
      PAYOPS_DB: 'env.db',
      PAYOPS_PSP: 'stripe',
    });
    expect(fromFlags.db).toEqual({ value: 'flag.db', source: 'flag', from: '--db' });
    expect(fromFlags.psp).toEqual({ value: 'sim', source: 'flag', from: '--psp' });
    const wrong = inDir(['config', 'show'], { PAYOPS_PSP: 'paypal' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'payops: PAYOPS_PSP=paypal: expected one of sim, http, stripe (fix or unset PAYOPS_PSP)\n',
    );
  });

  it('the file\'s database is the one commands use, and "output": "json" makes --json the default', () => {
    writeConfig({ db: 'books.db', output: 'json' });
    expect(inDir(['init']).code).toBe(0);
    expect(fs.existsSync(path.join(temp.dir, 'books.db'))).toBe(true);
    const accounts = inDir(['ledger', 'accounts']);
    expect(accounts.code).toBe(0);
    expect(() => JSON.parse(accounts.stdout)).not.toThrow();
    const plain = JSON.parse(inDir(['config', 'show']).stdout) as Shown;
    expect(plain.settings.find((s) => s.key === 'output')).toEqual({
      key: 'output',
      value: 'json',
      source: 'file',
      from: path.join(temp.dir, 'payops.json'),
    });
  });

  it("hostile: a file pointing db at the PSP's state file or a high-water mark cannot make payops write over it", () => {
    writeConfig({ db: 'books.db' });
    expect(inDir(['init']).code).toBe(0);
    expect(
      inDir(['payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'small.json')]).code,
    ).toBe(0);
    for (const target of ['books.psp-sim.db', 'books.db.payops-mark']) {
      const file = path.join(temp.dir, target);
      const before = fs.readFileSync(file);
      writeConfig({ db: target });
      for (const args of [
        ['init'],
        ['payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'small.json')],
      ]) {
        const refused = inDir(args);
        expect(refused.code, `${target}: ${args[0]}`).not.toBe(0);
        expect(refused.stderr.trim().split('\n'), refused.stderr).toHaveLength(1);
      }
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    }
  });

  it("payops demo stays on its own temporary book: neither PAYOPS_DB nor the file's db or psp reach it", () => {
    writeConfig({ db: 'real.db', psp: 'http', pspUrl: 'http://127.0.0.1:9', output: 'json' });
    const demo = inDir(['demo'], { PAYOPS_DB: path.join(temp.dir, 'env.db') });
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/demo complete/);
    expect(fs.readdirSync(temp.dir)).toEqual(['payops.json']);
  });

  it('a bad file stops every command in one line with exit 2: unknown key with did-you-mean, a secret', () => {
    writeConfig({ pspUlr: 'http://127.0.0.1:1' });
    const typo = inDir(['ledger', 'accounts']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^payops: config .*payops\.json: unknown key "pspUlr" \(did you mean "pspUrl"\?\)[^\n]*\n$/,
    );
    writeConfig({ stripeApiKey: 'sk_live_123' });
    const secret = inDir(['config', 'show']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/"stripeApiKey" looks like a secret/);
    expect(secret.stderr).not.toContain('sk_live_123');
  });
});

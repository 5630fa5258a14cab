import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configProblem, loadConfig } from '../../src/config/index.js';
import { tempDirPerTest } from '../helpers/cli.js';

describe('config file', () => {
  const temp = tempDirPerTest('payops-config-');
  const write = (name: string, content: unknown, mode = 0o600): string => {
    const file = path.join(temp.dir, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content), {
      mode,
    });
    fs.chmodSync(file, mode);
    return file;
  };

  it('none found: no settings', () => {
    expect(loadConfig({}, temp.dir)).toEqual({ file: undefined, settings: {} });
  });

  it('reads payops.json in the working folder; relative db and rules are relative to the file', () => {
    write('payops.json', {
      db: 'books.db',
      psp: 'http',
      pspUrl: 'http://127.0.0.1:4010',
      rules: 'rules.json',
      output: 'json',
      busyTimeoutMs: 250,
    });
    expect(loadConfig({}, temp.dir)).toEqual({
      file: path.join(temp.dir, 'payops.json'),
      settings: {
        db: path.join(temp.dir, 'books.db'),
        psp: 'http',
        pspUrl: 'http://127.0.0.1:4010',
        rules: path.join(temp.dir, 'rules.json'),
        output: 'json',
        busyTimeoutMs: 250,
      },
    });
  });

  it('$PAYOPS_CONFIG names the file, which must exist', () => {
    fs.mkdirSync(path.join(temp.dir, 'etc'));
    const file = write('etc/ops.json', { db: 'b.db' });
    expect(loadConfig({ PAYOPS_CONFIG: file }, '/').settings.db).toBe(
      path.join(temp.dir, 'etc', 'b.db'),
    );
    expect(() => loadConfig({ PAYOPS_CONFIG: path.join(temp.dir, 'nope.json') }, temp.dir)).toThrow(
      /PAYOPS_CONFIG=.*nope\.json: no such file/,
    );
  });

  it('an unknown key gets a did-you-mean; a wrong type names the key', () => {
    expect(configProblem({ pspUlr: 'http://x' })).toMatch(
      /^unknown key "pspUlr" \(did you mean "pspUrl"\?\)/,
    );
    expect(configProblem({ busyTimeoutMs: '5000' })).toMatch(/^"busyTimeoutMs": /);
    expect(configProblem({ psp: 'paypal' })).toMatch(/^"psp": /);
    expect(configProblem([])).toMatch(/one JSON object/);
  });

  it('refuses a secret, pointing at the environment', () => {
    expect(configProblem({ stripeApiKey: 'sk_live_x' })).toMatch(
      /"stripeApiKey" looks like a secret.*environment \(e\.g\. STRIPE_API_KEY\)/,
    );
    write('payops.json', { webhookSecret: 'x' });
    expect(() => loadConfig({}, temp.dir)).toThrow(/looks like a secret/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'hostile: a config owned by another user is refused (run as root: the file is given to nobody)',
    () => {
      const file = write('payops.json', { db: 'x.db' });
      fs.chownSync(file, 65534, 65534);
      expect(() => loadConfig({}, temp.dir)).toThrow(/belongs to uid 65534, not to you/);
    },
  );

  it('hostile: a payops.json that is a symlink, writable by others, or not JSON is refused in one line', () => {
    const real = write('real.json', { db: '/srv/books.db' });
    fs.symlinkSync(real, path.join(temp.dir, 'payops.json'));
    expect(() => loadConfig({}, temp.dir)).toThrow(/is a symlink; payops does not follow/);
    fs.unlinkSync(path.join(temp.dir, 'payops.json'));
    write('payops.json', { db: 'x.db' }, 0o666);
    expect(() => loadConfig({}, temp.dir)).toThrow(/can be written by others \(mode 666\)/);
    write('payops.json', '{"db": ', 0o600);
    expect(() => loadConfig({}, temp.dir)).toThrow(/not valid JSON/);
  });
});

describe('configProblem: hostile values', () => {
  it('refuses a busy timeout near 2^63, a negative or a fractional one, naming the key', async () => {
    const { configProblem } = await import('../../src/config/schema.js');
    for (const busyTimeoutMs of [9.223372036854776e18, -1, 1.5, 1e300])
      expect(configProblem({ busyTimeoutMs })).toMatch(/^"busyTimeoutMs": /);
  });

  it('suggests the near key with the wording every other file uses', async () => {
    const { configProblem } = await import('../../src/config/schema.js');
    expect(configProblem({ pspurl: 'http://127.0.0.1:1' })).toMatch(
      /^unknown key "pspurl" \(did you mean "pspUrl"\?\)/,
    );
    expect(configProblem({ zz: 1 })).toMatch(/^unknown key "zz"; the keys are /);
  });
});

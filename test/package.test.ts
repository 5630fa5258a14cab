import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/** The quick start is `npm ci && npm run demo` and `npm ci && npm test`: their scripts must run. */
describe('package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };

  it.each(['demo', 'test', 'bench', 'build'])(
    'has a `%s` script whose node entry points exist',
    (name) => {
      const script = pkg.scripts[name];
      expect(script).toBeDefined();
      // `npm run demo` once pointed at a file that did not exist; every `node FILE` must resolve.
      for (const match of (script as string).matchAll(/\bnode\s+([^\s&|;]+)/g)) {
        expect(
          fs.existsSync(path.join(REPO_ROOT, match[1] as string)),
          `${name}: ${match[1]} is missing`,
        ).toBe(true);
      }
    },
  );

  it('runs the demo through the payops binary', () => {
    expect(pkg.scripts.demo).toMatch(/node bin\/payops demo$/);
    expect(fs.existsSync(path.join(REPO_ROOT, pkg.bin.payops as string))).toBe(true);
  });
});

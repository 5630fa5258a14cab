import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOutputs } from '../../src/output/describe.js';
import { OUTPUT_SCHEMAS } from '../../src/output/registry.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DOC = path.join(REPO_ROOT, 'docs', 'OUTPUT.md');
const BEGIN =
  '<!-- generated from src/output (UPDATE_OUTPUT_DOC=1 npx vitest run test/output/output-doc.test.ts): begin -->';
const END = '<!-- generated: end -->';

/** docs/OUTPUT.md and the schemas the code prints with must say the same thing. */
describe('docs/OUTPUT.md', () => {
  it('lists exactly the commands that have a schema, each with the shape written from it', () => {
    const generated = `\n${describeOutputs()}`;
    const before = fs.readFileSync(DOC, 'utf8');
    if (process.env.UPDATE_OUTPUT_DOC === '1') {
      fs.writeFileSync(
        DOC,
        before.slice(0, before.indexOf(BEGIN) + BEGIN.length) +
          generated +
          before.slice(before.indexOf(END)),
      );
    }
    const doc = fs.readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start, 'the generated section markers').toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const section = doc.slice(start + BEGIN.length, end);
    const documented = [...doc.matchAll(/^### `payops (.+) --json`$/gm)]
      .map((match) => match[1])
      .sort();
    expect(documented).toEqual(Object.keys(OUTPUT_SCHEMAS).sort());
    expect(section).toBe(generated);
  });

  it('says the contract is stable from 0.2.0', () => {
    expect(fs.readFileSync(DOC, 'utf8')).toMatch(/stable from 0\.2\.0/);
  });
});

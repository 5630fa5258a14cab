import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * bench/ and chaos/ import the built code (dist/) by path, some through a `dist('…')` helper that
 * neither tsc nor knip follows: a module moved or an export dropped in src/ broke them silently
 * (bench/stages/reconcile-seed.mjs imported a settlement writer from where it no longer lived).
 * Every such import must name a built module and names it exports.
 */
interface DistImport {
  file: string;
  module: string;
  names: string[];
}

const NAMES = String.raw`\{([^}]*)\}`;
const STATIC = new RegExp(String.raw`import\s*${NAMES}\s*from\s*'((?:\.\./)+dist/[^']+)'`, 'g');
const HELPER = new RegExp(
  String.raw`const\s*${NAMES}\s*=\s*await\s+dist\(\s*'([^']+)',?\s*\)`,
  'g',
);

function namesOf(list: string): string[] {
  return list
    .split(',')
    .map(
      (name) =>
        name
          .replace(/^\s*type\s+/, '')
          .split(/\s+as\s+/)[0]
          ?.trim() ?? '',
    )
    .filter((name) => name !== '');
}

function distImportsOf(file: string): DistImport[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: DistImport[] = [];
  for (const match of text.matchAll(STATIC)) {
    const module = path.resolve(path.dirname(file), match[2] ?? '');
    found.push({ file, module, names: namesOf(match[1] ?? '') });
  }
  for (const match of text.matchAll(HELPER))
    found.push({
      file,
      module: path.join(REPO_ROOT, 'dist', match[2] ?? ''),
      names: namesOf(match[1] ?? ''),
    });
  return found;
}

function scriptsUnder(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.mjs'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('bench/ and chaos/ imports of dist/', () => {
  const imports = ['bench', 'chaos'].flatMap((folder) =>
    scriptsUnder(path.join(REPO_ROOT, folder)).flatMap(distImportsOf),
  );

  it('finds the imports it checks (the patterns still match how the scripts import)', () => {
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.some((entry) => entry.file.endsWith('reconcile-seed.mjs'))).toBe(true);
  });

  it('names built modules and names they export', async () => {
    const broken: string[] = [];
    for (const { file, module, names } of imports) {
      const where = `${path.relative(REPO_ROOT, file)} → ${path.relative(REPO_ROOT, module)}`;
      if (!fs.existsSync(module)) {
        broken.push(`${where}: no such module`);
        continue;
      }
      const exported = await import(pathToFileURL(module).href);
      for (const name of names) if (!(name in exported)) broken.push(`${where}: no export ${name}`);
    }
    expect(broken).toEqual([]);
  });
});

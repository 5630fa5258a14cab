import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { PrivateAppendFile, PrivateFile } from '../src/private-files.js';
import { tempDirPerTest } from './helpers/cli.js';

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('files payops writes', () => {
  const temp = tempDirPerTest('payops-private-');
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o000);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('a whole file appears only when committed, 0600, replacing a world-readable one', () => {
    const file = path.join(temp.dir, 'out.csv');
    fs.writeFileSync(file, 'the previous file\n', { mode: 0o644 });
    const out = PrivateFile.create(file, {});
    out.write('a,b\n');
    out.write('x'.repeat(100_000));
    expect(fs.readFileSync(file, 'utf8')).toBe('the previous file\n');
    out.commit();
    expect(fs.readFileSync(file, 'utf8')).toBe(`a,b\n${'x'.repeat(100_000)}`);
    expect(mode(file)).toBe('600');
    expect(fs.readdirSync(temp.dir)).toEqual(['out.csv']);
    expect(() => out.write('more')).toThrow(/after it was committed/);
  });

  it('an aborted file leaves nothing behind, and the file it would have replaced as it was', () => {
    const file = path.join(temp.dir, 'out.csv');
    fs.writeFileSync(file, 'the last good one\n');
    const out = PrivateFile.create(file, {});
    out.write('half of it');
    out.abort();
    out.abort();
    expect(fs.readdirSync(temp.dir)).toEqual(['out.csv']);
    expect(fs.readFileSync(file, 'utf8')).toBe('the last good one\n');
  });

  it('a commit that fails leaves no temporary file, and abort after it is harmless', () => {
    const file = path.join(temp.dir, 'out.csv');
    const out = PrivateFile.create(file, {});
    out.write('a,b\n');
    fs.mkdirSync(file); // the name is taken by a directory before the rename
    fs.writeFileSync(path.join(file, 'keep'), '');
    expect(() => out.commit()).toThrow();
    out.abort();
    expect(fs.readdirSync(temp.dir)).toEqual(['out.csv']);
    expect(() => PrivateFile.create(file, {})).toThrow(`cannot write ${file}: EISDIR`);
  });

  it('a file in a directory that does not exist is a usage error naming it, before anything is written', () => {
    const file = path.join(temp.dir, 'missing', 'out.csv');
    expect(() => PrivateFile.create(file, {})).toThrow(UsageError);
    expect(() => PrivateFile.create(file, {})).toThrow(`cannot write ${file}: ENOENT`);
    expect(() => PrivateAppendFile.open(file, {})).toThrow(`cannot write ${file}: ENOENT`);
    expect(() => PrivateAppendFile.open(temp.dir, {})).toThrow(/EISDIR/);
  });

  it('an appended file is created 0600, or narrowed to 0600 if it existed wider; lines accumulate', () => {
    const fresh = path.join(temp.dir, 'fresh.ndjson');
    const log = PrivateAppendFile.open(fresh, {});
    log.appendLine('{"n":1}');
    log.appendLine('{"n":2}\n');
    log.close();
    expect(mode(fresh)).toBe('600');
    const older = path.join(temp.dir, 'older.ndjson');
    fs.writeFileSync(older, '{"n":0}\n', { mode: 0o644 });
    const again = PrivateAppendFile.open(older, {});
    expect(mode(older)).toBe('600');
    again.appendLine('{"n":1}');
    again.close();
    expect(fs.readFileSync(fresh, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    expect(fs.readFileSync(older, 'utf8')).toBe('{"n":0}\n{"n":1}\n');
  });
});

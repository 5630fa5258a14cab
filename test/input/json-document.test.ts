import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { jsonValuesOf, readUtf8File } from '../../src/input/json-document.js';
import { tempDirPerTest } from '../helpers/cli.js';

describe('readUtf8File', () => {
  const temp = tempDirPerTest('payops-json-document-');
  const file = (content: string | Buffer, name = 'post.json') => {
    const target = path.join(temp.dir, name);
    fs.writeFileSync(target, content);
    return target;
  };

  it('reads UTF-8 text whole and drops a byte order mark', () => {
    expect(readUtf8File(file('{"memo":"Zürich 佐藤"}\n'))).toBe('{"memo":"Zürich 佐藤"}\n');
    expect(readUtf8File(file(Buffer.from('\uFEFF[1]', 'utf8'), 'bom.json'))).toBe('[1]');
  });

  it('reads an empty file as empty text', () => {
    expect(readUtf8File(file('', 'empty.json'))).toBe('');
  });

  it('refuses bytes that are not UTF-8 with an InputError naming FILE:LINE and the byte offset', () => {
    const target = file(
      Buffer.concat([Buffer.from('[\n1,\n"caf'), Buffer.from([0xe9, 0x22, 0x5d])]),
    );
    expect(() => readUtf8File(target)).toThrow(InputError);
    expect(() => readUtf8File(target)).toThrow(
      `${target}:3: invalid UTF-8 at byte 9 of the file (0xE9)`,
    );
  });

  it.each([
    ['UTF-16LE', [0xff, 0xfe, 0x5b, 0x00]],
    ['UTF-16BE', [0xfe, 0xff, 0x00, 0x5b]],
    ['UTF-32LE', [0xff, 0xfe, 0x00, 0x00]],
  ])('refuses a %s file whole, by its byte order mark', (name, head) => {
    const target = file(Buffer.from(head), `${name}.json`);
    expect(() => readUtf8File(target)).toThrow(InputError);
    expect(() => readUtf8File(target)).toThrow(`${target}: the file is ${name}`);
  });

  it('refuses a missing file, a directory and a link to a directory with a UsageError; reads a link to a file', () => {
    const missing = path.join(temp.dir, 'missing.json');
    expect(() => readUtf8File(missing)).toThrow(new UsageError(`${missing} does not exist`));
    const folder = path.join(temp.dir, 'folder');
    fs.mkdirSync(folder);
    expect(() => readUtf8File(folder)).toThrow(new UsageError(`cannot read ${folder}: not a file`));
    const folderLink = path.join(temp.dir, 'folder-link');
    fs.symlinkSync(folder, folderLink);
    expect(() => readUtf8File(folderLink)).toThrow(UsageError);
    const dangling = path.join(temp.dir, 'dangling');
    fs.symlinkSync(missing, dangling);
    expect(() => readUtf8File(dangling)).toThrow(new UsageError(`${dangling} does not exist`));
    const link = path.join(temp.dir, 'link.json');
    fs.symlinkSync(file('[1]'), link);
    expect(readUtf8File(link)).toBe('[1]');
  });
});

describe('jsonValuesOf', () => {
  const all = (text: string) => [...jsonValuesOf('f.json', text)];

  it('gives each element of an array as FILE[INDEX]', () => {
    expect(all('[{"a":1},\n 2]')).toEqual([
      { value: { a: 1 }, where: 'f.json[0]' },
      { value: 2, where: 'f.json[1]' },
    ]);
    expect(all('[]')).toEqual([]);
  });

  it('gives one JSON value as FILE:1', () => {
    expect(all('\n{"a":1}\n')).toEqual([{ value: { a: 1 }, where: 'f.json:1' }]);
  });

  it('reads NDJSON one value a line, as FILE:LINE, skipping blank lines', () => {
    expect(all('{"a":1}\n\n  \n{"b":2}\n')).toEqual([
      { value: { a: 1 }, where: 'f.json:1' },
      { value: { b: 2 }, where: 'f.json:4' },
    ]);
  });

  it('gives nothing for empty text', () => {
    expect(all('')).toEqual([]);
    expect(all(' \n\n')).toEqual([]);
  });

  it('meets a bad NDJSON line in file order: the values before it first, then an InputError at FILE:LINE', () => {
    const values = jsonValuesOf('f.json', '{"a":1}\n{"b":\n{"c":3}\n');
    expect(values.next().value).toEqual({ value: { a: 1 }, where: 'f.json:1' });
    expect(() => values.next()).toThrow(InputError);
    expect(() => [...jsonValuesOf('f.json', '{"a":1}\n{"b":\n')]).toThrow(
      /^f\.json:2: not valid JSON/,
    );
  });

  it('refuses a truncated array at its first line that is not JSON on its own', () => {
    expect(() => all('[{"a":1},\n{"b":2}')).toThrow(/^f\.json:1: not valid JSON/);
  });

  it('keeps what JSON.parse makes of huge numbers (the caller checks amounts as text or bigint)', () => {
    expect(all('[1e400, 123456789012345678901234567890]').map((v) => v.value)).toEqual([
      Number.POSITIVE_INFINITY,
      Number('123456789012345678901234567890'),
    ]);
  });

  it('gives back any array of values, as an array or as NDJSON', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 8 }),
        (values) => {
          const expected: unknown = JSON.parse(JSON.stringify(values));
          expect(all(JSON.stringify(values, null, 1)).map((v) => v.value)).toEqual(expected);
          const ndjson = values.map((v) => JSON.stringify(v)).join('\n');
          // One line that is itself an array is read as that array's elements.
          const lines = all(ndjson).map((v) => v.value);
          if (values.length > 1) expect(lines).toEqual(expected);
        },
      ),
    );
  });
});

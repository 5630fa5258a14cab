import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJsonArray } from '../../src/input/json-array.js';
import type { SourceRecord } from '../../src/input/json-records.js';
import { tempDirPerTest } from '../helpers/cli.js';

const MAX = 1000;
const tooLong = (bytes: number) => ({ field: 'size', reason: `${bytes} bytes` });

/** readJsonArray reads a file, element by element: the records in file order. */
describe('readJsonArray', () => {
  const temp = tempDirPerTest('payops-json-array-');
  const file = (content: string | Buffer, name = 'events.json') => {
    const target = path.join(temp.dir, name);
    fs.writeFileSync(target, content);
    return target;
  };
  const read = async (target: string, max = MAX): Promise<SourceRecord[]> => {
    const records: SourceRecord[] = [];
    for await (const record of readJsonArray(target, max, tooLong)) records.push(record);
    return records;
  };

  it('gives each element the line it starts on, its text as written, and its value', async () => {
    const records = await read(
      file('[\n  {"a": 1},\n  {\n    "b": [1, 2]\n  },\n"s", 7, null\n]\n'),
    );
    expect(records).toEqual([
      { line: 2, text: '{"a": 1}', value: { a: 1 } },
      { line: 3, text: '{\n    "b": [1, 2]\n  }', value: { b: [1, 2] } },
      { line: 6, text: '"s"', value: 's' },
      { line: 6, text: '7', value: 7 },
      { line: 6, text: 'null', value: null },
    ]);
  });

  it('skips strings while it tracks nesting: brackets, braces and escaped quotes inside them', async () => {
    const records = await read(file('[{"k":"]}\\"{["},["[",{"x":"\\\\"}]]'));
    expect(records.map((r) => r.value)).toEqual([{ k: ']}"{[' }, ['[', { x: '\\' }]]);
  });

  it('skips a UTF-8 byte order mark at the start of the file, and keeps UTF-8 text', async () => {
    const records = await read(file(Buffer.from('\uFEFF[{"name":"佐藤 💶"}]', 'utf8')));
    expect(records).toEqual([{ line: 1, text: '{"name":"佐藤 💶"}', value: { name: '佐藤 💶' } }]);
  });

  it('refuses an element with bytes that are not UTF-8, naming their offset in the file, and reads on', async () => {
    const bytes = Buffer.concat([
      Buffer.from('[{"a":1},\n{"n":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"},{"b":2}]'),
    ]);
    const records = await read(file(bytes));
    expect(records[0]?.value).toEqual({ a: 1 });
    expect(records[1]?.line).toBe(2);
    expect(records[1]?.value).toBeUndefined();
    expect(records[1]?.parseError?.field).toBe('encoding');
    expect(records[1]?.parseError?.reason).toContain('invalid UTF-8 at byte 19 of the file (0xE9)');
    expect(records[2]?.value).toEqual({ b: 2 });
  });

  it('names the right offset for a bad byte in an element that spans read chunks (64 KiB)', async () => {
    const padding = ' '.repeat(70_000);
    const bytes = Buffer.concat([
      Buffer.from(`[${padding}{"n":"`),
      Buffer.from('x'.repeat(70_000)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}]'),
    ]);
    const records = await read(file(bytes), 1 << 20);
    expect(records).toHaveLength(1);
    const offset = 1 + padding.length + '{"n":"'.length + 70_000;
    expect(records[0]?.parseError?.reason).toContain(`invalid UTF-8 at byte ${offset} of the file`);
  });

  it('refuses an empty file and one of whitespace as an array that is not closed', async () => {
    const notClosed = { field: 'json', reason: 'the JSON array is not closed (truncated file?)' };
    expect(await read(file('', 'empty.json'))).toEqual([
      { line: 1, text: '', parseError: notClosed },
    ]);
    expect(await read(file(' \n\n', 'blank.json'))).toEqual([
      { line: 3, text: '', parseError: notClosed },
    ]);
  });

  it('reads an empty array as no records', async () => {
    expect(await read(file(' [ \n ] \n'))).toEqual([]);
  });

  it('keeps the elements before the cut of a truncated file, then refuses the rest at its line', async () => {
    const records = await read(file('[{"a":1},\n{"b":2},\n{"c":'));
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { b: 2 }, undefined]);
    expect(records[2]).toEqual({
      line: 3,
      text: '{"c":',
      parseError: { field: 'json', reason: 'the JSON array is not closed (truncated file?)' },
    });
  });

  it('keeps the text of huge numbers as written: the value is what JSON.parse makes of it', async () => {
    const records = await read(file('[12345678901234567890123, 1e400, {"amount": -1e400}]'));
    expect(records.map((r) => r.text)).toEqual([
      '12345678901234567890123',
      '1e400',
      '{"amount": -1e400}',
    ]);
    expect(records.map((r) => r.value)).toEqual([
      Number('12345678901234567890123'),
      Number.POSITIVE_INFINITY,
      { amount: Number.NEGATIVE_INFINITY },
    ]);
  });

  it("refuses an element over the limit with the caller's reason, keeping its start for the rejects file", async () => {
    const big = `{"s":"${'x'.repeat(40_000)}"}`;
    const records = await read(file(`[${big},{"a":1}]`), 20_000);
    expect(records[0]?.parseError).toEqual({ field: 'size', reason: `${big.length} bytes` });
    expect(records[0]?.text).toBe(big.slice(0, 10_000));
    expect(records[1]).toEqual({ line: 1, text: '{"a":1}', value: { a: 1 } });
    const small = await read(file(`[${big}]`, 'small-limit.json'), 1000);
    expect(small[0]?.text).toBe(big.slice(0, 1000));
  });

  it.each([
    ['a trailing comma', '[{"a":1},]', { line: 1, text: ',]' }, 'trailing comma before "]"'],
    ['two commas', '[{"a":1},,{"b":2}]', { line: 1, text: ',' }, 'missing element between commas'],
    [
      'a missing comma',
      '[{"a":1}\n{"b":2}]',
      { line: 2, text: '{"b":2}' },
      'missing "," before this element',
    ],
  ])(
    'refuses %s where it is and keeps the elements around it',
    async (_name, content, where, reason) => {
      const records = await read(file(content));
      expect(records[0]).toEqual({ line: 1, text: '{"a":1}', value: { a: 1 } });
      expect(records).toContainEqual({ ...where, parseError: { field: 'json', reason } });
    },
  );

  it('refuses a file that is not an array, and text after the array, and reads nothing after that', async () => {
    expect(await read(file('{"a":1}\n', 'object.json'))).toEqual([
      {
        line: 1,
        text: '{"a":1}\n',
        parseError: { field: 'json', reason: 'expected a JSON array of events' },
      },
    ]);
    const records = await read(file('[{"a":1}]\n[{"b":2}]\n', 'two.json'));
    expect(records).toEqual([
      { line: 1, text: '{"a":1}', value: { a: 1 } },
      {
        line: 2,
        text: '[{"b":2}]\n',
        parseError: {
          field: 'json',
          reason: 'unexpected content after the closing "]" of the JSON array',
        },
      },
    ]);
  });

  it('refuses an element that repeats a key, naming the key path', async () => {
    const records = await read(file('[{"amount":"1.00","amount":"100.00"}]'));
    expect(records[0]?.value).toBeUndefined();
    expect(records[0]?.parseError?.field).toBe('amount');
  });

  it("reads a symlink as the file it points to; a directory is the caller's to refuse (EISDIR)", async () => {
    const target = file('[{"a":1}]');
    const link = path.join(temp.dir, 'link.json');
    fs.symlinkSync(target, link);
    expect(await read(link)).toEqual([{ line: 1, text: '{"a":1}', value: { a: 1 } }]);
    const folder = path.join(temp.dir, 'folder.json');
    fs.mkdirSync(folder);
    await expect(read(folder)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('round-trips any array of records, however it is indented, across read chunks', async () => {
    const record = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 12 }),
        fc.constantFrom(0, 1, 2, '\t'),
        fc.nat({ max: 140_000 }),
        async (records, indent, padding) => {
          const text = `${' '.repeat(padding)}${JSON.stringify(records, null, indent)}\n`;
          const read_ = await read(file(text, 'any.json'), 1 << 20);
          expect(read_.map((r) => r.parseError)).toEqual(records.map(() => undefined));
          expect(read_.map((r) => r.value)).toEqual(JSON.parse(JSON.stringify(records)));
          // Each element's text is the JSON of that element, as written in the file.
          expect(read_.map((r) => JSON.parse(r.text))).toEqual(read_.map((r) => r.value));
        },
      ),
      { numRuns: 60 },
    );
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  type InputFormat,
  type SourceRecord,
  detectFormat,
  readRecords,
} from '../../src/intake/readers.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('payops-readers-'));
});
afterEach(() => cleanup());

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function read(file: string, format: InputFormat): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const record of readRecords(file, format)) records.push(record);
  return records;
}

const errors = (records: SourceRecord[]) => records.filter((record) => record.parseError);
const values = (records: SourceRecord[]) =>
  records.filter((record) => !record.parseError).map((record) => record.value);

describe('readRecords ndjson', () => {
  it('yields one record per non-blank line with its 1-based line number', async () => {
    const file = write('e.ndjson', '{"a":1}\n\n   \n{"a":2}\n\t\n{"a":3}');
    const records = await read(file, 'ndjson');
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [1, { a: 1 }],
      [4, { a: 2 }],
      [6, { a: 3 }],
    ]);
    expect(records[1]?.text).toBe('{"a":2}');
  });

  it('strips a byte-order mark on the first line', async () => {
    const file = write('bom.ndjson', '\uFEFF{"a":1}\n{"a":2}\n');
    const records = await read(file, 'ndjson');
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(records[0]?.text).toBe('{"a":1}');
    expect(errors(records)).toEqual([]);
  });

  it('handles CRLF line endings: no stray "\\r" and the same line numbers', async () => {
    const file = write('crlf.ndjson', '{"a":"x"}\r\n\r\n{"a":"y"}\r\n');
    const records = await read(file, 'ndjson');
    expect(records.map((r) => [r.line, r.value, r.text])).toEqual([
      [1, { a: 'x' }, '{"a":"x"}'],
      [3, { a: 'y' }, '{"a":"y"}'],
    ]);
  });

  it('reports invalid JSON as a parseError on its line and reads the lines after it', async () => {
    const file = write('bad.ndjson', '{"a":1}\n{"a":\n{"a":3}\n');
    const records = await read(file, 'ndjson');
    expect(records).toHaveLength(3);
    expect(records[1]).toMatchObject({
      line: 2,
      text: '{"a":',
      parseError: { field: 'json', reason: expect.stringMatching(/not valid JSON/) },
    });
    expect(records[1]?.value).toBeUndefined();
    expect(records[2]).toMatchObject({ line: 3, value: { a: 3 } });
  });

  it('throws a UsageError for a file that does not exist', () => {
    expect(() => readRecords(path.join(dir, 'nope.ndjson'), 'ndjson')).toThrow(UsageError);
  });
});

describe('readRecords json (streamed array)', () => {
  it('rejects an element that follows another without a comma', async () => {
    const file = write('nocomma.json', '[{"a":1} {"b":2}, {"c":3}]');
    const records = await read(file, 'json');
    expect(
      records.map((record) => (record.parseError ? record.parseError.reason : record.value)),
    ).toEqual([{ a: 1 }, 'missing "," before this element', { c: 3 }]);
  });

  it('yields each element with the line it starts on', async () => {
    const file = write('a.json', '[\n  {"a":1},\n  {"a":2,\n   "b":3}\n  ,{"a":4}\n]\n');
    const records = await read(file, 'json');
    expect(records.map((r) => [r.line, r.value])).toEqual([
      [2, { a: 1 }],
      [3, { a: 2, b: 3 }],
      [5, { a: 4 }],
    ]);
  });

  it('is not fooled by braces, brackets and escaped quotes inside strings', async () => {
    const tricky = [
      { note: 'a } b ] c { d [' },
      { note: 'quote " then } and \\ backslash', nested: { list: [[1], { x: ']' }] } },
      { note: '\\' },
      { note: '\\"}' },
    ];
    const file = write('t.json', JSON.stringify(tricky));
    const records = await read(file, 'json');
    expect(errors(records)).toEqual([]);
    expect(values(records)).toEqual(tricky);
  });

  it('passes scalar elements through as values for validation to reject', async () => {
    const file = write('s.json', '[1, "two", null, true, {"a":"x"}, [3], -2.5e3]');
    const records = await read(file, 'json');
    expect(errors(records)).toEqual([]);
    expect(values(records)).toEqual([1, 'two', null, true, { a: 'x' }, [3], -2500]);
  });

  it('yields nothing for an empty array, with or without whitespace and BOM', async () => {
    expect(await read(write('e1.json', '[]'), 'json')).toEqual([]);
    expect(await read(write('e2.json', '\uFEFF \n [ \n ] \n'), 'json')).toEqual([]);
  });

  it('reports a trailing comma as a parseError after the good elements', async () => {
    const records = await read(write('tc.json', '[{"a":1},\n{"a":2},\n]'), 'json');
    expect(values(records)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(errors(records)).toEqual([
      {
        line: 3,
        text: ',]',
        parseError: { field: 'json', reason: expect.stringMatching(/trailing comma/) },
      },
    ]);
  });

  it('reports a truncated file as a parseError after the complete elements', async () => {
    const records = await read(write('tr.json', '[{"a":1},\n{"a":2,"b":"unfinis'), 'json');
    expect(values(records)).toEqual([{ a: 1 }]);
    expect(errors(records)).toHaveLength(1);
    expect(records.at(-1)?.parseError).toEqual({
      field: 'json',
      reason: expect.stringMatching(/not closed/),
    });
    expect(records.at(-1)?.text).toContain('"unfinis');
  });

  it('reports a file cut right after a comma as truncated', async () => {
    const records = await read(write('tr2.json', '[{"a":1},'), 'json');
    expect(values(records)).toEqual([{ a: 1 }]);
    expect(records.at(-1)?.parseError?.reason).toMatch(/not closed/);
  });

  it('reports a top-level object as a parseError and yields nothing else', async () => {
    const records = await read(write('o.json', '{"eventId":"chk_1"}'), 'json');
    expect(records).toEqual([
      {
        line: 1,
        text: '{"eventId":"chk_1"}',
        parseError: { field: 'json', reason: expect.stringMatching(/JSON array/) },
      },
    ]);
  });

  it('reports content after the closing "]" (e.g. two arrays concatenated) instead of dropping it silently', async () => {
    const records = await read(write('cat.json', '[{"a":1}]\n[{"a":2}]\n'), 'json');
    expect(records).toEqual([
      { line: 1, text: '{"a":1}', value: { a: 1 } },
      {
        line: 2,
        text: '[{"a":2}]\n',
        parseError: { field: 'json', reason: expect.stringMatching(/after the closing "\]"/) },
      },
    ]);
    // Whitespace after the array is fine, also when it reaches into a later read chunk.
    const padded = await read(write('pad.json', `[{"a":1}]${' \n'.repeat(70_000)}`), 'json');
    expect(padded).toEqual([{ line: 1, text: '{"a":1}', value: { a: 1 } }]);
    const late = await read(write('late.json', `[{"a":1}]${' '.repeat(70_000)}x`), 'json');
    expect(late.at(-1)?.parseError?.reason).toMatch(/after the closing/);
  });

  it('reports an element that is not valid JSON on its own line and goes on', async () => {
    const records = await read(write('bad.json', '[{"a":1},\n{"a":01},\n{"a":3}]'), 'json');
    expect(records.map((r) => [r.line, r.parseError?.field ?? null, r.value ?? null])).toEqual([
      [1, null, { a: 1 }],
      [2, 'json', null],
      [3, null, { a: 3 }],
    ]);
  });

  it('reads an element that spans several 64 KiB read chunks', async () => {
    const big = {
      eventId: 'big',
      note: `{[\\"${'x'.repeat(200_000)}"]}`,
      tail: 'é'.repeat(70_000),
    };
    const content = JSON.stringify([{ a: 1 }, big, { a: 2 }]);
    expect(Buffer.byteLength(content)).toBeGreaterThan(3 * 65_536);
    const records = await read(write('big.json', content), 'json');
    expect(errors(records)).toEqual([]);
    expect(values(records)).toEqual([{ a: 1 }, big, { a: 2 }]);
  });

  it('keeps string and escape state across a chunk boundary that falls inside an escape sequence', async () => {
    // Place a backslash as the very last byte of the first 64 KiB chunk, followed by an escaped
    // quote and a "}" that must stay inside the string.
    const prefix = '[{"note":"';
    const filler = 'y'.repeat(65_536 - prefix.length - 1);
    const content = `${prefix}${filler}\\"}]\\\\"},\n{"a":2},\n"${'z'.repeat(70_000)}",\n7]`;
    expect(content[65_535]).toBe('\\');
    const records = await read(write('edge.json', content), 'json');
    expect(errors(records)).toEqual([]);
    expect(values(records)).toEqual([{ note: `${filler}"}]\\` }, { a: 2 }, 'z'.repeat(70_000), 7]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4]);
  });

  it('reads many elements of varied sizes whose boundaries fall anywhere in the chunks', async () => {
    const elements = Array.from({ length: 600 }, (_, i) => ({
      i,
      s: `"${'{'.repeat(i % 7)}\\${'w'.repeat((i * 97) % 1_500)}`,
    }));
    const content = `[\n${elements.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`;
    expect(content.length).toBeGreaterThan(4 * 65_536);
    const records = await read(write('many.json', content), 'json');
    expect(errors(records)).toEqual([]);
    expect(values(records)).toEqual(elements);
    expect(records.map((r) => r.line)).toEqual(elements.map((_, i) => i + 2));
  });

  it('reads scalar elements split across a chunk boundary', async () => {
    const prefix = '[';
    const pad = `"${'p'.repeat(65_536 - prefix.length - 2 - 1 - 3)}",`; // ends 3 bytes before the boundary
    const content = `${prefix}${pad}123456789,true]`;
    const records = await read(write('scalar.json', content), 'json');
    expect(values(records)).toEqual([JSON.parse(pad.slice(0, -1)), 123456789, true]);
  });
});

const HEADER =
  'eventId,type,occurredAt,currency,payerId,paymentToken,orderId,sellerId,amount,platformFee,metadata';
const row = (
  eventId: string,
  orderId: string,
  amount: string,
  extra: { currency?: string; fee?: string; metadata?: string; seller?: string } = {},
) =>
  [
    eventId,
    'pay_in',
    '2026-11-23T10:15:00Z',
    extra.currency ?? 'USD',
    'buyer_42',
    'tok_visa',
    orderId,
    extra.seller ?? 'seller_7',
    amount,
    extra.fee ?? '',
    extra.metadata ?? '',
  ].join(',');

describe('readRecords csv', () => {
  it('groups consecutive rows of one eventId into one event shaped like an NDJSON line', async () => {
    const file = write(
      'e.csv',
      [
        HEADER,
        row('chk_1', 'ord_1', '25.00', { fee: '2.50', metadata: '"{""sku"":""A1""}"' }),
        row('chk_1', 'ord_2', '10.00', { seller: 'seller_9' }),
        row('chk_2', 'ord_3', '5.00'),
        '',
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(errors(records)).toEqual([]);
    expect(records.map((r) => r.line)).toEqual([2, 4]);
    expect(records[0]?.value).toEqual({
      eventId: 'chk_1',
      type: 'pay_in',
      occurredAt: '2026-11-23T10:15:00Z',
      currency: 'USD',
      payer: { id: 'buyer_42' },
      paymentToken: 'tok_visa',
      orders: [
        {
          orderId: 'ord_1',
          sellerId: 'seller_7',
          amount: '25.00',
          platformFee: '2.50',
          metadata: { sku: 'A1' },
        },
        { orderId: 'ord_2', sellerId: 'seller_9', amount: '10.00' },
      ],
    });
    expect(records[1]?.value).toMatchObject({
      eventId: 'chk_2',
      orders: [{ orderId: 'ord_3', amount: '5.00' }],
    });
  });

  it('accepts a header without the optional platformFee and metadata columns, in any order', async () => {
    const file = write(
      'min.csv',
      'orderId,eventId,type,occurredAt,currency,payerId,paymentToken,sellerId,amount\nord_1,chk_1,pay_in,2026-11-23T10:15:00Z,JPY,b1,tok_visa,s1,1500\n',
    );
    const records = await read(file, 'csv');
    expect(records).toHaveLength(1);
    expect(records[0]?.value).toMatchObject({
      eventId: 'chk_1',
      currency: 'JPY',
      payer: { id: 'b1' },
      orders: [{ orderId: 'ord_1', sellerId: 's1', amount: '1500' }],
    });
    expect(records[0]?.value).not.toHaveProperty(['orders', 0, 'platformFee']);
  });

  it('strips a BOM and handles CRLF', async () => {
    const file = write('bom.csv', `\uFEFF${HEADER}\r\n${row('chk_1', 'ord_1', '1.00')}\r\n`);
    const records = await read(file, 'csv');
    expect(errors(records)).toEqual([]);
    expect(records[0]?.value).toMatchObject({
      eventId: 'chk_1',
      orders: [{ orderId: 'ord_1', amount: '1.00' }],
    });
  });

  it('rejects an event whose rows disagree on currency', async () => {
    const file = write(
      'cur.csv',
      [
        HEADER,
        row('chk_1', 'ord_1', '1.00'),
        row('chk_1', 'ord_2', '1.00', { currency: 'EUR' }),
        row('chk_2', 'ord_3', '1.00'),
        '',
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(records[0]).toMatchObject({
      line: 2,
      parseError: { field: 'currency', reason: expect.stringMatching(/disagree on currency/) },
    });
    expect(records[1]).toMatchObject({ line: 4, value: { eventId: 'chk_2' } });
  });

  it('passes rows of an eventId that come back after another event on as a second group (intake refuses it as a conflict)', async () => {
    const file = write(
      'nc.csv',
      [
        HEADER,
        row('chk_1', 'ord_1', '1.00'),
        row('chk_2', 'ord_2', '1.00'),
        row('chk_1', 'ord_3', '1.00'),
        '',
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual([
      'chk_1',
      'chk_2',
      'chk_1',
    ]);
    expect(errors(records)).toEqual([]);
  });

  it('rejects a whole checkout when an unreadable row sits between its rows, so no order is silently left out', async () => {
    const broken = row('chk_1', 'ord_2', '1.00').split(',').slice(0, 8).join(',');
    const file = write(
      'gap.csv',
      [
        HEADER,
        row('chk_1', 'ord_1', '1.00'),
        broken,
        row('chk_1', 'ord_3', '1.00'),
        row('chk_2', 'ord_4', '1.00'),
        '',
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual(['chk_2']);
    expect(errors(records).map((record) => [record.line, record.parseError?.field])).toEqual([
      [3, 'csv'],
      [2, 'csv'],
    ]);
    expect(errors(records)[1]?.parseError?.reason).toMatch(
      /line 3 of event chk_1 could not be read, so the whole checkout is rejected/,
    );
  });

  it('rejects a checkout whose last row is unreadable but names it', async () => {
    const file = write(
      'tail.csv',
      [HEADER, row('chk_1', 'ord_1', '1.00'), `${row('chk_1', 'ord_2', '1.00')},surplus`].join(
        '\n',
      ),
    );
    const records = await read(file, 'csv');
    expect(values(records)).toEqual([]);
    expect(
      errors(records).some((record) =>
        /of event chk_1 could not be read/.test(record.parseError?.reason ?? ''),
      ),
    ).toBe(true);
  });

  it('rejects a header with missing columns, naming them', async () => {
    const file = write(
      'miss.csv',
      'eventId,type,occurredAt,currency,payerId,orderId,sellerId\nchk_1,pay_in,2026-11-23T10:15:00Z,USD,b1,ord_1,s1\n',
    );
    const records = await read(file, 'csv');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ line: 1, parseError: { field: 'header' } });
    expect(records[0]?.parseError?.reason).toMatch(/missing column\(s\) paymentToken, amount/);
  });

  it('rejects a header with unknown columns, naming them', async () => {
    const file = write('unk.csv', `${HEADER},colour\n${row('chk_1', 'ord_1', '1.00')},red\n`);
    const records = await read(file, 'csv');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      line: 1,
      parseError: { field: 'header', reason: expect.stringMatching(/unknown column\(s\) colour/) },
    });
  });

  it('reports a row with the wrong number of columns on its line and still reads the later rows', async () => {
    const file = write(
      'cols.csv',
      [
        HEADER,
        row('chk_1', 'ord_1', '1.00'),
        'chk_2,pay_in,2026-11-23T10:15:00Z,USD,b1,tok_visa,ord_2',
        row('chk_3', 'ord_3', '3.00'),
        row('chk_4', 'ord_4', '4.00'),
        '',
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(errors(records)).toEqual([
      {
        line: 3,
        text: expect.any(String),
        parseError: { field: 'csv', reason: expect.any(String) },
      },
    ]);
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual([
      'chk_1',
      'chk_3',
      'chk_4',
    ]);
    expect(records.filter((r) => !r.parseError).map((r) => r.line)).toEqual([2, 4, 5]);
  });

  it('rejects a metadata cell that is not JSON', async () => {
    const file = write(
      'meta.csv',
      [HEADER, row('chk_1', 'ord_1', '1.00', { metadata: 'sku=A1' }), ''].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(records).toEqual([
      {
        line: 2,
        text: expect.any(String),
        parseError: { field: 'metadata', reason: expect.stringMatching(/JSON object/) },
      },
    ]);
  });
});

describe('detectFormat', () => {
  it('goes by the extension first', async () => {
    // The content would say otherwise: the extension wins.
    expect(await detectFormat(write('a.csv', '[1]'), undefined)).toBe('csv');
    expect(await detectFormat(write('a.CSV', '[1]'), undefined)).toBe('csv');
    expect(await detectFormat(write('a.ndjson', '[1]'), undefined)).toBe('ndjson');
    expect(await detectFormat(write('a.jsonl', '[1]'), undefined)).toBe('ndjson');
  });

  it('goes by the first character otherwise: "[" is a JSON array, anything else NDJSON', async () => {
    expect(await detectFormat(write('b.json', '  \n [{"a":1}]'), undefined)).toBe('json');
    expect(await detectFormat(write('b2.json', '\uFEFF[{"a":1}]'), undefined)).toBe('json');
    expect(await detectFormat(write('c.json', '{"a":1}\n{"a":2}\n'), undefined)).toBe('ndjson');
    expect(await detectFormat(write('events.txt', '[]'), undefined)).toBe('json');
    expect(await detectFormat(write('empty', ''), undefined)).toBe('ndjson');
  });

  it('lets --format force any known format, whatever the file says', async () => {
    const file = write('x.csv', '{"a":1}');
    expect(await detectFormat(file, 'ndjson')).toBe('ndjson');
    expect(await detectFormat(file, 'json')).toBe('json');
    expect(await detectFormat(write('y.ndjson', ''), 'csv')).toBe('csv');
  });

  it('throws a UsageError for an unknown forced format, naming the known ones', async () => {
    const file = write('x.ndjson', '{}');
    await expect(detectFormat(file, 'xml')).rejects.toThrow(UsageError);
    await expect(detectFormat(file, 'NDJSON')).rejects.toThrow(/ndjson, json, csv/);
  });

  it('throws a UsageError when the file cannot be read for sniffing', async () => {
    await expect(detectFormat(path.join(dir, 'missing.json'), undefined)).rejects.toThrow(
      UsageError,
    );
  });
});

describe('readRecords: encoding, size and cut-short files', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  it('refuses an NDJSON line holding bytes that are not UTF-8, naming the byte offset, and reads on', async () => {
    const file = write(
      'bad.ndjson',
      Buffer.concat([
        Buffer.from('{"a":1}\n{"a":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}\r\n{"a":"caf\u00e9"}\n'),
      ]),
    );
    const records = await read(file, 'ndjson');
    expect(records.map((r) => [r.line, r.parseError?.field ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'encoding'],
      [3, 'ok'],
    ]);
    expect(records[1]?.parseError?.reason).toMatch(
      /^invalid UTF-8 at byte 17 of the file \(0xE9\)/,
    );
    expect(records[2]?.value).toEqual({ a: 'café' });
  });

  it('keeps a real U+FFFD character, which is well-formed UTF-8', async () => {
    const file = write('fffd.ndjson', '{"a":"\uFFFD"}\n');
    expect(values(await read(file, 'ndjson'))).toEqual([{ a: '\uFFFD' }]);
  });

  it('refuses a JSON array element holding bytes that are not UTF-8, and keeps the others', async () => {
    const file = write(
      'bad.json',
      Buffer.concat([
        latin1('[{"a":1},\n {"a":"'),
        Buffer.from([0xed, 0xa0, 0x80]),
        latin1('"},\n {"a":3}]'),
      ]),
    );
    const records = await read(file, 'json');
    expect(records.map((r) => [r.line, r.parseError?.field ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'encoding'],
      [3, 'ok'],
    ]);
    expect(records[1]?.parseError?.reason).toMatch(/at byte 17 of the file \(0xED\)/);
  });

  it('refuses a CSV row holding bytes that are not UTF-8, and its whole checkout', async () => {
    const good = row('chk_2', 'ord_3', '1.00');
    const file = write(
      'bad.csv',
      Buffer.concat([
        latin1(`${HEADER}\n${row('chk_1', 'ord_1', '1.00')}\n`),
        latin1(row('chk_1', 'ord_2', '1.00', { seller: 'caf\u00e9' })),
        latin1(`\n${good}\n`),
      ]),
    );
    const records = await read(file, 'csv');
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual(['chk_2']);
    const reasons = errors(records).map((record) => record.parseError?.reason);
    expect(reasons[0]).toMatch(/^invalid UTF-8 at byte \d+ of the file \(0xE9\)/);
    expect(reasons[1]).toMatch(/line 3 of event chk_1 could not be read/);
  });

  it('refuses a UTF-16 file as a whole, in every format', async () => {
    for (const format of ['ndjson', 'json', 'csv'] as const) {
      const file = write(
        `u16.${format}`,
        Buffer.from(`\uFEFF${format === 'csv' ? HEADER : '{"a":1}'}\n`, 'utf16le'),
      );
      const records = await read(file, format);
      expect(records).toEqual([
        {
          line: 1,
          text: '',
          parseError: { field: 'encoding', reason: expect.stringMatching(/^the file is UTF-16LE/) },
        },
      ]);
    }
  });

  it('refuses a line or an element over 1 MiB without reading it whole, and reads on', async () => {
    const huge = `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const ndjson = await read(write('big.ndjson', `${huge}\n{"a":2}\n`), 'ndjson');
    expect(ndjson.map((r) => [r.line, r.parseError?.field ?? 'ok'])).toEqual([
      [1, 'size'],
      [2, 'ok'],
    ]);
    expect(ndjson[0]?.parseError?.reason).toMatch(
      /the line is 2097160 bytes, more than the 1048576/,
    );
    expect(ndjson[0]?.text.length).toBeLessThanOrEqual(10_000);
    const json = await read(write('big.json', `[${huge},{"a":2}]`), 'json');
    expect(json.map((r) => r.parseError?.field ?? 'ok')).toEqual(['size', 'ok']);
  });

  it('refuses a CSV whose columns repeat: which "amount" would be charged is not guessed', async () => {
    const file = write('dup.csv', `${HEADER},amount\n${row('chk_1', 'ord_1', '5.00')},500.00\n`);
    const records = await read(file, 'csv');
    expect(records).toHaveLength(1);
    expect(records[0]?.parseError).toEqual({
      field: 'header',
      reason: expect.stringMatching(/column\(s\) amount given more than once/),
    });
  });

  it('says so when the header is separated by semicolons', async () => {
    const file = write(
      'semi.csv',
      `${HEADER.replaceAll(',', ';')}\n${row('chk_1', 'ord_1', '5.00').replaceAll(',', ';')}\n`,
    );
    const [record] = await read(file, 'csv');
    expect(record?.parseError?.reason).toMatch(
      /the header seems separated by ";": payops reads comma-separated CSV/,
    );
  });

  it('checks the header of a file that has no rows', async () => {
    const records = await read(write('only.csv', 'eventId,amount\n'), 'csv');
    expect(records).toEqual([
      {
        line: 1,
        text: 'eventId,amount',
        parseError: { field: 'header', reason: expect.stringMatching(/missing column/) },
      },
    ]);
  });

  it('rejects a checkout whose first row is unreadable, not only one with a bad row in the middle', async () => {
    const short = row('chk_1', 'ord_1', '5.00').split(',').slice(0, 10).join(',');
    const file = write(
      'first.csv',
      [HEADER, short, row('chk_1', 'ord_2', '7.00'), row('chk_2', 'ord_3', '1.00'), ''].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual(['chk_2']);
    expect(errors(records)[1]?.parseError?.reason).toMatch(
      /line 2 of event chk_1 could not be read/,
    );
  });

  it('rejects the checkouts on both sides of a row whose eventId cannot be read', async () => {
    const file = write(
      'unknown.csv',
      [
        HEADER,
        row('chk_1', 'ord_1', '1.00'),
        ',,,',
        row('chk_2', 'ord_2', '1.00'),
        row('chk_3', 'ord_3', '1.00'),
        '',
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual(['chk_3']);
  });

  it('rejects the last checkout when the file does not end with a line break: it may be cut short', async () => {
    // The amount is the last column here, so the cut row still parses: "125.00" became "12".
    const header = 'eventId,type,occurredAt,currency,payerId,paymentToken,orderId,sellerId,amount';
    const short = (eventId: string, orderId: string, amount: string) =>
      row(eventId, orderId, amount).split(',').slice(0, 9).join(',');
    const file = write(
      'cut.csv',
      [
        header,
        short('chk_1', 'ord_1', '1.00'),
        short('chk_2', 'ord_2', '125.00').slice(0, -4),
      ].join('\n'),
    );
    const records = await read(file, 'csv');
    expect(values(records).map((v) => (v as { eventId: string }).eventId)).toEqual(['chk_1']);
    expect(errors(records)[0]?.parseError?.reason).toMatch(
      /the last row \(line 3\) does not end with a line break, so the file may have been cut short/,
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, parseJsonRecord } from '../../src/input/json-records.js';
import { duplicateKeyReason } from '../../src/input/json-keys.js';

describe('decodeRecord', () => {
  it('decodes UTF-8 bytes with no problem', () => {
    expect(decodeRecord(Buffer.from('{"name":"Zürich 佐藤 💶"}'), 0)).toEqual({
      text: '{"name":"Zürich 佐藤 💶"}',
    });
    expect(decodeRecord(Buffer.alloc(0), 0)).toEqual({ text: '' });
  });

  it('names the first bad byte by its offset in the file: where the record starts plus where in it', () => {
    const bytes = Buffer.concat([Buffer.from('{"n":"ab'), Buffer.from([0xff]), Buffer.from('"}')]);
    const { problem } = decodeRecord(bytes, 1000);
    expect(problem?.field).toBe('encoding');
    expect(problem?.reason).toMatch(/^invalid UTF-8 at byte 1008 of the file \(0xFF\)/);
  });

  it('refuses a character cut short at the end of the record (a lead byte with no continuation)', () => {
    const bytes = Buffer.concat([Buffer.from('"caf'), Buffer.from([0xc3])]);
    expect(decodeRecord(bytes, 10).problem?.reason).toMatch(/at byte 14 of the file \(0xC3\)/);
  });

  it('refuses any byte sequence Buffer would decode with a replacement character, and only those', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (raw) => {
        const bytes = Buffer.from(raw);
        const replaced = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes) === false;
        expect(decodeRecord(bytes, 0).problem !== undefined).toBe(replaced);
      }),
    );
  });
});

describe('parseJsonRecord', () => {
  it('keeps the line, the text and the parsed value', () => {
    expect(parseJsonRecord(7, '{"a":[1,{"b":null}]}')).toEqual({
      line: 7,
      text: '{"a":[1,{"b":null}]}',
      value: { a: [1, { b: null }] },
    });
  });

  it("refuses text that is not JSON, in JSON.parse's words, with no value", () => {
    const record = parseJsonRecord(3, '{"a":');
    expect(record.line).toBe(3);
    expect(record.value).toBeUndefined();
    expect(record.parseError?.field).toBe('json');
    expect(record.parseError?.reason).toMatch(/^not valid JSON \(.+\)$/);
  });

  it('refuses an empty record and a truncated one', () => {
    expect(parseJsonRecord(1, '').parseError?.field).toBe('json');
    expect(parseJsonRecord(1, '[1, 2').parseError?.field).toBe('json');
  });

  it('refuses a key given twice, naming the path of the object and the key', () => {
    expect(parseJsonRecord(2, '{"orders":[{"amount":"1.00","amount":"100.00"}]}')).toEqual({
      line: 2,
      text: '{"orders":[{"amount":"1.00","amount":"100.00"}]}',
      parseError: { field: 'orders[0].amount', reason: duplicateKeyReason('amount') },
    });
  });

  it('sees a key spelled with an escape as the same key', () => {
    expect(parseJsonRecord(1, '{"amount":"1","amo\\u0075nt":"2"}').parseError?.reason).toBe(
      duplicateKeyReason('amount'),
    );
  });

  it("keeps huge numbers' text as written; the value is what JSON.parse makes of them", () => {
    const record = parseJsonRecord(1, '{"amount":123456789012345678901234567890,"x":1e400}');
    expect(record.text).toContain('123456789012345678901234567890');
    expect(record.value).toEqual({
      amount: Number('123456789012345678901234567890'),
      x: Number.POSITIVE_INFINITY,
    });
  });

  it('parses any JSON value that has no repeated key back to itself', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const record = parseJsonRecord(1, text);
        expect(record.parseError).toBeUndefined();
        expect(record.value).toEqual(JSON.parse(text));
      }),
    );
  });
});

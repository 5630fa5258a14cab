import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CsvItem,
  CsvReader,
  MAX_RECORD_CHARS,
  firstRecord,
  readCsvBatches,
} from '../../src/input/csv.js';
import { tempDirPerTest } from '../helpers/cli.js';
import { writeFile } from '../helpers/settlement.js';

const temp = tempDirPerTest('payops-csv-');

function tokenize(text: string, delimiter = ','): CsvItem[] {
  const tokenizer = new CsvReader(delimiter);
  return [...tokenizer.push(text), ...tokenizer.end()];
}

async function readFile(content: string | Buffer, chunkBytes?: number): Promise<CsvItem[]> {
  const file = writeFile(temp.dir, 'f.csv', content);
  const items: CsvItem[] = [];
  for await (const batch of readCsvBatches(file, chunkBytes === undefined ? {} : { chunkBytes }))
    items.push(...batch);
  return items;
}

const records = (items: CsvItem[]) =>
  items.map((item) =>
    item.problem
      ? { line: item.line, problem: item.problem }
      : { line: item.line, fields: item.fields },
  );

describe('CsvReader: records and physical lines', () => {
  it('splits unquoted records and numbers their lines from 1', () => {
    expect(records(tokenize('a,b,c\n1,2,3\n'))).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('reads a last line without a line end, and CRLF like LF', () => {
    expect(records(tokenize('a,b\r\n1,2\r\n3,4'))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('marks a last record with no line break after it, and only that one', () => {
    const items = tokenize('a,b\n1,2\n3,4');
    expect(items.map((item) => (item.problem ? 'problem' : (item.unterminated ?? false)))).toEqual([
      false,
      false,
      true,
    ]);
    expect(tokenize('a,b\n1,2\n').some((item) => !item.problem && item.unterminated)).toBe(false);
    expect(tokenize('a,b\n1,2\r\n').some((item) => !item.problem && item.unterminated)).toBe(false);
    expect(tokenize('a,b\n"x,y",2')[1]).toEqual({
      line: 2,
      fields: ['x,y', '2'],
      unterminated: true,
    });
  });

  it('skips blank lines but keeps counting them', () => {
    expect(records(tokenize('a\n\n\r\nb\n\n'))).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['b'] },
    ]);
  });

  it('strips a byte-order mark before the first record only', () => {
    expect(records(tokenize('\uFEFFa,b\n1,2\n'))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(records(tokenize(',a,,\n'))).toEqual([{ line: 1, fields: ['', 'a', '', ''] }]);
  });

  it('keeps spaces as data (nothing is trimmed)', () => {
    expect(records(tokenize(' a , b\n'))).toEqual([{ line: 1, fields: [' a ', ' b'] }]);
  });

  it('reads quoted fields with delimiters and doubled quotes', () => {
    expect(records(tokenize('"a,b","say ""hi""","",x\n"",""\n'))).toEqual([
      { line: 1, fields: ['a,b', 'say "hi"', '', 'x'] },
      { line: 2, fields: ['', ''] },
    ]);
  });

  it('keeps spreadsheet formulas as plain text', () => {
    expect(records(tokenize('=SUM(A1:A9),"=HYPERLINK(""http://x"")",+1,-1,@cmd\n'))).toEqual([
      { line: 1, fields: ['=SUM(A1:A9)', '=HYPERLINK("http://x")', '+1', '-1', '@cmd'] },
    ]);
  });

  it('uses another delimiter when told, and then a comma is data', () => {
    expect(records(tokenize('a;b,c;"d;e"\n', ';'))).toEqual([
      { line: 1, fields: ['a', 'b,c', 'd;e'] },
    ]);
    expect(records(tokenize('a\tb\t"c\td"\n', '\t'))).toEqual([
      { line: 1, problem: { column: 2, reason: 'contains a control character (U+0009)' } },
    ]);
    expect(records(tokenize('a\tb,c\n', '\t'))).toEqual([{ line: 1, fields: ['a', 'b,c'] }]);
  });

  it('refuses a delimiter that cannot be one', () => {
    for (const delimiter of ['', ',,', '"', '\n', '\r'])
      expect(() => new CsvReader(delimiter)).toThrow(RangeError);
  });
});

describe('CsvReader: bad records are reported on their line and reading goes on', () => {
  it('refuses control characters and names the column', () => {
    expect(records(tokenize('a,b\u0007,c\nok,ok,ok\nx,\u001b[31m,y\n'))).toEqual([
      { line: 1, problem: { column: 1, reason: 'contains a control character (U+0007)' } },
      { line: 2, fields: ['ok', 'ok', 'ok'] },
      { line: 3, problem: { column: 1, reason: 'contains a control character (U+001B)' } },
    ]);
  });

  it('refuses C1 controls and invalid UTF-8', () => {
    expect(records(tokenize('a,\u0085\n'))).toEqual([
      { line: 1, problem: { column: 1, reason: 'contains a control character (U+0085)' } },
    ]);
    expect(records(tokenize('a,b\ufffd\n'))).toEqual([
      { line: 1, problem: { column: 1, reason: 'is not valid UTF-8 (save the file as UTF-8)' } },
    ]);
  });

  it('reports a line break inside a quoted field at the line the record starts, and counts the lines it spans', () => {
    expect(records(tokenize('h1,h2\n"multi\nline",x\nnext,row\n'))).toEqual([
      { line: 1, fields: ['h1', 'h2'] },
      { line: 2, problem: { column: 0, reason: 'contains a control character (U+000A)' } },
      { line: 4, fields: ['next', 'row'] },
    ]);
  });

  it('reports text after a closing quote', () => {
    expect(records(tokenize('"ab"c,d\nok\n'))).toEqual([
      {
        line: 1,
        problem: {
          column: 0,
          reason:
            'text after the closing quote of a quoted field (write "" for a quote inside one)',
        },
      },
      { line: 2, fields: ['ok'] },
    ]);
  });

  it('reports a quote inside an unquoted field', () => {
    expect(records(tokenize('a,b"c\nok\n'))).toEqual([
      {
        line: 1,
        problem: {
          column: 1,
          reason:
            'a quote inside an unquoted field (quote the whole field, and write "" for the quote)',
        },
      },
      { line: 2, fields: ['ok'] },
    ]);
  });

  it('reports a quote never closed at its line, then reads the lines after it as records', () => {
    expect(records(tokenize('a,"open\nb,c\nd,e\n'))).toEqual([
      {
        line: 1,
        problem: { column: 1, reason: 'a quoted field is never closed (a missing closing quote)' },
      },
      { line: 2, fields: ['b', 'c'] },
      { line: 3, fields: ['d', 'e'] },
    ]);
  });

  it('gives up on an open quote after MAX_RECORD_CHARS and re-reads what it swallowed', () => {
    const filler = `${'x'.repeat(1000)}\n`.repeat(Math.ceil(MAX_RECORD_CHARS / 1000) + 5);
    const items = tokenize(`"never closed\n${filler}last,row\n`);
    expect(items[0]).toEqual({
      line: 1,
      problem: { column: 0, reason: 'a quoted field is never closed (a missing closing quote)' },
    });
    expect(items.slice(1).every((item) => !item.problem)).toBe(true);
    expect(items.at(-1)).toEqual({ line: filler.split('\n').length + 1, fields: ['last', 'row'] });
  });

  it('drops a line longer than MAX_RECORD_CHARS with one problem and reads on', () => {
    const tokenizer = new CsvReader(',');
    const items = [
      ...tokenizer.push('a,b\n'),
      ...tokenizer.push('y'.repeat(MAX_RECORD_CHARS + 10)),
      ...tokenizer.push('yyy\nc,d\n'),
      ...tokenizer.end(),
    ];
    expect(records(items)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      {
        line: 2,
        problem: {
          column: null,
          reason: `line is longer than ${MAX_RECORD_CHARS} characters (not a CSV file?)`,
        },
      },
      { line: 3, fields: ['c', 'd'] },
    ]);
  });
});

describe('readCsvBatches', () => {
  const sample = '\uFEFFh1,h2,h3\r\n"a,1","é ""q""",ü\r\n\r\n"x\r\ny",2,3\r\n€,日本,"last"';

  it('reads a file to the same records whatever the chunk size (every boundary crossed)', async () => {
    const whole = await readFile(sample);
    expect(records(whole)).toEqual([
      { line: 1, fields: ['h1', 'h2', 'h3'] },
      { line: 2, fields: ['a,1', 'é "q"', 'ü'] },
      { line: 4, problem: { column: 0, reason: 'contains a control character (U+000A)' } },
      { line: 6, fields: ['€', '日本', 'last'] },
    ]);
    for (const chunkBytes of [1, 2, 3, 5, 7, 11])
      expect(records(await readFile(sample, chunkBytes))).toEqual(records(whole));
  });

  it('agrees with a one-piece read for any text split anywhere', async () => {
    const textArb = fc
      .array(fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '€', '\u0001'), {
        maxLength: 60,
      })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(textArb, fc.integer({ min: 1, max: 9 }), async (text, chunkBytes) => {
        expect(records(await readFile(text, chunkBytes))).toEqual(records(tokenize(text)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('firstRecord', () => {
  it('returns the first record of a text, or undefined for one without any', () => {
    expect(firstRecord('\uFEFF\n\na,b\nc\n')).toEqual({ line: 3, fields: ['a', 'b'] });
    expect(firstRecord('"a\nb",c')).toMatchObject({ line: 1, problem: { column: 0 } });
    expect(firstRecord('')).toBeUndefined();
    expect(firstRecord('\n\r\n')).toBeUndefined();
  });
});

describe('CsvReader: positions and corners of the csv-parse path', () => {
  it('numbers lines across a quoted field that spans CRLF lines', () => {
    expect(records(tokenize('h\r\n"a\r\nb",c\r\n"d",e\r\n'))).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, problem: { column: 0, reason: 'contains a control character (U+000A)' } },
      { line: 4, fields: ['d', 'e'] },
    ]);
    expect(records(tokenize('"a\nb\n\nc",d\r\n"e"'))).toEqual([
      { line: 1, problem: { column: 0, reason: 'contains a control character (U+000A)' } },
      { line: 5, fields: ['e'] },
    ]);
  });

  it('strips a byte-order mark before a quoted first field', () => {
    expect(records(tokenize('\uFEFF"a",b\n'))).toEqual([{ line: 1, fields: ['a', 'b'] }]);
  });

  it('passes ragged rows on as they are, quoted or not (each format checks the lengths)', () => {
    expect(records(tokenize('a,b,c\n1,2\n"x","y","z","w"\n'))).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['x', 'y', 'z', 'w'] },
    ]);
  });

  it('reads the next line afresh after a refused quoted record', () => {
    expect(records(tokenize('"ab"c,d\n"x",y\n'))).toEqual([
      {
        line: 1,
        problem: {
          column: 0,
          reason:
            'text after the closing quote of a quoted field (write "" for a quote inside one)',
        },
      },
      { line: 2, fields: ['x', 'y'] },
    ]);
  });

  it('names the column of a quote never closed, and of text after a quote closed lines later', () => {
    expect(records(tokenize('a,b,"open\nc\n'))).toEqual([
      {
        line: 1,
        problem: { column: 2, reason: 'a quoted field is never closed (a missing closing quote)' },
      },
      { line: 2, fields: ['c'] },
    ]);
    expect(records(tokenize('"a\nb"c\nok\n'))).toEqual([
      {
        line: 1,
        problem: {
          column: 0,
          reason:
            'text after the closing quote of a quoted field (write "" for a quote inside one)',
        },
      },
      { line: 3, fields: ['ok'] },
    ]);
  });

  it('follows a record whose quoted fields close and open again on later lines', () => {
    expect(records(tokenize('a,"x\ny","z\nw"\nok\n'))).toEqual([
      { line: 1, problem: { column: 1, reason: 'contains a control character (U+000A)' } },
      { line: 4, fields: ['ok'] },
    ]);
  });

  it('marks a quoted last record with no line break after it', () => {
    expect(tokenize('a\n"b","c"').at(-1)).toEqual({
      line: 2,
      fields: ['b', 'c'],
      unterminated: true,
    });
  });
});

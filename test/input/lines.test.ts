import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXCERPT_BYTES, type RawLine, readLines } from '../../src/input/lines.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('payops-lines-')));
afterEach(() => cleanup());

async function lines(content: string | Buffer, maxLineBytes = 1024): Promise<RawLine[]> {
  const file = path.join(dir, 'input');
  fs.writeFileSync(file, content);
  const out: RawLine[] = [];
  for await (const batch of readLines(file, maxLineBytes)) out.push(...batch);
  return out;
}

const summary = (raw: RawLine[]) =>
  raw.map((line) => [line.line, line.offset, line.bytes.toString('latin1')]);

describe('readLines', () => {
  it("splits on LF, CRLF and a lone CR, with each line's offset in the file", async () => {
    expect(summary(await lines('a\nbb\r\nccc\rd'))).toEqual([
      [1, 0, 'a'],
      [2, 2, 'bb'],
      [3, 6, 'ccc'],
      [4, 10, 'd'],
    ]);
  });

  it('keeps empty lines, so line numbers stay true, and adds none after a final terminator', async () => {
    expect(summary(await lines('a\n\n\r\nb\n'))).toEqual([
      [1, 0, 'a'],
      [2, 2, ''],
      [3, 3, ''],
      [4, 5, 'b'],
    ]);
    expect(await lines('')).toEqual([]);
  });

  it("skips a UTF-8 byte order mark at the start and counts offsets from the file's first byte", async () => {
    expect(summary(await lines('\uFEFFa\nb'))).toEqual([
      [1, 3, 'a'],
      [2, 5, 'b'],
    ]);
  });

  it('passes bytes through undecoded', async () => {
    const [line] = await lines(Buffer.from([0x63, 0x61, 0x66, 0xc3, 0x0a]));
    expect([...(line as RawLine).bytes]).toEqual([0x63, 0x61, 0x66, 0xc3]);
  });

  it('reports a line over the limit with its length and an excerpt, and reads on', async () => {
    const long = 'x'.repeat(EXCERPT_BYTES * 3);
    const raw = await lines(`short\n${long}\nafter\n`, EXCERPT_BYTES * 2);
    expect(raw.map((line) => [line.line, line.length, line.tooLong, line.bytes.length])).toEqual([
      [1, 5, false, 5],
      [2, EXCERPT_BYTES * 3, true, EXCERPT_BYTES],
      [3, 5, false, 5],
    ]);
    expect(raw[2]?.offset).toBe(6 + EXCERPT_BYTES * 3 + 1);
  });

  it('reads lines and CRLF pairs split across read chunks', async () => {
    // 64 KiB chunks: put a CR as the last byte of the first chunk and its LF first in the next.
    const first = 'y'.repeat(65_535);
    const raw = await lines(`${first}\r\nnext\rlast`, 1 << 20);
    expect(raw.map((line) => [line.line, line.offset, line.length])).toEqual([
      [1, 0, first.length],
      [2, first.length + 2, 4],
      [3, first.length + 7, 4],
    ]);
  });

  it('finds the same lines whatever the chunking, for many short lines', async () => {
    const text = Array.from({ length: 20_000 }, (_, index) => `line-${index}`).join('\r\n');
    const raw = await lines(text);
    expect(raw).toHaveLength(20_000);
    expect(raw[12_345]?.bytes.toString()).toBe('line-12345');
    expect(raw.every((line) => !line.bytes.includes(0x0d))).toBe(true);
  });
});

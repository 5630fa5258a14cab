import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasLoneSurrogate, isPlainText } from '../../src/input/text.js';
import {
  invalidUtf8Offset,
  invalidUtf8Reason,
  unsupportedEncodingReason,
} from '../../src/input/utf8.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('invalidUtf8Offset', () => {
  it('is -1 for well-formed UTF-8, from ASCII to four-byte characters', () => {
    expect(invalidUtf8Offset(Buffer.from('plain ascii'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from('Café Zürich – 佐藤 💶 \uFFFD'))).toBe(-1);
    expect(invalidUtf8Offset(bytes())).toBe(-1);
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80, 0x62], 1],
    ['a lead byte at the end', [0x61, 0x62, 0xc3], 2],
    ['a lead byte followed by ASCII', [0x63, 0x61, 0x66, 0xc3, 0x22], 3],
    ['an overlong "/" (C0 AF)', [0xc0, 0xaf], 0],
    ['an overlong three-byte form (E0 80 AF)', [0x41, 0xe0, 0x80, 0xaf], 1],
    ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80], 0],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], 0],
    ['F5, never a UTF-8 byte', [0x41, 0xf5, 0x80, 0x80, 0x80], 1],
    ['Latin-1 "é" (E9) between letters', [0x63, 0x61, 0x66, 0xe9, 0x73], 3],
    ['a four-byte character cut short', [0xf0, 0x9f, 0x92], 0],
  ])('finds %s', (_name, input, offset) => {
    expect(invalidUtf8Offset(bytes(...input))).toBe(offset);
  });

  it('checks only the range it is given', () => {
    const data = bytes(0xff, 0x61, 0x62, 0xff);
    expect(invalidUtf8Offset(data, 1, 3)).toBe(-1);
    expect(invalidUtf8Offset(data, 1)).toBe(3);
  });

  it('agrees with a strict decoder on any bytes at all', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        let valid = true;
        try {
          strict.decode(input);
        } catch {
          valid = false;
        }
        const offset = invalidUtf8Offset(input);
        expect(offset === -1).toBe(valid);
        // Everything before the reported byte is well formed on its own.
        if (offset > 0) expect(() => strict.decode(input.subarray(0, offset))).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });

  it('names the offset in the file and the byte, never a replacement', () => {
    expect(invalidUtf8Reason(bytes(0x61, 0xc3), 1, 41)).toBe(
      'invalid UTF-8 at byte 41 of the file (0xC3); payops reads UTF-8 only and never replaces bytes: save the file as UTF-8',
    );
  });
});

describe('unsupportedEncodingReason', () => {
  it('recognizes UTF-16 and UTF-32 by their byte order marks, and leaves UTF-8 alone', () => {
    expect(unsupportedEncodingReason(Buffer.from('\uFEFF{"a":1}', 'utf16le'))).toMatch(
      /^the file is UTF-16LE/,
    );
    expect(unsupportedEncodingReason(bytes(0xfe, 0xff, 0x00, 0x7b))).toMatch(
      /^the file is UTF-16BE/,
    );
    expect(unsupportedEncodingReason(bytes(0xff, 0xfe, 0x00, 0x00))).toMatch(
      /^the file is UTF-32LE/,
    );
    expect(unsupportedEncodingReason(bytes(0x00, 0x00, 0xfe, 0xff))).toMatch(
      /^the file is UTF-32BE/,
    );
    expect(unsupportedEncodingReason(Buffer.from('\uFEFF{"a":1}'))).toBeUndefined();
    expect(unsupportedEncodingReason(bytes())).toBeUndefined();
  });
});

describe('plain text', () => {
  it('refuses control characters and unpaired surrogates, and keeps every whole character', () => {
    expect(isPlainText('Café Zürich – 佐藤 💶 =HYPERLINK("x")')).toBe(true);
    expect(isPlainText('tab\there')).toBe(false);
    expect(isPlainText('esc \u001b[31m')).toBe(false);
    expect(isPlainText('c1 \u0085')).toBe(false);
    expect(isPlainText('high \ud800 alone')).toBe(false);
    expect(isPlainText('low \udc00 alone')).toBe(false);
    expect(isPlainText('reversed \udc00\ud800')).toBe(false);
    expect(hasLoneSurrogate('💶')).toBe(false);
    expect(hasLoneSurrogate('💶'.slice(0, 1))).toBe(true);
  });
});

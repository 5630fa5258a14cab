import { isUtf8 } from 'node:buffer';

/**
 * Input files are UTF-8. A byte sequence that is not well-formed UTF-8 is refused where it is,
 * naming its byte offset, and never decoded with replacement characters: a silently replaced byte
 * in a name, a reference or a description would be stored as something nobody wrote.
 */

/**
 * The offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode 15,
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or -1 if all are good.
 */
export function invalidUtf8Offset(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (isUtf8(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end))) return -1;
  let i = start;
  while (i < end) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > end) return i;
    const second = bytes[i + 1] as number;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k] as number;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/** "invalid UTF-8 at byte 1234 of the file (0xC3)": where to look, e.g. with `xxd -s 1234 FILE`. */
export function invalidUtf8Reason(bytes: Uint8Array, index: number, fileOffset: number): string {
  const byte = (bytes[index] as number).toString(16).toUpperCase().padStart(2, '0');
  return `invalid UTF-8 at byte ${fileOffset} of the file (0x${byte}); payops reads UTF-8 only and never replaces bytes: save the file as UTF-8`;
}

const UNSUPPORTED_BYTE_ORDER_MARKS: readonly { name: string; bytes: readonly number[] }[] = [
  // UTF-32 first: its little-endian mark begins with UTF-16's.
  { name: 'UTF-32LE', bytes: [0xff, 0xfe, 0x00, 0x00] },
  { name: 'UTF-32BE', bytes: [0x00, 0x00, 0xfe, 0xff] },
  { name: 'UTF-16LE', bytes: [0xff, 0xfe] },
  { name: 'UTF-16BE', bytes: [0xfe, 0xff] },
];

/** A file that announces another encoding by its byte order mark: the reason to refuse it whole. */
export function unsupportedEncodingReason(head: Uint8Array): string | undefined {
  const found = UNSUPPORTED_BYTE_ORDER_MARKS.find((mark) =>
    mark.bytes.every((byte, index) => head[index] === byte),
  );
  return (
    found &&
    `the file is ${found.name} (it starts with that byte order mark); payops reads UTF-8: convert it, e.g. \`iconv -f ${found.name.slice(0, 6)} -t UTF-8\``
  );
}

export function startsWithUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

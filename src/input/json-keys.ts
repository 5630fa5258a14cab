import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './char-codes.js';

/**
 * Duplicate keys in JSON text. `JSON.parse` keeps the last of two equal keys silently, while a
 * person (or another parser) reading `{"amount":"10.00","amount":"9999.00"}` may see the first:
 * what is charged must be what is read, so payops refuses an object with a key twice.
 *
 * One pass over text that `JSON.parse` has already accepted (so it need not validate): strings
 * are skipped with `indexOf`, keys are compared decoded (`"amo\u0075nt"` is `"amount"`), one set
 * of keys per open object. Linear in the text; a line without duplicates allocates a set per object.
 */

interface Frame {
  /** The keys seen so far; null for an array. */
  keys: Set<string> | null;
  path: string;
  /** In an object: the next string is a key. */
  expectKey: boolean;
  lastKey: string;
  index: number;
}

export interface DuplicateKey {
  /** Where the repeated key is, as validation names fields: `orders[0].amount`. */
  path: string;
  key: string;
}

/** The first key that appears twice in one object of `text` (valid JSON), or undefined. */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    const top = stack[stack.length - 1];
    if (code === QUOTE) {
      const end = stringEnd(text, at);
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const raw = text.slice(at + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) return { path: childPath(top.path, key), key };
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      at = end + 1;
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      const path =
        top === undefined
          ? ''
          : top.keys === null
            ? `${top.path}[${top.index}]`
            : childPath(top.path, top.lastKey);
      stack.push({
        keys: code === OPEN_BRACE ? new Set() : null,
        path,
        expectKey: true,
        lastKey: '',
        index: 0,
      });
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
    } else if (code === COMMA && top !== undefined) {
      if (top.keys === null) top.index++;
      else top.expectKey = true;
    }
    at++;
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

function childPath(parent: string, key: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = key.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return parent === '' ? shown : `${parent}.${shown}`;
}

/** The reason a record with a repeated key is refused, for `FILE:LINE path: reason`. */
export function duplicateKeyReason(key: string): string {
  return `key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)} appears twice in one object; JSON keeps only the last one, which may not be the one a person reads: write each key once`;
}

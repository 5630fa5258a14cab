// What JSON.stringify escapes in a string: '"', '\\', control characters and (lone) surrogates.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON.stringify writes it, byte for byte, without its general machinery for the
 * common case of plain text. Hashed content (ledger bodies, event content) is built with it.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** True when JSON.stringify writes the text as it is, between quotes. */
export function isPlainJsonText(text: string): boolean {
  return !NEEDS_ESCAPE.test(text);
}

/** JSON.stringify of an object of string values, keys in their own order, byte for byte. */
export function jsonStringRecord(record: Readonly<Record<string, string>>): string {
  let text = '{';
  for (const key in record)
    text += `${text.length === 1 ? '' : ','}${jsonString(key)}:${jsonString(record[key] as string)}`;
  return `${text}}`;
}

/**
 * Text that people wrote (names, reasons, descriptions, metadata) is stored and shown as given,
 * so it must be printable and whole: no control characters, which would let a record rewrite the
 * terminal it is shown on, and no unpaired UTF-16 surrogates. JSON can spell one (`"\ud800"`) but
 * UTF-8 cannot hold it: SQLite would store U+FFFD instead, and what was hashed and what was stored
 * would differ.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** No control characters and no unpaired surrogates. */
export function isPlainText(text: string): boolean {
  return !CONTROL_CHARACTER.test(text) && !LONE_SURROGATE.test(text);
}

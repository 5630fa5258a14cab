/**
 * Text from the books reaches the page in two places: HTML text and attributes (tables), and the
 * JSON data block the charts read. Seller names, settlement references and batch ids come from
 * files payops does not control, so each place escapes everything the HTML parser could act on.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe as element text and as a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

/**
 * JSON for a `<script type="application/json">` block. Inside a script element the HTML parser
 * ends the element at the first `</script` whatever JSON thinks, and `<!--` changes how it reads
 * on, so every `<`, `>` and `&` is written as its \u escape (still the same JSON string). U+2028
 * and U+2029 are escaped too, so the text stays valid if anyone pastes it into JavaScript.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  )
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

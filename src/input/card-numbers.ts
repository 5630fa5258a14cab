/**
 * Card numbers (PCI DSS: a full primary account number is never stored or displayed). A card
 * number is 13–19 digits, in groups separated by runs of one to three separators (space, dash, dot,
 * slash, underscore: `4111.1111.1111.1111`, `4111  1111 …`, `4111_1111…`), whose Luhn checksum
 * holds. A run of more than 19 digits with no separator is one number, not a card number inside
 * it; groups are whole, so `12 4111 1111 1111 1111` holds the card `4111 1111 1111 1111`.
 * The Luhn check keeps amounts and ids apart: `92233720368547758.08` is not a card number.
 * A card number also starts with a card network's major industry identifier (ISO/IEC 7812: 2–6,
 * Mastercard's 2-series, Amex, Diners and JCB on 3, Visa 4, Mastercard 5, Discover, UnionPay and
 * Maestro 6), so a millisecond timestamp in an id (`chk_1733500000000`, which starts with 1 until
 * the year 2286) is not refused one time in ten for passing Luhn by chance.
 * Text is scanned as a person sees it (`cardScanText`): full-width digits and no-break spaces
 * count as digits and spaces, invisible characters between digits are not there. Spans are
 * offsets into that normalized text, and redaction shows the normalized text.
 */
const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
const DIGIT_GROUPS = /\d+(?:[ \-./_]{1,3}\d+)*/g;
const CARD_NETWORK_FIRST_DIGITS = '23456';
/**
 * Invisible characters: every format character (zero-width spaces and joiners, word joiners,
 * bidi marks, soft hyphen, byte-order mark …) and the combining grapheme joiner. A person reads
 * the digits around them as one run.
 */
const INVISIBLE = /\p{Cf}|\u034f/gu;
/** Hyphens and dashes a person reads as `-`: hyphen, non-breaking hyphen, figure, en and em dash, bar, minus. */
const DASHES = /[\u2010-\u2015\u2212]/g;
/** A decimal digit of any script other than ASCII (Arabic-Indic, Devanagari, …). */
const OTHER_DIGIT = /(?![0-9])\p{Nd}/gu;
const NOT_ASCII = /[^\x00-\x7f]/;

/**
 * `text` as it reads: invisible characters removed, NFKC (full-width digits to ASCII digits,
 * no-break spaces to spaces), dashes as `-`, the digits of other scripts as ASCII digits. ASCII
 * text is returned as it is, without work: the common case.
 */
function cardScanText(text: string): string {
  if (!NOT_ASCII.test(text)) return text;
  return text
    .replace(INVISIBLE, '')
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(DASHES, '-')
    .replace(OTHER_DIGIT, asciiDigit);
}

/**
 * Unicode lays each script's digits out as ten consecutive code points from zero, so a digit's
 * value is its distance from the first digit of its run (runs longer than ten, the mathematical
 * digits, are mapped by NFKC before this).
 */
function asciiDigit(digit: string): string {
  const code = digit.codePointAt(0) as number;
  let zero = code;
  while (zero > code - 9 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  return String((code - zero) % 10);
}

export interface CardSpan {
  start: number;
  end: number;
  /** The last four digits: all that is ever shown of it. */
  last4: string;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Every card number in `text`, left to right, not overlapping; offsets into `cardScanText(text)`. */
export function findCardNumbers(text: string): CardSpan[] {
  const spans: CardSpan[] = [];
  if (!mayHoldCardNumber(text)) return spans;
  for (const match of cardScanText(text).matchAll(DIGIT_GROUPS)) {
    const groups = [...match[0].matchAll(/\d+/g)].map((group) => ({
      start: (match.index ?? 0) + (group.index ?? 0),
      digits: group[0],
    }));
    let first = 0;
    while (first < groups.length) {
      const found = cardStartingAt(groups, first);
      if (found === undefined) {
        first++;
        continue;
      }
      spans.push(found.span);
      first = found.next;
    }
  }
  return spans;
}

/**
 * False when `text` is ASCII and none of its runs of DIGIT_GROUPS holds MIN_DIGITS digits: no
 * card number can be in it. One pass over the characters, where the regex and its group arrays
 * cost a pay-in run 5% of its time (every event's text is scanned). Other text: true.
 */
function mayHoldCardNumber(text: string): boolean {
  let digits = 0;
  let separators = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0x7f) return true;
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      // A run of one to three separators between digits keeps the group chain going.
      if (separators > 3) digits = 0;
      separators = 0;
      if (++digits >= MIN_DIGITS) return true;
    } else if (digits > 0 && isGroupSeparator(code)) {
      separators++;
    } else {
      digits = 0;
      separators = 0;
    }
  }
  return false;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** The separators of DIGIT_GROUPS: space, dash, dot, slash, underscore. */
function isGroupSeparator(code: number): boolean {
  return code === 0x20 || code === 0x2d || code === 0x2e || code === 0x2f || code === 0x5f;
}

/** The shortest card number made of whole groups from `groups[first]` on, if any. */
function cardStartingAt(
  groups: readonly { start: number; digits: string }[],
  first: number,
): { span: CardSpan; next: number } | undefined {
  if (!CARD_NETWORK_FIRST_DIGITS.includes((groups[first] as { digits: string }).digits.charAt(0)))
    return undefined;
  let digits = '';
  for (let last = first; last < groups.length; last++) {
    const group = groups[last] as { start: number; digits: string };
    digits += group.digits;
    if (digits.length > MAX_DIGITS) return undefined;
    if (digits.length >= MIN_DIGITS && luhnValid(digits)) {
      const start = (groups[first] as { start: number }).start;
      return {
        span: { start, end: group.start + group.digits.length, last4: digits.slice(-4) },
        next: last + 1,
      };
    }
  }
  return undefined;
}

export function containsCardNumber(text: string): boolean {
  return findCardNumbers(text).length > 0;
}

/** How a card number is shown, when it must be mentioned at all: its last four digits. */
export function maskedCard(last4: string): string {
  return `[card number …${last4}]`;
}

/**
 * `text` with every card number replaced by its masked form. When it holds one, what is returned
 * is the normalized text (`cardScanText`) that was scanned, so no digit hides behind an invisible
 * character; text without a card number is returned untouched.
 */
export function redactCardNumbers(original: string): string {
  const spans = findCardNumbers(original);
  if (spans.length === 0) return original;
  const text = cardScanText(original);
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + maskedCard(span.last4);
    at = span.end;
  }
  return out + text.slice(at);
}

/**
 * Where in a parsed record a card number is: the path of the first string, key or number that
 * holds one (keys redacted in the path), or undefined. Iterative: a record may nest deeply.
 */
export function cardNumberPath(value: unknown): { path: string; last4: string } | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: item, path } = stack.pop() as { value: unknown; path: string };
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'bigint') {
      const found = findCardNumbers(String(item))[0];
      if (found !== undefined) return { path: path || 'event', last4: found.last4 };
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--)
        stack.push({ value: item[index], path: `${path}[${index}]` });
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item).reverse();
      for (const [key, child] of entries) {
        const field = `${path === '' ? '' : `${path}.`}${redactCardNumbers(key)}`;
        const inKey = findCardNumbers(key)[0];
        if (inKey !== undefined) return { path: field, last4: inKey.last4 };
        stack.push({ value: child, path: field });
      }
    }
  }
  return undefined;
}

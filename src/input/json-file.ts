import fs from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { type Currency, parseAmount, toCurrency } from '../money/index.js';

/**
 * Reads a JSON file an operator names with `flag` (a mapping, a rules file): UsageError when it
 * cannot be read (the wrong path is the operator's to fix), InputError when it is not JSON. A
 * leading byte-order mark is allowed (spreadsheet tools write one).
 */
export function readJsonFile(file: string, flag: string, hint: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${flag} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`}`,
    );
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`, { hint });
  }
}

/** `{"USD": "25.00", "JPY": "300"}` → minor units per currency, each ≥ 0 and exact in its currency. */
export function currencyAmounts(
  value: unknown,
  where: string,
  example: string,
): Map<Currency, bigint> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`${where}: expected an object of currency to amount, e.g. ${example}`);
  const result = new Map<Currency, bigint>();
  for (const [code, text] of Object.entries(value as Record<string, unknown>)) {
    const currency = toCurrency(code, `${where} currency`);
    const minor = parseAmount(text, currency, `${where}.${currency}`);
    if (minor < 0n) throw new InputError(`${where}.${currency}: must not be negative`);
    result.set(currency, minor);
  }
  return result;
}

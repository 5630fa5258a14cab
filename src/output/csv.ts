import { formatAmount, type Currency } from '../money/index.js';
import { csvNumeric, csvRow, csvText } from '../csv-cells.js';

/**
 * A listing as CSV (docs/OUTPUT.md): one header row of snake_case names, one row per item, amounts
 * as decimal strings in the currency's exponent next to a `currency` column. Text cells are
 * neutralized against formula injection; amounts and counts are written as numbers.
 */
export type CsvCell =
  | { text: string | null }
  | { amountMinor: bigint; currency: Currency }
  | { count: number }
  | null;

export function csvTable(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  for (const name of header)
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`CSV column "${name}" is not snake_case`);
  const cell = (value: CsvCell): string => {
    if (value === null) return '';
    if ('text' in value) return value.text === null ? '' : csvText(value.text);
    if ('count' in value) return csvNumeric(String(value.count));
    return csvNumeric(formatAmount(value.amountMinor, value.currency));
  };
  return (
    csvRow([...header]) +
    rows
      .map((row) => {
        if (row.length !== header.length)
          throw new Error(`CSV row has ${row.length} cells for ${header.length} columns`);
        return csvRow(row.map(cell));
      })
      .join('')
  );
}

export const text = (value: string | null): CsvCell => ({ text: value });
export const count = (value: number): CsvCell => ({ count: value });
export const amount = (amountMinor: bigint | null, currency: Currency): CsvCell =>
  amountMinor === null ? null : { amountMinor, currency };

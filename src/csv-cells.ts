/**
 * CSV cells as RFC 4180 wants them, and neutralized against spreadsheet formula injection: a text
 * cell starting with =, +, -, @, tab or carriage return is prefixed with an apostrophe, so
 * `=HYPERLINK(...)` in a description stays text when finance opens the file in a spreadsheet.
 * Amount cells are written by payops itself and are passed through `numeric`, never neutralized.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Would a spreadsheet run this cell as a formula (or a command)? */
export function startsLikeAFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

export function csvText(value: string): string {
  const safe = startsLikeAFormula(value) ? `'${value}` : value;
  return quoteIfNeeded(safe);
}

export function csvNumeric(value: string): string {
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(value)) throw new TypeError(`not a numeric cell: ${value}`);
  return value;
}

export function csvRow(cells: readonly string[]): string {
  return `${cells.join(',')}\n`;
}

function quoteIfNeeded(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

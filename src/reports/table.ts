export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

/**
 * A plain aligned table. `style` may colour a cell after its width is measured (chalk adds
 * escape codes that take no room on screen), so alignment survives colour.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  style: (text: string, row: number, column: number) => string = (text) => text,
): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[], rowIndex: number): string =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const padded =
          column.align === 'right'
            ? cell.padStart(widths[index] ?? 0)
            : cell.padEnd(widths[index] ?? 0);
        return rowIndex < 0 ? padded : style(padded, rowIndex, index);
      })
      .join('  ')
      .trimEnd();
  const header = line(
    columns.map((column) => column.header),
    -1,
  );
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [header, rule, ...rows.map((row, index) => line(row, index))].join('\n');
}

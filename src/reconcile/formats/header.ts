import { InputError } from '../../errors.js';
import { printable } from '../../money/index.js';
import { type HeaderColumns, RowError } from './format.js';

/**
 * A CSV header row: column names matched without regard to case, surrounding blanks or repeated
 * spaces ("Psp Reference" = "psp reference"), in any order.
 */
export class Header {
  readonly names: readonly string[];
  private readonly indexByKey = new Map<string, number>();

  constructor(names: readonly string[], file: string) {
    this.names = names;
    names.forEach((name, index) => {
      const key = columnKey(name);
      if (key === '') throw new InputError(`${file}:1 header: column ${index + 1} has no name`);
      if (this.indexByKey.has(key))
        throw new InputError(`${file}:1 header: column "${printable(name)}" appears twice`);
      this.indexByKey.set(key, index);
    });
  }

  /** 0-based index of a column, or -1. */
  indexOf(name: string): number {
    return this.indexByKey.get(columnKey(name)) ?? -1;
  }

  /** The column's index; the format has already checked it is there. */
  require(name: string): number {
    const index = this.indexOf(name);
    if (index < 0) throw new RangeError(`column ${name} was not checked for`);
    return index;
  }

  /** The name of column `index` as the file writes it (for messages). */
  nameAt(index: number): string {
    return this.names[index] ?? `column ${index + 1}`;
  }

  missing(columns: HeaderColumns): string[] {
    return columns.required.filter((name) => this.indexOf(name) < 0);
  }

  unexpected(columns: HeaderColumns): string[] {
    const known = new Set([...columns.required, ...columns.optional].map(columnKey));
    return this.names.filter(
      (name) =>
        !known.has(columnKey(name)) &&
        !(columns.optionalPatterns ?? []).some((pattern) => pattern.test(name.trim())),
    );
  }

  /** Every required column is there and none is unknown. */
  fits(columns: HeaderColumns): boolean {
    return this.missing(columns).length === 0 && this.unexpected(columns).length === 0;
  }

  /** Throws the InputError for a file forced to (or detected as) `format` that lacks columns it needs. */
  assertHas(columns: HeaderColumns, file: string, format: string): void {
    const missing = this.missing(columns);
    if (missing.length > 0) {
      throw new InputError(
        `${file}:1 header: not a ${format} settlement file (missing: ${missing.join(', ')})`,
        {
          hint: 'check the export settings, or pass the right --format',
        },
      );
    }
  }

  /** A record must have one field per column. */
  checkWidth(fields: readonly string[]): void {
    if (fields.length !== this.names.length) {
      throw new RowError(
        'row',
        `has ${fields.length} field${fields.length === 1 ? '' : 's'}; the header has ${this.names.length}`,
      );
    }
  }
}

function columnKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

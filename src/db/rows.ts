import { StorageError } from '../errors.js';
import { type Currency, isCurrencyCode } from '../money/index.js';

/**
 * Checked row reading: a store declares the shape of each row it reads, and every row is
 * checked against it as it is read, instead of casting `.get()`/`.all()` results. A row that is
 * not what the code expects (a column missing, NULL where none may be, a float where an integer
 * is) throws a StorageError naming the query and the column, rather than flowing on as a wrong
 * balance. Driver-free: it checks plain values, whichever engine returned them.
 *
 * Column types, as the driver returns them (payops' SQLite connections run with safeIntegers on):
 * - `bigint`: an INTEGER (money in minor units, counts, ids);
 * - `number`: a JS number (REAL, or a statement that turned safeIntegers off);
 * - `text`: a TEXT; `blob`: a BLOB (a Uint8Array);
 * - `currency`: a TEXT that is an ISO 4217 code payops knows, typed as a Currency;
 * - a list of strings: a TEXT that must be one of them (a status), typed as their union;
 * - a `?` suffix admits NULL (`'text?'` reads as `string | null`).
 * Columns the shape does not name are let through unchecked (a `SELECT *` may grow).
 */
type ColumnType = 'text' | 'bigint' | 'number' | 'blob' | 'currency';
export type ColumnSpec = ColumnType | `${ColumnType}?` | readonly string[];

interface ColumnValues {
  text: string;
  bigint: bigint;
  number: number;
  blob: Uint8Array;
  currency: Currency;
}

type ValueOf<S> = S extends readonly (infer Member)[]
  ? Member
  : S extends `${infer Base extends ColumnType}?`
    ? ColumnValues[Base] | null
    : S extends ColumnType
      ? ColumnValues[S]
      : never;

export type RowOf<Spec extends Readonly<Record<string, ColumnSpec>>> = {
  readonly [Column in keyof Spec]: ValueOf<Spec[Column]>;
};

/** What a row of a shape reads as. */
export type ShapeRow<Shape> = Shape extends RowShape<infer Row> ? Row : never;

const KIND = { text: 0, bigint: 1, number: 2, blob: 3, oneOf: 4, currency: 5 } as const;
const KIND_NAMES = [
  'text',
  'integer (bigint)',
  'number',
  'blob',
  'one of',
  'currency code',
] as const;

/** A declared row shape: compiled once into flat arrays, so checking a row is one tight loop. */
export class RowShape<Row> {
  /** Only carries the row type; never set. */
  declare readonly row: Row;
  readonly columns: readonly string[];
  private readonly kinds: Uint8Array;
  private readonly nullable: Uint8Array;
  private readonly members: readonly (ReadonlySet<string> | undefined)[];

  constructor(
    readonly where: string,
    spec: Readonly<Record<string, ColumnSpec>>,
  ) {
    this.columns = Object.keys(spec);
    this.kinds = new Uint8Array(this.columns.length);
    this.nullable = new Uint8Array(this.columns.length);
    this.members = this.columns.map((column, index) => {
      const columnSpec = spec[column];
      if (typeof columnSpec === 'string') {
        const optional = columnSpec.endsWith('?');
        const base = optional ? columnSpec.slice(0, -1) : columnSpec;
        if (!isColumnType(base)) throw new Error(`${where}: column ${column}: no type ${base}`);
        this.kinds[index] = KIND[base];
        this.nullable[index] = optional ? 1 : 0;
        return undefined;
      }
      this.kinds[index] = KIND.oneOf;
      return new Set(columnSpec);
    });
  }

  /** The row itself, typed, when every declared column holds what the shape says; else throws. */
  check(row: unknown): Row {
    if (typeof row !== 'object' || row === null) throw this.notARow(row);
    const record = row as Record<string, unknown>;
    const { columns, kinds, nullable } = this;
    for (let index = 0; index < columns.length; index++) {
      const value = record[columns[index] as string];
      if (fits(kinds[index], value, this.members[index])) continue;
      if (value === null && nullable[index] === 1) continue;
      throw this.wrongColumn(index, record);
    }
    return row as Row;
  }

  private notARow(row: unknown): StorageError {
    return new StorageError(
      `${this.where}: the database returned ${describe(row)} where a row was expected`,
      { hint: STORAGE_HINT },
    );
  }

  private wrongColumn(index: number, record: Record<string, unknown>): StorageError {
    const column = this.columns[index] as string;
    const kind = this.kinds[index] as number;
    const expected =
      kind === KIND.oneOf
        ? `one of ${[...(this.members[index] as ReadonlySet<string>)].join(', ')}`
        : `${KIND_NAMES[kind]}${this.nullable[index] === 1 ? ' or NULL' : ''}`;
    const found = column in record ? describe(record[column]) : 'no such column';
    return new StorageError(
      `${this.where}: column ${column} holds ${found}, expected ${expected}`,
      { hint: STORAGE_HINT },
    );
  }
}

function fits(kind: number | undefined, value: unknown, members?: ReadonlySet<string>): boolean {
  switch (kind) {
    case KIND.bigint:
      return typeof value === 'bigint';
    case KIND.text:
      return typeof value === 'string';
    case KIND.currency:
      return typeof value === 'string' && isCurrencyCode(value);
    case KIND.number:
      return typeof value === 'number';
    case KIND.blob:
      return value instanceof Uint8Array;
    default:
      return typeof value === 'string' && members !== undefined && members.has(value);
  }
}

const STORAGE_HINT =
  'the database is not what this payops expects: run `payops check`, and restore it from a backup if it was changed by hand';

function isColumnType(name: string): name is ColumnType {
  return name in KIND && name !== 'oneOf';
}

function describe(value: unknown): string {
  if (value === null) return 'NULL';
  if (value === undefined) return 'nothing';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'a number (not a bigint)' : 'a float';
  if (typeof value === 'string') return value.length > 40 ? 'a text' : `the text "${value}"`;
  if (value instanceof Uint8Array) return 'a blob';
  return `a ${typeof value}`;
}

/** Declares a row shape; `where` names the query or table in errors (e.g. 'orders by id'). */
export function rowShape<const Spec extends Readonly<Record<string, ColumnSpec>>>(
  where: string,
  spec: Spec,
): RowShape<RowOf<Spec>> {
  return new RowShape<RowOf<Spec>>(where, spec);
}

/** One row from `.get()`: undefined when there is none, else the checked row. */
export function readRow<Row>(shape: RowShape<Row>, row: unknown): Row | undefined {
  return row === undefined ? undefined : shape.check(row);
}

/** One row that must exist (an aggregate, a row just written): its absence is a StorageError. */
export function readOneRow<Row>(shape: RowShape<Row>, row: unknown): Row {
  if (row === undefined)
    throw new StorageError(`${shape.where}: the database returned no row`, {
      hint: STORAGE_HINT,
    });
  return shape.check(row);
}

/** Every row from `.all()`, checked. */
export function readRows<Row>(shape: RowShape<Row>, rows: readonly unknown[]): Row[] {
  for (const row of rows) shape.check(row);
  return rows as Row[];
}

/** Rows from `.iterate()`, each checked as it arrives: memory stays flat. */
export function* iterateRows<Row>(shape: RowShape<Row>, rows: Iterable<unknown>): Generator<Row> {
  for (const row of rows) yield shape.check(row);
}

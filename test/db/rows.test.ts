import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ColumnSpec,
  iterateRows,
  openDatabase,
  readOneRow,
  readRow,
  readRows,
  rowShape,
} from '../../src/db/index.js';
import { StorageError } from '../../src/errors.js';
import type { Currency } from '../../src/money/index.js';
import { tempDir } from '../helpers/cli.js';

const ORDER_ROW = rowShape('orders by id', {
  order_id: 'text',
  amount_minor: 'bigint',
  psp_reference: 'text?',
  status: ['created', 'succeeded', 'failed'],
});

const GOOD = { order_id: 'ord_1', amount_minor: 2500n, psp_reference: null, status: 'created' };

function failure(work: () => unknown): StorageError {
  try {
    work();
  } catch (error) {
    if (error instanceof StorageError) return error;
    throw error;
  }
  throw new Error('expected a StorageError');
}

describe('checked rows', () => {
  it('returns the row itself, typed, when it has the declared shape', () => {
    const row = readOneRow(ORDER_ROW, GOOD);
    expect(row).toBe(GOOD);
    const amountMinor: bigint = row.amount_minor;
    const status: 'created' | 'succeeded' | 'failed' = row.status;
    expect([amountMinor, status]).toEqual([2500n, 'created']);
  });

  it('reads no row as undefined, and refuses it where one must exist', () => {
    expect(readRow(ORDER_ROW, undefined)).toBeUndefined();
    expect(failure(() => readOneRow(ORDER_ROW, undefined)).message).toBe(
      'orders by id: the database returned no row',
    );
  });

  it('names the query and the column of a float where a bigint is expected', () => {
    const error = failure(() => readRow(ORDER_ROW, { ...GOOD, amount_minor: 25.5 }));
    expect(error.message).toBe(
      'orders by id: column amount_minor holds a float, expected integer (bigint)',
    );
    expect(error.hint).toMatch(/payops check/);
  });

  it('refuses a number where a bigint is expected (a statement without safeIntegers)', () => {
    expect(failure(() => readRow(ORDER_ROW, { ...GOOD, amount_minor: 25 })).message).toBe(
      'orders by id: column amount_minor holds a number (not a bigint), expected integer (bigint)',
    );
  });

  it('names a missing column, NULL where none may be, and a status outside the list', () => {
    const { order_id: _, ...withoutId } = GOOD;
    expect(failure(() => readRow(ORDER_ROW, withoutId)).message).toBe(
      'orders by id: column order_id holds no such column, expected text',
    );
    expect(failure(() => readRow(ORDER_ROW, { ...GOOD, order_id: null })).message).toBe(
      'orders by id: column order_id holds NULL, expected text',
    );
    expect(failure(() => readRow(ORDER_ROW, { ...GOOD, status: 'lost' })).message).toBe(
      'orders by id: column status holds the text "lost", expected one of created, succeeded, failed',
    );
    expect(failure(() => readRow(ORDER_ROW, { ...GOOD, psp_reference: 7n })).message).toBe(
      'orders by id: column psp_reference holds a bigint, expected text or NULL',
    );
  });

  it('reads a currency column as a Currency, and refuses a code payops does not know', () => {
    const shape = rowShape('wallets', { currency: 'currency', amount_minor: 'bigint' });
    const currency: Currency = readOneRow(shape, { currency: 'JPY', amount_minor: 1n }).currency;
    expect(currency).toBe('JPY');
    expect(failure(() => readRow(shape, { currency: 'usd', amount_minor: 1n })).message).toBe(
      'wallets: column currency holds the text "usd", expected currency code',
    );
  });

  it('refuses a value that is not a row', () => {
    expect(failure(() => readRow(ORDER_ROW, 42n)).message).toBe(
      'orders by id: the database returned a bigint where a row was expected',
    );
  });

  it('checks every row of a list and of an iteration', () => {
    expect(readRows(ORDER_ROW, [GOOD, GOOD])).toHaveLength(2);
    expect(() => readRows(ORDER_ROW, [GOOD, { ...GOOD, amount_minor: '1' }])).toThrow(StorageError);
    const read = iterateRows(ORDER_ROW, [GOOD, { ...GOOD, order_id: 1n }]);
    expect(read.next().value).toBe(GOOD);
    expect(() => read.next()).toThrow(/column order_id holds a bigint/);
  });

  it('reads what SQLite returns with safeIntegers on: INTEGER as bigint, TEXT, BLOB, NULL', () => {
    const temp = tempDir();
    const db = openDatabase(`${temp.dir}/rows.db`, { create: true });
    try {
      const shape = rowShape('literal row', {
        n: 'bigint',
        t: 'text',
        b: 'blob',
        x: 'bigint?',
        r: 'number',
      });
      const row = readOneRow(
        shape,
        db.prepare("SELECT 9007199254740993 AS n, 'a' AS t, x'00' AS b, NULL AS x, 1.5 AS r").get(),
      );
      expect(row.n).toBe(9007199254740993n);
      expect(row.r).toBe(1.5);
    } finally {
      db.close();
      temp.cleanup();
    }
  });

  it('accepts exactly the rows whose declared columns have their declared types (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.bigInt(),
      fc.double(),
      fc.integer(),
      fc.constant(null),
      fc.constant(undefined),
      fc.boolean(),
      fc.uint8Array({ maxLength: 4 }),
    );
    const fits = (spec: ColumnSpec, v: unknown): boolean => {
      if (typeof spec !== 'string') return false;
      const nullable = spec.endsWith('?');
      const base = nullable ? spec.slice(0, -1) : spec;
      if (v === null) return nullable;
      if (base === 'text') return typeof v === 'string';
      if (base === 'bigint') return typeof v === 'bigint';
      if (base === 'number') return typeof v === 'number';
      return v instanceof Uint8Array;
    };
    const specs: ColumnSpec[] = [
      'text',
      'text?',
      'bigint',
      'bigint?',
      'number',
      'number?',
      'blob',
      'blob?',
    ];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_]{1,8}$/), fc.constantFrom(...specs)), {
          minLength: 1,
          maxLength: 6,
          selector: ([name]) => name,
        }),
        fc.array(value, { minLength: 6, maxLength: 6 }),
        (columns, values) => {
          const shape = rowShape('property', Object.fromEntries(columns));
          const row = Object.fromEntries(columns.map(([name], i) => [name, values[i]]));
          const expectedOk = columns.every(([name, spec]) => fits(spec, row[name]));
          const error = expectedOk ? undefined : failure(() => readRow(shape, row));
          if (expectedOk) expect(readRow(shape, row)).toBe(row);
          else expect(error?.message).toMatch(/^property: column [a-z_]+ holds /);
        },
      ),
    );
  });

  it('checks at least a million rows a second (hot paths read through it)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({
      ...GOOD,
      order_id: `ord_${i}`,
      amount_minor: BigInt(i),
      psp_reference: i % 2 === 0 ? null : `ch_${i}`,
    }));
    readRows(ORDER_ROW, rows);
    const started = process.hrtime.bigint();
    for (let round = 0; round < 5; round++) readRows(ORDER_ROW, rows);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rowsPerSecond = (5 * rows.length) / seconds;
    console.log(`rows.ts: ${Math.round(rowsPerSecond / 1e6)}M rows of 4 columns checked/s`);
    expect(rowsPerSecond).toBeGreaterThan(1_000_000);
  });
});

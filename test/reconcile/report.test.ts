import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toJson } from '../../src/cli/context.js';
import type { Database } from '../../src/db/index.js';
import { moneyJsonSchema, toCurrency } from '../../src/money/index.js';
import { reconcileReport } from '../../src/reconcile/report.js';
import { SqliteReconcileReads } from '../../src/reconcile/sqlite-reconcile-reads.js';
import { reportCsv, reportJson, summaryJson } from '../../src/reports/reconcile.js';
import { EUR, type TestBook, capture, lined, payout, tempBook } from './book.js';

const JPY = toCurrency('JPY');

/** Parses the report's CSV (no cell of this book needs quoting) into records keyed by column. */
function parseCsv(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const columns = (header as string).split(',');
  return lines.map((line) =>
    Object.fromEntries(line.split(',').map((cell, index) => [columns[index] as string, cell])),
  );
}

interface ReportJson {
  dateBasis: string;
  classesByCurrency: {
    class: string;
    currency: string;
    rows: number;
    records: number;
    money: { amount: string; currency: string; amountMinor: string };
  }[];
  classTotals: { rows: number; records: number };
  openNow: {
    class: string;
    currency: string;
    items: number;
    money: { amount: string; currency: string; amountMinor: string };
  }[];
  openTotal: { items: number };
}

describe('reconcile report: counts per class and currency', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
      ['ord_3', '7.00', EUR],
      ['ord_4', '9.00', EUR],
    ]);
    const rows = [
      capture('ord_1', 2500n),
      capture('ord_2', 1100n), // amount_mismatch
      capture('ord_3', 700n, { currency: EUR, batchId: 'po_eur' }),
      capture('ord_4', 900n, { currency: EUR, batchId: 'po_eur' }),
      capture('ord_y', 1500n, {
        pspReference: 'ch_unknown_jpy',
        currency: JPY,
        batchId: 'po_jpy',
        feeMinor: 30n,
      }), // missing_internal
      capture('ord_x', 300n, { pspReference: 'ch_unknown', currency: EUR, batchId: 'po_eur' }), // missing_internal
    ];
    await book.reconcile(
      'day.csv',
      lined([
        ...rows,
        payout('po_1', rows),
        payout('po_eur', rows, undefined, { currency: EUR }),
        payout('po_jpy', rows, undefined, { currency: JPY }),
      ]),
    );
  });
  afterEach(() => cleanup());

  it('the CSV never repeats a count on several currency lines: its sums equal the JSON (issue 15)', async () => {
    const report = await reconcileReport(new SqliteReconcileReads(db));
    const csv = parseCsv(reportCsv(report));
    const json = JSON.parse(toJson(reportJson(report))) as ReportJson;
    const classRows = csv.filter((row) => row.section === 'class');
    // Before issue 15 each class's counts were repeated on every currency line: 3 matched
    // currencies made matched rows count three times.
    const sum = (rows: Record<string, string>[], column: string) =>
      rows.reduce((total, row) => total + Number(row[column] || 0), 0);
    expect(sum(classRows, 'rows')).toBe(json.classTotals.rows);
    expect(sum(classRows, 'records')).toBe(json.classTotals.records);
    expect(json.classTotals).toEqual({ rows: 9, records: 4 }); // 6 rows + 3 payouts; 4 orders paired
    const total = csv.find((row) => row.section === 'class_total') as Record<string, string>;
    expect([Number(total.rows), Number(total.records)]).toEqual([9, 4]);
    for (const line of json.classesByCurrency) {
      expect(moneyJsonSchema.parse(line.money)).toEqual(line.money);
      const row = classRows.find(
        (candidate) => candidate.class === line.class && candidate.currency === line.currency,
      ) as Record<string, string>;
      expect([Number(row.rows), Number(row.records), row.amount]).toEqual([
        line.rows,
        line.records,
        line.money.amount,
      ]);
    }
    expect(classRows).toHaveLength(json.classesByCurrency.length);
    expect(
      json.classesByCurrency
        .filter((line) => line.class === 'matched')
        .map((line) => [line.currency, line.rows, line.records, line.money.amount]),
    ).toEqual([
      ['EUR', 3, 2, '16.00'],
      ['JPY', 1, 0, '0'], // the payout row: its money is in the bridge
      ['USD', 2, 1, '25.00'],
    ]);
    expect(
      json.classesByCurrency
        .filter((line) => line.class === 'missing_internal')
        .map((line) => [line.currency, line.rows, line.records, line.money.amount]),
    ).toEqual([
      ['EUR', 1, 0, '3.00'],
      ['JPY', 1, 0, '1500'],
    ]);
  });

  it('has the "open now" section of the text report, per class and currency with a total, and says its date basis', async () => {
    const report = await reconcileReport(new SqliteReconcileReads(db));
    const csv = parseCsv(reportCsv(report));
    const json = JSON.parse(toJson(reportJson(report))) as ReportJson;
    expect(json.dateBasis).toBe('settled');
    const open = csv
      .filter((row) => row.section === 'open')
      .map((row) => [row.class, row.currency, row.items, row.amount]);
    expect(open).toEqual(
      json.openNow.map((line) => [
        line.class,
        line.currency,
        String(line.items),
        line.money.amount,
      ]),
    );
    expect(open).toEqual(
      expect.arrayContaining([
        ['amount_mismatch', 'USD', '1', '1.00'],
        ['missing_internal', 'EUR', '1', '3.00'],
      ]),
    );
    expect(Number(csv.find((row) => row.section === 'open_total')?.items)).toBe(
      json.openTotal.items,
    );
    expect(json.openTotal.items).toBe(json.openNow.reduce((sum, line) => sum + line.items, 0));
  });
});

describe('reconcile run --json: the summary as JSON', () => {
  it('gives every money line as moneyJson, counts per class and currency, and the date basis', async () => {
    const { book, cleanup } = tempBook();
    try {
      await book.charge([['ord_1', '25.00']]);
      const rows = [capture('ord_1', 2500n), capture('ord_x', 300n, { pspReference: 'ch_x' })];
      const outcome = await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
      const json = JSON.parse(toJson(summaryJson(outcome.summary))) as {
        dateBasis: string;
        classes: { money: unknown[] }[];
        classesByCurrency: { money: unknown }[];
        open: { money: unknown[] }[];
      };
      expect(json.dateBasis).toBe('settled');
      for (const line of [...json.classes, ...json.open])
        for (const money of line.money) moneyJsonSchema.parse(money);
      for (const line of json.classesByCurrency) moneyJsonSchema.parse(line.money);
    } finally {
      cleanup();
    }
  });
});

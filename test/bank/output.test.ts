import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { palette } from '../../src/output/palette.js';
import { toJson } from '../../src/cli/context.js';
import type { Database } from '../../src/db/index.js';
import { reconcileBankSchema } from '../../src/output/bank.js';
import { contractJson } from '../../src/output/contract.js';
import { reconcileItemsSchema, reconcileReportSchema } from '../../src/output/reconcile.js';
import { reconcileReport } from '../../src/reconcile/report.js';
import { bankRunJson, renderBankRun } from '../../src/reports/bank.js';
import { itemsCsv, itemsJson, renderReport, reportJson } from '../../src/reports/reconcile.js';
import { listItems } from '../../src/reconcile/listing.js';
import { SqliteReconcileReads } from '../../src/reconcile/sqlite-reconcile-reads.js';
import { type TestBook, tempBook } from '../reconcile/book.js';
import { BATCH, importStatements, settledAndPaidOut } from './book.js';
import { bankEntry, statementOf } from './statements.js';

describe('reconcile bank output', () => {
  let db: Database;
  let book: TestBook;
  let cleanup: () => void;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await settledAndPaidOut(book);
  });
  afterEach(() => cleanup());

  it('JSON follows its schema, money as moneyJson; text has its balances, classes and ASCII minus; report reads the run', async () => {
    const statement = statementOf(
      [
        bankEntry('credit', 6430n, { text: BATCH, accountServicerRef: 'B1' }),
        bankEntry('debit', 150n, { bankCharge: true, accountServicerRef: 'B2' }),
        bankEntry('debit', 999n, { text: 'mystery', accountServicerRef: 'B3' }),
      ],
      { openingMinor: 1_000n, openingDate: '2026-12-01' },
    );
    const outcome = await importStatements(book, 'dec-01.xml', [statement]);
    const json = JSON.parse(
      contractJson(reconcileBankSchema, {
        dateBasis: 'booked',
        dryRun: false,
        runs: [bankRunJson(outcome)],
        openCount: outcome.summary.openCount,
      }),
    ) as {
      runs: { statements: unknown[]; entries: unknown[]; findings: unknown[]; periodEnd: string }[];
    };
    const [run] = json.runs;
    expect(run?.periodEnd).toBe('2026-12-01T23:59:59.999Z');
    expect(run?.statements[0]).toMatchObject({
      opening: { amount: '10.00', currency: 'USD', amountMinor: '1000' },
      openingBooks: { amountMinor: '0' },
      closing: { amount: '62.81' },
      agrees: false,
    });
    expect(run?.entries).toContainEqual({
      class: 'unknown_debit',
      direction: 'debit',
      entries: 1,
      money: { amount: '-9.99', currency: 'USD', amountMinor: '-999' },
    });
    expect(run?.findings).toEqual([
      {
        class: 'payout_not_received',
        items: 1,
        money: { amount: '-24.00', currency: 'USD', amountMinor: '-2400' },
      },
      {
        class: 'balance_mismatch',
        items: 1,
        money: { amount: '10.00', currency: 'USD', amountMinor: '1000' },
      },
    ]);
    const text = renderBankRun(outcome, palette(false));
    expect(text).toContain('dates: booking days');
    expect(text).toMatch(/unknown_debit\s+debit\s+1\s+-9\.99\s+USD/);
    expect(text).toContain('differs');
    expect(text).not.toContain('\u2212');
    const report = await reconcileReport(new SqliteReconcileReads(db), BigInt(outcome.run.id));
    expect(() =>
      contractJson(reconcileReportSchema, JSON.parse(toJson(reportJson(report))) as never),
    ).not.toThrow();
    const reportText = renderReport(report, palette(false));
    for (const shown of [
      'amount_mismatch',
      'bank_fee',
      'unknown_debit',
      'payout_not_received',
      'balance_mismatch',
    ])
      expect(reportText).toContain(shown);
    // The listing reads bank items like PSP items.
    const asOf = '2026-12-02T00:00:00.000Z';
    const items = await listItems(new SqliteReconcileReads(db), { all: false }, Date.parse(asOf));
    expect(
      items
        .filter((item) => item.psp === 'bank')
        .map((item) => item.class)
        .sort(),
    ).toEqual(['amount_mismatch', 'balance_mismatch', 'payout_not_received', 'unknown_debit']);
    const parsed = reconcileItemsSchema.safeParse(
      JSON.parse(
        JSON.stringify(itemsJson(items, asOf), (_k, v: unknown) =>
          typeof v === 'bigint' ? v.toString() : v,
        ),
      ),
    );
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(itemsCsv(items).trim().split('\n')).toHaveLength(items.length + 1);
  });
});

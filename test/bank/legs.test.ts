import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { payoutLegs } from '../../src/bank/legs.js';
import { SqliteBankReads } from '../../src/bank/sqlite-bank-reads.js';
import { PLAIN } from '../../src/output/palette.js';
import type { Database } from '../../src/db/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { sqliteBankLeg } from '../../src/bank/sqlite-bank-stores.js';
import { payoutLegsCsv, payoutLegsJson, renderPayoutLegs } from '../../src/reports/payout-legs.js';
import { payops } from '../helpers/cli.js';
import { type TestBook, capture, lined, payout, tempBook } from '../reconcile/book.js';
import { BankBook } from './decide-book.js';

/**
 * Three batches of sim (po_1 received, po_2 received short and the rest accepted, po_3 not received
 * past due) and two seller payouts (pay_1 linked from an unknown debit, pay_2 still in transit).
 */
async function threeLegs(db: Database, book: TestBook): Promise<void> {
  await book.charge([
    ['ord_1', '10.00'],
    ['ord_2', '20.00'],
    ['ord_3', '30.00'],
  ]);
  const rows = [
    capture('ord_1', 1000n, { batchId: 'po_1' }),
    capture('ord_2', 2000n, { batchId: 'po_2' }),
    capture('ord_3', 3000n, { batchId: 'po_3' }),
  ];
  await book.reconcile(
    'day.csv',
    lined([...rows, payout('po_1', rows), payout('po_2', rows), payout('po_3', rows)]),
  );
  const bank = new BankBook(db);
  bank.statement();
  bank.received('sim', 'po_1', 970n);
  const short = bank.amountMismatch('sim', 'po_2', 1970n, 1950n);
  bank.notReceived('psp-payout:sim:po_3:USD', 2970n);
  bank.sellerPayout('pay_1', 4000n);
  bank.sellerPayout('pay_2', 1500n, '2026-11-25T10:00:00.000Z');
  const debit = bank.unknownDebit(4000n);
  const decisions = sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null }, [
    sqliteBankLeg(db),
  ]);
  decisions.decide(short.itemId, 'accept');
  decisions.decide(debit.itemId, 'link', { linkTo: 'pay_1' });
}

describe('reconcile payouts: the three legs per payout', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await threeLegs(db, book);
  });
  afterEach(() => cleanup());

  it('puts books, PSP and bank side by side with a status per payout', async () => {
    const report = await payoutLegs(new SqliteBankReads(db));
    expect(
      report.lines.map((line) => [
        line.kind,
        line.payout,
        line.booksMinor,
        line.pspMinor,
        line.bank?.amountMinor ?? null,
        line.differenceMinor,
        line.inTransitMinor,
        line.status,
      ]),
    ).toEqual([
      ['psp_payout', 'po_1', 970n, 970n, 970n, 0n, 0n, 'received'],
      ['psp_payout', 'po_2', 1970n, 1970n, 1950n, 20n, 0n, 'short'],
      ['psp_payout', 'po_3', 2970n, 2970n, null, 0n, 2970n, 'not received past due'],
      ['seller_payout', 'pay_1', 4000n, 4000n, 4000n, 0n, 0n, 'received'],
      ['seller_payout', 'pay_2', 1500n, 1500n, null, 0n, 1500n, 'in transit'],
    ]);
    expect(report.lines[0]?.bank).toEqual({
      amountMinor: 970n,
      bookingDate: '2026-11-25',
      source: 'stmt-1.xml:13',
    });
    expect(report.lines[3]?.pspReference).toBe('tr_pay_1');
    expect(report.lines[2]?.openItemId).toMatch(/^rm_[0-9a-f]{12}$/);
    expect(
      report.totals.map((total) => [
        total.kind,
        total.currency,
        total.payouts,
        total.booksMinor,
        total.bankMinor,
        total.inTransitMinor,
      ]),
    ).toEqual([
      ['psp_payout', 'USD', 3, 5910n, 2920n, 2970n],
      ['seller_payout', 'USD', 2, 5500n, 4000n, 1500n],
    ]);
  });

  it('--open keeps what is still in transit; --psp filters', async () => {
    expect(
      (await payoutLegs(new SqliteBankReads(db), { openOnly: true })).lines.map(
        (line) => line.payout,
      ),
    ).toEqual(['po_3', 'pay_2']);
    expect((await payoutLegs(new SqliteBankReads(db), { psp: 'other' })).lines).toEqual([]);
    expect(
      renderPayoutLegs(
        await payoutLegs(new SqliteBankReads(db), { psp: 'other', openOnly: true }),
        PLAIN,
      ),
    ).toContain('nothing in transit');
  });

  it('the CSV has one row per payout and sums to the JSON totals; the text says its date basis', async () => {
    const report = await payoutLegs(new SqliteBankReads(db));
    const json = payoutLegsJson(report);
    expect(json.dateBasis).toBe('settled');
    expect(json.payouts[0]?.books).toEqual({ amount: '9.70', currency: 'USD', amountMinor: '970' });
    const rows = parse(payoutLegsCsv(report), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    const cents = (value: string | undefined) =>
      value === undefined || value === '' ? 0n : BigInt(value.replace('.', ''));
    for (const total of json.totals) {
      const mine = rows.filter((row) => row.kind === total.kind && row.currency === total.currency);
      for (const [column, key] of [
        ['books', 'books'],
        ['psp_amount', 'psp'],
        ['bank_amount', 'bank'],
        ['difference', 'difference'],
        ['in_transit', 'inTransit'],
      ] as const) {
        expect(mine.reduce((sum, row) => sum + cents(row[column]), 0n)).toBe(
          BigInt(total[key].amountMinor),
        );
      }
    }
    const text = renderPayoutLegs(report, PLAIN);
    expect(text).toMatch(/^Three legs per payout \(date basis: settled/);
    expect(text).toMatch(
      /psp-payout\s+sim\s+po_2\s+USD\s+19\.70\s+19\.70\s+2026-11-23\s+19\.50\s+2026-11-25\s+stmt-1\.xml:\d+\s+0\.00\s+short/,
    );
    expect(text).toContain(
      'total seller-payout USD: 2 payouts, books 55.00, psp 55.00, bank 40.00, difference 0.00, in transit 15.00',
    );
  });

  it('runs through the binary: --json follows its schema, --csv and --json together are refused', () => {
    const file = path.join(book.dir, 'test.db');
    db.close();
    const json = payops(['--db', file, 'reconcile', 'payouts', '--open', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      open: boolean;
      payouts: { payout: string; status: string }[];
    };
    expect([parsed.open, parsed.payouts.map((line) => [line.payout, line.status])]).toEqual([
      true,
      [
        ['po_3', 'not received past due'],
        ['pay_2', 'in transit'],
      ],
    ]);
    const csv = payops(['--db', file, 'reconcile', 'payouts', '--csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'kind,psp,payout,currency,books,psp_amount,psp_at,psp_reference,bank_amount,bank_booking_date,bank_entry,difference,in_transit,status,open_item_id',
    );
    expect(payops(['--db', file, 'reconcile', 'payouts', '--csv', '--json']).code).toBe(2);
  });
});

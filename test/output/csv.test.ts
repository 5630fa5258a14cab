import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { toCurrency } from '../../src/money/index.js';
import { amount, count, csvTable, text } from '../../src/output/csv.js';
import { REPO_ROOT, payops, tempDirPerTest } from '../helpers/cli.js';

const USD = toCurrency('USD');
const JPY = toCurrency('JPY');

describe('csvTable: the CSV rules of docs/OUTPUT.md', () => {
  it("writes one snake_case header, amounts in the currency's exponent, empty cells for null", () => {
    expect(
      csvTable(
        ['order_id', 'currency', 'amount', 'attempts'],
        [
          [text('o1'), text('USD'), amount(-1805n, USD), count(2)],
          [text('o2'), text('JPY'), amount(null, JPY), count(0)],
        ],
      ),
    ).toBe('order_id,currency,amount,attempts\no1,USD,-18.05,2\no2,JPY,,0\n');
  });

  it('neutralizes text a spreadsheet would run as a formula, and quotes commas', () => {
    expect(csvTable(['last_error'], [[text('=HYPERLINK("x")')], [text('a, b')]])).toBe(
      'last_error\n"\'=HYPERLINK(""x"")"\n"a, b"\n',
    );
  });

  it('refuses a column that is not snake_case and a row of the wrong width (programmer errors)', () => {
    expect(() => csvTable(['orderId'], [])).toThrow(/snake_case/);
    expect(() => csvTable(['a', 'b'], [[text('x')]])).toThrow(/1 cells for 2 columns/);
  });
});

describe('listings as CSV (end to end)', () => {
  const temp = tempDirPerTest('payops-csv-');
  let db: string;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  beforeEach(() => {
    db = path.join(temp.dir, 'books.db');
    run('init');
  });

  it('prints the header alone for an empty listing, and says so in text', () => {
    expect(run('orders', 'list', '--csv').stdout).toBe(
      'order_id,event_id,seller_id,currency,amount,platform_fee,psp_fee,status,attempts,psp,psp_reference,last_error,next_attempt_at,updated_at\n',
    );
    expect(run('payout', 'list', '--csv').stdout).toMatch(
      /^payout_id,seller_id,currency,amount,status,/,
    );
    expect(run('chargebacks', 'list', '--csv').stdout).toBe(
      'dispute_id,order_id,currency,amount,dispute_fee,seller_share,disputed_at\n',
    );
    expect(run('attention', 'list', '--csv').stdout).toMatch(
      /^kind,item_id,psp,answer_status,psp_reference,currency,amount,psp_fee,/,
    );
    expect(run('orders', 'list', '--status', 'pending').stdout).toBe(
      'no orders in status pending\n',
    );
  });

  it('writes one row per order with its amounts, and refuses --json with --csv (exit 2)', () => {
    run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'small.json'));
    const rows = run('orders', 'list', '--csv').stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(11);
    expect(
      rows.slice(1).every((row) => /^[^,]+,[^,]+,[^,]+,(USD|EUR|JPY),\d+(\.\d+)?,/.test(row)),
    ).toBe(true);
    expect(run('orders', 'list', '--csv', '--json').code).toBe(2);
  });
});

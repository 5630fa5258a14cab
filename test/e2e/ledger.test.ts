import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';
import { flatMoney, flatMoneyRows } from '../helpers/money-json.js';

const DEMO_DAY = path.join(REPO_ROOT, 'fixtures', 'ledger', 'demo-day.ndjson');

describe('payops ledger (end to end)', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
  });
  afterEach(() => cleanup());

  it('posts a file once; the same file again posts nothing', () => {
    expect(run('ledger', 'post', '--file', DEMO_DAY)).toMatchObject({
      code: 0,
      stdout: 'posted 9 transactions\n',
    });
    const again = run('ledger', 'post', '--file', DEMO_DAY, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ posted: 0, alreadyPosted: 9 });
  });

  it('ledger balance with no rows says why: an empty ledger, an --account that matched nothing, or all at zero', () => {
    expect(run('ledger', 'balance').stdout).toBe('no balances (the ledger is empty)\n');
    expect(run('ledger', 'balance', '--account', 'assets').stdout).toBe(
      'no balances (the ledger is empty)\n',
    );
    run('ledger', 'post', '--file', DEMO_DAY);
    expect(run('ledger', 'balance', '--account', 'assets:nowhere').stdout).toBe(
      'no balances: no account matches --account assets:nowhere\n',
    );
    expect(
      run('ledger', 'balance', '--account', 'assets:nowhere', '--as-of', '2026-11-23').stdout,
    ).toBe(
      'no balances as of 2026-11-23T23:59:59.999Z: no account matches --account assets:nowhere\n',
    );
    expect(run('ledger', 'balance', '--as-of', '2000-01-01').stdout).toBe(
      'no balances as of 2000-01-01T23:59:59.999Z: every account was at zero (--empty lists them)\n',
    );
  });

  it("reports balances as JSON: signed decimal strings in each account's normal direction", () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    const result = run('ledger', 'balance', '--json');
    expect(result.code).toBe(0);
    expect(flatMoneyRows(JSON.parse(result.stdout), 'balance')).toEqual([
      { account: 'assets:bank:operating', currency: 'USD', balance: '4998.47' },
      { account: 'assets:psp:sim:receivable', currency: 'EUR', balance: '10.00' },
      { account: 'assets:psp:sim:receivable', currency: 'JPY', balance: '1500' },
      { account: 'equity:opening', currency: 'USD', balance: '5000.00' },
      { account: 'expenses:psp-fees', currency: 'USD', balance: '1.03' },
      { account: 'expenses:reconciliation:adjustments', currency: 'USD', balance: '3.00' },
      { account: 'liabilities:sellers:seller_7:pending', currency: 'JPY', balance: '1350' },
      { account: 'liabilities:sellers:seller_9:pending', currency: 'EUR', balance: '9.00' },
      { account: 'revenue:platform-fees', currency: 'EUR', balance: '1.00' },
      { account: 'revenue:platform-fees', currency: 'JPY', balance: '150' },
      { account: 'revenue:platform-fees', currency: 'USD', balance: '2.50' },
    ]);
  });

  it('answers balances as of a past day, counting a settlement that was posted later but backdated', () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    const result = run(
      'ledger',
      'balance',
      '--as-of',
      '2026-11-23',
      '--account',
      'assets',
      '--json',
    );
    expect(flatMoneyRows(JSON.parse(result.stdout), 'balance')).toEqual([
      { account: 'assets:bank:operating', currency: 'USD', balance: '5023.97' },
      { account: 'assets:psp:sim:receivable', currency: 'EUR', balance: '10.00' },
    ]);
    expect(JSON.parse(run('ledger', 'balance', '--as-of', '2026-11-21', '--json').stdout)).toEqual(
      [],
    );
  });

  it('prints balances as CSV and as an aligned table with the currency beside each amount', () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    const csv = run('ledger', 'balance', '--csv', '--account', 'revenue');
    expect(csv.stdout).toBe(
      'account,currency,balance\nrevenue:platform-fees,EUR,1.00\nrevenue:platform-fees,JPY,150\nrevenue:platform-fees,USD,2.50\n',
    );
    const table = run('ledger', 'balance', '--depth', '1').stdout.split('\n');
    expect(table[0]).toMatch(/^account\s+balance\s+currency$/);
    expect(table).toContain('assets       4998.47  USD');
    expect(table).toContain('assets          1500  JPY');
  });

  it("shows an account's history with running balances and one transaction in full", () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    const history = JSON.parse(
      run('ledger', 'history', 'assets:bank:operating', '--json').stdout,
    ) as { lines: { txId: number; balance: { amount: string } }[] };
    expect(history.lines.map((line) => [line.txId, line.balance.amount])).toEqual([
      [1, '5000.00'],
      [9, '5023.97'],
      [6, '5020.97'],
      [8, '4998.47'],
    ]);
    const tx = JSON.parse(run('ledger', 'tx', '2', '--json').stdout) as {
      kind: string;
      entries: unknown[];
      hash: string;
    };
    expect(tx.kind).toBe('example.capture');
    expect(
      tx.entries.map((entry) => flatMoney(entry as Record<string, unknown>, 'debit', 'credit')),
    ).toEqual([
      { account: 'assets:psp:sim:receivable', currency: 'USD', debit: '25.00', credit: null },
      {
        account: 'liabilities:sellers:seller_7:pending',
        currency: 'USD',
        debit: null,
        credit: '22.50',
      },
      { account: 'revenue:platform-fees', currency: 'USD', debit: null, credit: '2.50' },
    ]);
    expect(run('ledger', 'tx', '2').stdout).toMatch(/transaction 2 {2}example\.capture/);
  });

  it('exits 3 on a reused key with different content, keeping the original', () => {
    const first = write(
      'a.ndjson',
      '{"idempotencyKey":"k","description":"x","effectiveAt":"2026-11-23","entries":[{"account":"assets:bank","currency":"USD","debit":"1.00"},{"account":"equity:opening","currency":"USD","credit":"1.00"}]}\n',
    );
    const second = write(
      'b.ndjson',
      '{"idempotencyKey":"k","description":"x","effectiveAt":"2026-11-23","entries":[{"account":"assets:bank","currency":"USD","debit":"2.00"},{"account":"equity:opening","currency":"USD","credit":"2.00"}]}\n',
    );
    expect(run('ledger', 'post', '--file', first).code).toBe(0);
    const conflict = run('ledger', 'post', '--file', second);
    expect(conflict.code).toBe(3);
    expect(conflict.stderr).toMatch(
      /b\.ndjson:1: idempotency key "k" was already used by transaction 1 with different content/,
    );
    expect(flatMoney(JSON.parse(run('ledger', 'balance', '--json').stdout)[0], 'balance')).toEqual({
      account: 'assets:bank',
      currency: 'USD',
      balance: '1.00',
    });
  });

  it.each([
    [
      'a JSON number for money',
      '"debit":1.5',
      /entries\[0\]\.debit: amounts must be decimal strings/,
    ],
    ['too many decimals', '"debit":"1.005"', /has more decimals than USD allows \(2\)/],
    ['a negative amount', '"debit":"-1.00"', /must be greater than zero/],
  ])('names the file, line and field for %s, and writes nothing', (_name, debit, message) => {
    const good =
      '{"idempotencyKey":"ok","effectiveAt":"2026-11-23","entries":[{"account":"assets:bank","currency":"USD","debit":"1.00"},{"account":"equity:opening","currency":"USD","credit":"1.00"}]}';
    const bad = `{"idempotencyKey":"bad","effectiveAt":"2026-11-23","entries":[{"account":"assets:bank","currency":"USD",${debit}},{"account":"equity:opening","currency":"USD","credit":"1.00"}]}`;
    const file = write('mixed.ndjson', `${good}\n\n${bad}\n`);
    const result = run('ledger', 'post', '--file', file);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${file}:3 entries[0]`);
    expect(result.stderr).toMatch(message);
    expect(JSON.parse(run('ledger', 'balance', '--json').stdout)).toEqual([]);
  });

  it('refuses a hand-posted transaction of a kind the payment pipeline owns', () => {
    const file = write(
      'forged.ndjson',
      '{"idempotencyKey":"f","kind":"payin.capture","effectiveAt":"2026-11-23","entries":[{"account":"assets:bank","currency":"USD","debit":"1.00"},{"account":"equity:opening","currency":"USD","credit":"1.00"}]}\n',
    );
    const result = run('ledger', 'post', '--file', file);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/kind: "payin\.capture" is reserved for payops' own payin flow/);
  });

  it('reverses by idempotency key as well as by id', () => {
    run(
      'ledger',
      'post',
      '--file',
      path.join(REPO_ROOT, 'fixtures', 'ledger', 'operator-entries.ndjson'),
    );
    expect(
      run('ledger', 'reverse', '--key', 'bank-charges-2026-11-23-again', '--reason', 'twice'),
    ).toMatchObject({ code: 0, stdout: 'transaction 3 reversed by transaction 4\n' });
    expect(run('ledger', 'reverse', '--key', 'nope', '--reason', 'x').code).toBe(2);
    expect(run('ledger', 'reverse', '--reason', 'x').code).toBe(2);
  });

  it('reverses a transaction and refuses a second reversal', () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    expect(run('ledger', 'reverse', '6', '--reason', 'entered twice')).toMatchObject({
      code: 0,
      stdout: 'transaction 6 reversed by transaction 10\n',
    });
    const twice = run('ledger', 'reverse', '6', '--reason', 'again');
    expect(twice.code).toBe(3);
    expect(twice.stderr).toMatch(/already reversed by transaction 10/);
    const adjustments = JSON.parse(
      run('ledger', 'balance', '--account', 'expenses:reconciliation', '--json').stdout,
    );
    expect(adjustments).toEqual([]);
  });

  it('verifies an intact ledger and exits 5, naming the transaction, after a row is edited behind the triggers', () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    expect(run('ledger', 'verify')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^ledger OK: 9 transactions, 21 entries/),
    });

    const raw = new Sqlite(db);
    raw.exec('DROP TRIGGER ledger_entries_no_update');
    raw
      .prepare(
        "UPDATE ledger_entries SET amount_minor = 2600 WHERE tx_id = 2 AND direction = 'debit'",
      )
      .run();
    raw.close();

    const result = run('ledger', 'verify');
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/ledger FAILED verification/);
    expect(result.stdout).toMatch(/tx 2: /);
    expect(result.stderr).toMatch(/^payops: ledger verification failed at transaction 2: /);
    const json = JSON.parse(run('ledger', 'verify', '--json').stdout) as {
      ok: boolean;
      problems: { txId: number }[];
    };
    expect(json.ok).toBe(false);
    expect(json.problems[0]?.txId).toBe(2);
  });

  it('exports to a file readable by its owner only', () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    for (const format of ['hledger', 'beancount', 'csv']) {
      const out = path.join(dir, `books.${format}`);
      const result = run('ledger', 'export', '--format', format, '--out', out);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(`exported 9 transactions to ${out}\n`);
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    }
    expect(run('ledger', 'export', '--format', 'xml').code).toBe(2);
  });

  it('lists accounts with type, entry count and balance', () => {
    run('ledger', 'post', '--file', DEMO_DAY);
    const accounts = flatMoneyRows(
      JSON.parse(run('ledger', 'accounts', '--account', 'liabilities', '--json').stdout),
      'balance',
    );
    expect(accounts).toEqual([
      expect.objectContaining({
        account: 'liabilities:sellers:seller_7:payable',
        currency: 'USD',
        type: 'liability',
        entries: 2,
        balance: '0.00',
      }),
      expect.objectContaining({
        account: 'liabilities:sellers:seller_7:pending',
        currency: 'JPY',
        entries: 1,
        balance: '1350',
      }),
      expect.objectContaining({
        account: 'liabilities:sellers:seller_7:pending',
        currency: 'USD',
        entries: 2,
        balance: '0.00',
      }),
      expect.objectContaining({
        account: 'liabilities:sellers:seller_9:pending',
        currency: 'EUR',
        entries: 1,
        balance: '9.00',
      }),
    ]);
  });

  it('runs the demo end to end', () => {
    const result = payops(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok {4}ledger balanced and hash chain intact/);
    expect(result.stdout).not.toMatch(/FAIL/);
    expect(result.stdout).toMatch(/demo complete/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';
import { tempDatabase } from '../helpers/db.js';
import { verifyBooks } from '../helpers/check.js';

const USD = toCurrency('USD');

/** What someone with write access to the file could do after dropping payops' triggers. */
function dropTriggers(db: Database): void {
  for (const name of [
    'ledger_transactions_no_update',
    'ledger_transactions_no_delete',
    'ledger_entries_no_update',
    'ledger_entries_no_delete',
  ]) {
    db.exec(`DROP TRIGGER ${name}`);
  }
}

describe('verifyLedger', () => {
  let db: Database;
  let cleanup: () => void;

  beforeEach(() => {
    ({ db, cleanup } = tempDatabase());
    const ledger = new Ledger(db);
    for (let i = 1; i <= 5; i++) {
      ledger.post({
        idempotencyKey: `k${i}`,
        kind: 'manual',
        description: `tx ${i}`,
        effectiveAt: `2026-11-2${i}T10:00:00Z`,
        entries: [
          {
            account: 'assets:bank:operating',
            currency: USD,
            direction: 'debit',
            amountMinor: BigInt(i * 100),
          },
          {
            account: 'equity:opening',
            currency: USD,
            direction: 'credit',
            amountMinor: BigInt(i * 100),
          },
        ],
      });
    }
  });
  afterEach(() => cleanup());

  it('accepts an untouched ledger and reports its head hash', async () => {
    const report = await verifyBooks(db);
    expect(report).toMatchObject({
      ok: true,
      transactionsChecked: 5,
      entriesChecked: 10,
      accountsChecked: 2,
      problems: [],
    });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the transaction whose entry amount was edited', async () => {
    dropTriggers(db);
    db.prepare(
      'UPDATE ledger_entries SET amount_minor = 999 WHERE tx_id = 3 AND direction = ?',
    ).run('debit');
    const report = await verifyBooks(db);
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.txId).toBe(3);
    expect(report.problems.map((p) => p.problem).join('\n')).toMatch(
      /debits and credits differ|content does not match/,
    );
  });

  it('catches a balanced edit of both sides (the hash does not match)', async () => {
    dropTriggers(db);
    db.prepare('UPDATE ledger_entries SET amount_minor = 1 WHERE tx_id = 2').run();
    const report = await verifyBooks(db);
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.txId).toBe(2);
  });

  it('catches an edited description', async () => {
    dropTriggers(db);
    db.prepare("UPDATE ledger_transactions SET description = 'nothing to see' WHERE id = 4").run();
    expect((await verifyBooks(db)).problems[0]).toMatchObject({
      txId: 4,
      problem: expect.stringMatching(/content does not match/),
    });
  });

  it('catches a rewritten content hash through the chain', async () => {
    dropTriggers(db);
    db.prepare(
      "UPDATE ledger_transactions SET description = 'x', body_hash = 'ab' WHERE id = 2",
    ).run();
    const report = await verifyBooks(db);
    expect(report.problems.some((p) => p.txId === 2 && /chain hash/.test(p.problem))).toBe(true);
  });

  it('catches a removed transaction', async () => {
    dropTriggers(db);
    db.pragma('foreign_keys = OFF');
    db.prepare('DELETE FROM ledger_entries WHERE tx_id = 3').run();
    db.prepare('DELETE FROM ledger_transactions WHERE id = 3').run();
    const report = await verifyBooks(db);
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.txId).toBe(4);
  });

  it('catches an entry slipped into an old transaction (inserts are not blocked by triggers)', async () => {
    const account = db
      .prepare("SELECT id FROM ledger_accounts WHERE name = 'assets:bank:operating'")
      .get() as { id: bigint };
    db.prepare(
      `INSERT INTO ledger_entries (tx_id, account_id, direction, amount_minor, effective_at, backdated, running_balance_minor)
       VALUES (2, ?, 'debit', 5, '2026-11-22T10:00:00.000Z', 0, 0)`,
    ).run(account.id);
    const report = await verifyBooks(db);
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.txId).toBe(2);
  });

  it('catches a stored account balance that disagrees with its entries', async () => {
    db.prepare(
      "UPDATE ledger_accounts SET balance_minor = balance_minor + 1 WHERE name = 'equity:opening'",
    ).run();
    const report = await verifyBooks(db);
    expect(report.problems).toEqual([
      expect.objectContaining({
        txId: null,
        problem: expect.stringMatching(/equity:opening USD stores balance/),
      }),
    ]);
  });
});

describe("an account's type is the one its name gives (issue 14, item 6)", () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => {
    ({ db, cleanup } = tempDatabase());
    new Ledger(db).post({
      idempotencyKey: 'k1',
      kind: 'manual',
      description: 'opening',
      effectiveAt: '2026-11-21T10:00:00Z',
      entries: [
        { account: 'assets:bank:operating', currency: USD, direction: 'debit', amountMinor: 100n },
        { account: 'equity:opening', currency: USD, direction: 'credit', amountMinor: 100n },
      ],
    });
  });
  afterEach(() => cleanup());

  it('the schema refuses to flip a type, to create an account with the wrong type, or to delete one', async () => {
    expect(() =>
      db
        .prepare(
          "UPDATE ledger_accounts SET type = 'liability' WHERE name = 'assets:bank:operating'",
        )
        .run(),
    ).toThrow('ledger_accounts type is immutable');
    expect(() =>
      db
        .prepare(
          "UPDATE ledger_accounts SET name = 'liabilities:bank' WHERE name = 'assets:bank:operating'",
        )
        .run(),
    ).toThrow('ledger_accounts name is immutable');
    expect(() =>
      db
        .prepare(
          "INSERT INTO ledger_accounts (name, currency, type, created_at) VALUES ('assets:cash', 'USD', 'liability', 'x')",
        )
        .run(),
    ).toThrow('ledger_accounts type must be the one its name gives');
    expect(() =>
      db.prepare("DELETE FROM ledger_accounts WHERE name = 'equity:opening'").run(),
    ).toThrow('ledger_accounts rows are never deleted');
    expect((await verifyBooks(db)).ok).toBe(true);
  });

  it('with the trigger dropped, verify names the account whose type disagrees with its name', async () => {
    db.exec('DROP TRIGGER ledger_accounts_birth_fields_immutable');
    db.prepare(
      "UPDATE ledger_accounts SET type = 'liability' WHERE name = 'assets:bank:operating'",
    ).run();
    expect(await verifyBooks(db)).toMatchObject({
      ok: false,
      problems: [
        {
          txId: null,
          problem:
            'account assets:bank:operating USD has type liability, but its name makes it an asset: every report shows it with the wrong sign',
        },
      ],
    });
  });
});

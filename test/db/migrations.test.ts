import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/check.js';
import { runChecksWithPsp } from '../../src/check/with-psp.js';
import { SqliteCheckSource } from '../../src/check/sqlite-check-source.js';
import { verifyBooks } from '../helpers/check.js';
import { type Database, SCHEMA_VERSION, migrate, openDatabase } from '../../src/db/index.js';
import {
  Ledger,
  accountHistory,
  balances,
  exportJournal,
  readPostingFile,
} from '../../src/ledger/index.js';
import { SqliteLedgerReads } from '../../src/ledger/sqlite-ledger-reads.js';
import { runPayin } from '../../src/work/executors/payin.js';
import { listOrders, showOrder } from '../../src/payments/queries.js';
import { SqliteOrderReads, statusCounts } from '../../src/payments/sqlite-order-reads.js';
import { listPayouts, sellerReports } from '../../src/payouts/queries.js';
import { SqlitePayoutsStore } from '../../src/payouts/sqlite-payouts-store.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { SimPsp } from '../../src/psp/sim/adapter.js';
import { DEFAULT_FEE_RULE } from '../../src/psp/fee-rule.js';
import { parseFaults } from '../../src/psp/sim/faults.js';
import { dailyReport } from '../../src/reports/daily.js';
import { SqliteReportStore } from '../../src/reports/sqlite-report-store.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';
import { postBook } from '../helpers/book.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

const EVENTS = path.join(REPO_ROOT, 'fixtures', 'events');
const POLICY = { baseMs: 1, capMs: 1, maxAttempts: 3 };
const BIRTH_COLUMNS = ['orders', 'refunds'];
const AS_OF = ['2026-02-15T00:00:00.000Z', '2026-11-23T12:00:00.000Z', '2027-01-01T00:00:00.000Z'];

/** Everything a reader of the books can see, through the services the commands call. */
async function snapshot(db: Database, simState: string) {
  const exports: Record<string, string> = {};
  for (const format of ['hledger', 'beancount', 'csv'] as const) {
    let text = '';
    await exportJournal(new SqliteLedgerReads(db), format, (chunk) => (text += chunk));
    exports[format] = text;
  }
  const { ok, results, notes } = await runChecksWithPsp(
    new SqliteCheckSource(db),
    { psp: 'sim', stateFile: simState },
    runChecks,
  );
  return {
    balances: balances(db),
    asOf: AS_OF.map((asOf) => balances(db, { asOf })),
    history: [
      'liabilities:sellers:seller_7:pending',
      'assets:psp:sim:receivable',
      'assets:bank:operating',
    ].map((account) => accountHistory(db, account)),
    exports,
    verify: await verifyBooks(db),
    check: { ok, results, notes },
    orders: await Promise.all(
      (await listOrders(new SqliteOrderReads(db))).map((order) =>
        showOrder(new SqliteOrderReads(db), order.orderId),
      ),
    ),
    statusCounts: statusCounts(db),
    payouts: await listPayouts(new SqlitePayoutsStore(db)),
    sellers: await sellerReports(new SqlitePayoutsStore(db)),
    daily: await dailyReport(new SqliteReportStore(db), '2026-11-23'),
  };
}

describe('migration 8: the same constraints as comparisons', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  /** A database at version 5, the last released schema, opened as payops opens its books. */
  function releasedDatabase(file: string): Sqlite.Database {
    const raw = new Sqlite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    raw.defaultSafeIntegers(true);
    migrate(raw, 5);
    expect(Number(raw.pragma('user_version', { simple: true }))).toBe(5);
    // This payops writes the birth hash of migration 11; the test drops it again before migrating.
    raw.exec(
      BIRTH_COLUMNS.map(
        (table) => `ALTER TABLE ${table} ADD COLUMN birth_hash TEXT NOT NULL DEFAULT ''`,
      ).join(';'),
    );
    return raw;
  }

  /** A version-5 book written by every flow: pay-in with faults, releases, payouts, refunds, operator postings. */
  async function releasedBook(file: string, simState: string): Promise<void> {
    const raw = releasedDatabase(file);
    let now = Date.parse('2026-11-23T10:00:00Z');
    const clock = () => (now += 1_000);
    const psp = new SimPsp({
      stateFile: simState,
      seed: '3',
      faults: parseFaults('decline=0.05,pending=0.05,5xx=0.05'),
      feeRule: DEFAULT_FEE_RULE,
      clock,
    });
    const execution = {
      psp,
      retry: POLICY,
      clock,
      batchSize: 40,
      wait: true,
      sleep: async () => {},
    };
    try {
      for (const file of ['day.ndjson', 'deliveries.ndjson', 'refunds.ndjson']) {
        await runPayin(
          sqliteBook(raw),
          [path.join(EVENTS, file)],
          { rejectsFile: path.join(dir, 'rejects.ndjson') },
          execution,
        );
      }
      await runPayouts(sqliteBook(raw), execution);
      const operator = readPostingFile(
        path.join(REPO_ROOT, 'fixtures', 'ledger', 'operator-entries.ndjson'),
      );
      const ledger = new Ledger(raw);
      const posted = ledger.postBatch(operator.map((posting) => posting.request));
      // Backdated: effective before transactions already posted to the same accounts.
      ledger.reverse((posted[1] as { txId: number }).txId, 'entered twice', '2026-11-20T00:00:00Z');
    } finally {
      psp.close();
      raw.close();
    }
  }

  it('converts a released book without changing anything any reader sees', async () => {
    const file = path.join(dir, 'books.db');
    const simState = path.join(dir, 'books.psp-sim.db');
    await releasedBook(file, simState);

    const raw = new Sqlite(file);
    raw.defaultSafeIntegers(true);
    // Migrations 6 and 7 only add tables (webhooks, reconciliation) that `check` reads: the book as
    // it stands just before migration 8 is what migration 8 must leave unchanged.
    migrate(raw, 7);
    const expected = await snapshot(raw, simState);
    expect(expected.check.ok).toBe(true);
    expect(expected.orders.length).toBeGreaterThan(500);
    expect(expected.payouts.length).toBeGreaterThan(0);
    // As released: no birth hash. Migration 11 computes it again from the fields as they stand.
    for (const table of BIRTH_COLUMNS) raw.exec(`ALTER TABLE ${table} DROP COLUMN birth_hash`);
    raw.close();

    const db = openDatabase(file, { migrate: true });
    try {
      expect(Number(db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
      expect(Number(db.pragma('foreign_keys', { simple: true }))).toBe(1);
      expect(await snapshot(db, simState)).toEqual(expected);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    // The commands read the converted file as they read a fresh one.
    for (const args of [
      ['check'],
      ['ledger', 'verify'],
      ['ledger', 'balance', '--as-of', '2026-11-23'],
      ['ledger', 'history', 'assets:psp:sim:receivable', '--limit', '3'],
    ]) {
      expect(payops([...args, '--db', file]).code, args.join(' ')).toBe(0);
    }
  });

  it('converts a ledger with backdated postings and reversals: verify, as-of, history and exports unchanged', async () => {
    const file = path.join(dir, 'ledger.db');
    const raw = releasedDatabase(file);
    const summary = postBook(raw, { seed: 8, count: 1500, batchSize: 100 });
    expect(summary.backdated).toBeGreaterThan(10);
    expect(summary.reversals).toBeGreaterThan(10);
    const reads = async (db: Database) => {
      const exports: string[] = [];
      for (const format of ['hledger', 'beancount', 'csv'] as const) {
        let text = '';
        await exportJournal(new SqliteLedgerReads(db), format, (chunk) => (text += chunk));
        exports.push(text);
      }
      const asOf = Array.from({ length: 12 }, (_, month) =>
        balances(db, { asOf: new Date(Date.UTC(2026, month, 1)).toISOString() }),
      );
      const history = [
        'assets:bank:operating',
        'liabilities:sellers:seller_12:payable',
        'equity',
      ].map((account) => accountHistory(db, account));
      return { verify: await verifyBooks(db), balances: balances(db), asOf, history, exports };
    };
    const expected = await reads(raw);
    for (const table of BIRTH_COLUMNS) raw.exec(`ALTER TABLE ${table} DROP COLUMN birth_hash`);
    raw.close();
    expect(expected.verify.ok).toBe(true);
    const db = openDatabase(file, { migrate: true });
    try {
      expect(await reads(db)).toEqual(expected);
    } finally {
      db.close();
    }
  });

  it('leaves no IN list of three values or more in the rebuilt constraints, and they still refuse what they refused', () => {
    const db = openDatabase(path.join(dir, 'fresh.db'), { create: true });
    try {
      const definitions = db
        .prepare(
          "SELECT name, sql FROM sqlite_schema WHERE name IN ('events', 'orders', 'payouts', 'refunds', 'payouts_one_open_per_seller')",
        )
        .all() as { name: string; sql: string }[];
      expect(definitions).toHaveLength(5);
      for (const { name, sql } of definitions) expect(sql, name).not.toMatch(/ IN \(/);
      // Every statement that writes those tables now runs without a temporary B-tree.
      const ephemeral = (sql: string) =>
        (db.prepare(`EXPLAIN ${sql}`).all() as { opcode: string }[]).filter(
          (op) => op.opcode === 'OpenEphemeral',
        ).length;
      expect(ephemeral("INSERT INTO events VALUES ('e1', 'pay_in', 'h', 't', 's', 't', 1)")).toBe(
        0,
      );
      expect(ephemeral("UPDATE orders SET status = 'executing' WHERE id = 1")).toBe(0);
      expect(ephemeral("UPDATE payouts SET status = 'succeeded' WHERE id = 1")).toBe(0);
      expect(ephemeral("UPDATE refunds SET status = 'failed' WHERE id = 1")).toBe(0);

      db.prepare("INSERT INTO events VALUES ('e1', 'pay_in', 'h', 't', 's', 't', 1)").run();
      expect(() =>
        db.prepare("INSERT INTO events VALUES ('e2', 'payin', 'h', 't', 's', 't', 1)").run(),
      ).toThrow(/CHECK constraint failed/);
      db.prepare(
        `INSERT INTO orders (order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, metadata, psp, charge_key, status, created_at, updated_at)
         VALUES ('o1', 'e1', 'b', 's', 'USD', 100, 0, 'tok', '{}', 'sim', 'k', 'created', 't', 't')`,
      ).run();
      expect(() =>
        db.prepare("UPDATE orders SET status = 'done' WHERE order_id = 'o1'").run(),
      ).toThrow(/CHECK constraint failed/);
      for (const status of [
        'executing',
        'succeeded',
        'pending',
        'failed',
        'retry_scheduled',
        'dead_lettered',
        'created',
      ]) {
        db.prepare('UPDATE orders SET status = ? WHERE order_id = ?').run(status, 'o1');
      }
      expect(() =>
        db
          .prepare(
            "INSERT INTO orders (order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, metadata, psp, charge_key, status, created_at, updated_at) VALUES ('o2', 'nope', 'b', 's', 'USD', 100, 0, 'tok', '{}', 'sim', 'k', 'created', 't', 't')",
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
      const payout = (id: string, status: string) =>
        db
          .prepare(
            `INSERT INTO payouts (payout_id, seller_id, currency, amount_minor, payout_key, psp, destination, status, created_at, updated_at) VALUES (?, 's1', 'USD', 100, 'k', 'sim', 'iban', ?, 't', 't')`,
          )
          .run(id, status);
      payout('po1', 'succeeded');
      payout('po2', 'created');
      expect(() => payout('po3', 'retry_scheduled')).toThrow(/UNIQUE constraint failed/); // one open payout per seller and currency
      expect(() => payout('po4', 'sent')).toThrow(/CHECK constraint failed/);
    } finally {
      db.close();
    }
  });

  it('rolls back whole when a rebuilt table would break a reference', () => {
    const file = path.join(dir, 'broken.db');
    const raw = new Sqlite(file);
    migrate(raw, 5);
    // An orphan written with enforcement off: the migration's reference check must refuse to commit.
    raw.pragma('foreign_keys = OFF');
    raw
      .prepare(
        "INSERT INTO order_transitions (order_id, from_status, to_status, attempt, at, cause) VALUES (99, NULL, 'created', 0, 't', 'orphan')",
      )
      .run();
    raw.close();
    expect(() => openDatabase(file, { migrate: true })).toThrow(/broken references/);
    const after = new Sqlite(file, { readonly: true });
    expect(Number(after.pragma('user_version', { simple: true }))).toBe(5);
    expect(
      after.prepare("SELECT sql FROM sqlite_schema WHERE name = 'orders'").pluck().get() as string,
    ).toMatch(/status IN \(/);
    after.close();
    expect(fs.existsSync(file)).toBe(true);
  });
});

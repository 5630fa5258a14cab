import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAYOPS_APPLICATION_ID, SCHEMA_VERSION } from '../../src/db/index.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';

/**
 * Issue 14, items 5, 6 and 7 through the real binary: files payops refuses keep every byte;
 * orders and account types changed behind the schema's triggers make `check` and `ledger verify`
 * fail (exit 5), naming what was changed.
 */
const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');

function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function sql(file: string, work: (db: Sqlite.Database) => void): void {
  const db = new Sqlite(file);
  try {
    work(db);
  } finally {
    db.close();
  }
}

describe('hostile and foreign files (end to end)', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const run = (...args: string[]) => payops([...args, '--db', db]);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
  });
  afterEach(() => cleanup());

  /** The command is refused with `exit` and the file keeps every byte: no WAL switch, no -wal beside it. */
  const expectRefusedUntouched = (
    file: string,
    exit: number,
    message: string,
    ...args: string[]
  ) => {
    const before = digest(file);
    const result = payops([...args, '--db', file]);
    expect(result.code, result.stderr).toBe(exit);
    expect(result.stderr).toContain(message);
    expect(digest(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  };

  it('a payops book of a newer schema version in rollback mode is refused and left as it was', () => {
    sql(db, (handle) => {
      handle.exec('CREATE TABLE ledger_accounts (id INTEGER PRIMARY KEY)');
      handle.pragma(`application_id = ${PAYOPS_APPLICATION_ID}`);
      handle.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    });
    for (const args of [['init'], ['check'], ['ledger', 'verify'], ['payin', 'run', DAY]]) {
      expectRefusedUntouched(db, 1, 'newer than this payops understands', ...args);
    }
  });

  it("another program's database is refused (exit 2) by every command, init included, and left as it was", () => {
    sql(db, (handle) =>
      handle.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada')"),
    );
    for (const args of [['init'], ['check'], ['ledger', 'balance']]) {
      expectRefusedUntouched(
        db,
        2,
        `database ${db} is not a payops database: it holds another program's tables (people)`,
        ...args,
      );
    }
  });

  it('init on a foreign database with a clashing orders table refuses instead of failing half-way', () => {
    sql(db, (handle) => handle.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)'));
    expectRefusedUntouched(db, 2, 'is not a payops database', 'init');
  });

  /** Refused with exit 2 and every byte kept: content, mode, no -wal (issue 14 review, item 6). */
  const expectInitRefusedKeepingMode = (file: string, message: string): void => {
    fs.chmodSync(file, 0o644);
    expectRefusedUntouched(file, 2, message, 'init');
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
  };

  it('init on a file with a payops table name, an old schema version and a table of its own is refused, untouched', () => {
    sql(db, (handle) =>
      handle.exec(
        'PRAGMA user_version = 3; CREATE TABLE ledger_accounts (x); CREATE TABLE mydata (y)',
      ),
    );
    expectInitRefusedKeepingMode(db, `database ${db} is not a payops database`);
  });

  it('init on a file claiming a schema version that sets the id (12) without it is refused, untouched', () => {
    sql(db, (handle) => handle.exec('PRAGMA user_version = 12; CREATE TABLE ledger_accounts (x)'));
    expectInitRefusedKeepingMode(db, `database ${db} is not a payops database`);
  });

  it("init on a file of payops' table names but other columns is refused, untouched", () => {
    sql(db, (handle) => handle.exec('PRAGMA user_version = 1; CREATE TABLE ledger_accounts (x)'));
    expectInitRefusedKeepingMode(db, `database ${db} is not a payops database`);
  });

  it('init through a dangling symlink is a one-line usage error (exit 2), nothing created', () => {
    const target = path.join(dir, 'gone', 'books.db');
    fs.symlinkSync(target, db);
    const result = payops(['init', '--db', db]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n')[0]).toContain(
      `database ${db} is a symlink to ${target}, which does not exist`,
    );
    expect(result.stderr).not.toContain('EEXIST');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('a file that is not SQLite is refused by init and left as it was', () => {
    fs.writeFileSync(db, 'name,amount\nada,12\n'.repeat(300));
    expectRefusedUntouched(db, 1, 'is not a usable payops database', 'init');
  });

  it("the books given as the simulated PSP's state file are refused, untouched", () => {
    expect(run('init').code).toBe(0);
    const other = path.join(dir, 'other.db');
    expect(payops(['init', '--db', other]).code).toBe(0);
    const before = digest(other);
    const result = run('payin', 'run', DAY, '--psp-state', other);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `${other} is not a simulated PSP state file (it is payops' books)`,
    );
    expect(digest(other)).toBe(before);
  });

  /** sha256, mode and which of -wal, -shm, -journal exist: all must be the same after a refusal. */
  const fingerprint = (file: string) => ({
    sha256: digest(file),
    mode: fs.statSync(file).mode & 0o777,
    sideFiles: ['-wal', '-shm', '-journal'].filter((suffix) => fs.existsSync(`${file}${suffix}`)),
  });

  it("a foreign file with a schema version given as the simulated PSP's state file is refused (exit 2), untouched (review F4)", () => {
    expect(run('init').code).toBe(0);
    for (const version of [1, 2]) {
      const state = path.join(dir, `ps${version}.db`);
      sql(state, (handle) =>
        handle.exec(
          `PRAGMA user_version = ${version}; CREATE TABLE photos (id, path); INSERT INTO photos VALUES (1, 'a')`,
        ),
      );
      const before = fingerprint(state);
      const result = run('check', '--psp-state', state);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')[0]).toContain(
        `${state} is not a simulated PSP state file: it holds tables the simulated PSP's schema version ${version} does not have (photos)`,
      );
      expect(result.stderr).not.toContain('unexpected error');
      expect(fingerprint(state)).toEqual(before);
    }
  });

  it("a foreign table named sqlite3_cfg is another program's: init refuses (exit 2), untouched (review F5a)", () => {
    sql(db, (handle) =>
      handle.exec("CREATE TABLE sqlite3_cfg (k, v); INSERT INTO sqlite3_cfg VALUES ('a', 'b')"),
    );
    const before = fingerprint(db);
    const result = run('init');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `database ${db} is not a payops database: it holds another program's tables (sqlite3_cfg)`,
    );
    expect(fingerprint(db)).toEqual(before);
  });

  it('a foreign database in WAL mode is refused with no -wal or -shm left beside it (review F5b)', () => {
    sql(db, (handle) => {
      handle.pragma('journal_mode = WAL');
      handle.exec('CREATE TABLE notes (x)');
    });
    const before = fingerprint(db);
    expect(before.sideFiles).toEqual([]);
    for (const args of [['orders', 'list'], ['init'], ['check']]) {
      const result = run(...args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(
        `database ${db} is not a payops database: it holds another program's tables (notes)`,
      );
      expect(fingerprint(db)).toEqual(before);
    }
  });

  it('init on an existing file makes it owner-only (0600)', () => {
    expect(run('init').code).toBe(0);
    fs.chmodSync(db, 0o644);
    expect(run('init').code).toBe(0);
    expect(fs.statSync(db).mode & 0o777).toBe(0o600);
  });

  describe('on a book with a day of pay-ins', () => {
    beforeEach(() => {
      expect(run('init').code).toBe(0);
      const payin = run('payin', 'run', DAY);
      expect(payin.code, payin.stderr).toBe(0);
    });

    it("an order's amount and seller cannot be edited; edited with the trigger dropped, check fails naming it", () => {
      sql(db, (handle) => {
        expect(() =>
          handle
            .prepare(
              "UPDATE orders SET amount_minor = amount_minor + 100000, seller_id = 'mallory' WHERE id = 1",
            )
            .run(),
        ).toThrow('is immutable');
        handle.exec('DROP TRIGGER orders_birth_fields_immutable');
        handle
          .prepare(
            "UPDATE orders SET amount_minor = amount_minor + 100000, seller_id = 'mallory' WHERE id = 1",
          )
          .run();
      });
      const orderId = (() => {
        let id = '';
        sql(
          db,
          (handle) =>
            (id = handle
              .prepare('SELECT order_id FROM orders WHERE id = 1')
              .pluck()
              .get() as string),
        );
        return id;
      })();
      const check = run('check');
      expect(check.code).toBe(5);
      expect(check.stdout).toContain(
        `order ${orderId}: its fields no longer match the hash recorded at intake`,
      );
    });

    it("a seller's IBAN cannot be changed but by a pay_out event", () => {
      const deliveries = path.join(REPO_ROOT, 'fixtures', 'events', 'deliveries.ndjson');
      expect([0, 3]).toContain(run('payin', 'run', deliveries).code); // the fixture releases some orders the day declined
      sql(db, (handle) => {
        expect(handle.prepare('SELECT COUNT(*) FROM sellers').pluck().get()).toBeGreaterThan(0);
        expect(() =>
          handle.prepare("UPDATE sellers SET iban = 'GB82WEST12345698765432'").run(),
        ).toThrow('sellers payout details change only with a pay_out event');
        expect(() => handle.prepare('DELETE FROM sellers').run()).toThrow(
          'sellers rows are never deleted',
        );
      });
      // A new pay_out event with a new account is how it changes.
      let order = { order_id: '', seller_id: '' };
      sql(db, (handle) => {
        order = handle
          .prepare(
            "SELECT o.order_id, o.seller_id FROM orders o JOIN sellers s ON s.seller_id = o.seller_id WHERE o.status = 'succeeded' AND o.released_at IS NULL LIMIT 1",
          )
          .get() as typeof order;
      });
      const moved = path.join(dir, 'moved.ndjson');
      fs.writeFileSync(
        moved,
        `${JSON.stringify({ eventId: 'po_moved', type: 'pay_out', occurredAt: '2026-11-25T09:00:00Z', orderId: order.order_id, seller: { id: order.seller_id, name: 'Moved Ltd', account: { iban: 'GB82WEST12345698765432' } } })}\n`,
      );
      expect(run('payin', 'run', moved).code).toBe(0);
      sql(db, (handle) =>
        expect(
          handle
            .prepare('SELECT iban FROM sellers WHERE seller_id = ?')
            .pluck()
            .get(order.seller_id),
        ).toBe('GB82WEST12345698765432'),
      );
    });

    it("an order pointed at another buyer's PSP charge (refunds would go there) fails check, naming both charges", () => {
      let orderId = '';
      let other = '';
      sql(db, (handle) => {
        const [first, second] = handle
          .prepare(
            "SELECT order_id, psp_reference FROM orders WHERE status = 'succeeded' ORDER BY id LIMIT 2",
          )
          .all() as { order_id: string; psp_reference: string }[];
        orderId = first?.order_id ?? '';
        other = second?.psp_reference ?? '';
        handle
          .prepare('UPDATE orders SET psp_reference = ? WHERE order_id = ?')
          .run(other, orderId);
      });
      const check = run('check');
      expect(check.code).toBe(5);
      expect(check.stdout).toMatch(
        new RegExp(`order ${orderId} names PSP charge ${other}, but the PSP charged it as ch_\\S+`),
      );
    });

    it('a refund edited with the trigger dropped is never paid out: dead-lettered, the run exits 5 (issue 14 item 4)', () => {
      const refund = path.join(dir, 'r.ndjson');
      fs.writeFileSync(
        refund,
        `${JSON.stringify({ eventId: 'rf_e2e', type: 'refund', occurredAt: '2026-11-24T09:00:00Z', orderId: 'ord_00000003', amount: '5.00', reason: 'damaged' })}\n`,
      );
      expect(run('payin', 'run', refund, '--faults', '5xx=1', '--seed', '1').code).toBe(6);
      sql(db, (handle) => {
        handle.exec('DROP TRIGGER refunds_birth_fields_immutable');
        handle
          .prepare(
            "UPDATE refunds SET amount_minor = 4000, order_id = 'ord_00000004', next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE refund_id = 'rf_e2e'",
          )
          .run();
      });
      const again = run('payin', 'run', refund);
      expect(again.code, again.stderr).toBe(5);
      expect(again.stderr).toContain(
        'refund rf_e2e was not sent: its fields no longer match the hash recorded at intake',
      );
      sql(db, (handle) => {
        expect(
          handle.prepare("SELECT status FROM refunds WHERE refund_id = 'rf_e2e'").pluck().get(),
        ).toBe('dead_lettered');
        expect(
          handle
            .prepare(
              "SELECT SUM(refunded_minor) FROM orders WHERE order_id IN ('ord_00000003', 'ord_00000004')",
            )
            .pluck()
            .get(),
        ).toBe(0);
      });
    });

    it("an account's type cannot be flipped; flipped with the trigger dropped, verify and check fail naming it", () => {
      sql(db, (handle) => {
        expect(() =>
          handle
            .prepare(
              "UPDATE ledger_accounts SET type = 'liability' WHERE name = 'assets:psp:sim:receivable'",
            )
            .run(),
        ).toThrow('ledger_accounts type is immutable');
        handle.exec('DROP TRIGGER ledger_accounts_birth_fields_immutable');
        handle
          .prepare(
            "UPDATE ledger_accounts SET type = 'liability' WHERE name = 'assets:psp:sim:receivable'",
          )
          .run();
      });
      const verify = run('ledger', 'verify');
      expect(verify.code).toBe(5);
      expect(`${verify.stdout}${verify.stderr}`).toContain(
        'account assets:psp:sim:receivable USD has type liability, but its name makes it an asset',
      );
      const check = run('check');
      expect(check.code).toBe(5);
      expect(check.stdout).toContain('has type liability, but its name makes it an asset');
    });
  });
});

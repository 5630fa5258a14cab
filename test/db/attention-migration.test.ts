import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, migrate } from '../../src/db/index.js';
import { tempDir } from '../helpers/cli.js';

const TABLES = ['orders', 'refunds', 'payouts'];

function dependents(raw: Sqlite.Database): { name: string; sql: string }[] {
  return raw
    .prepare(
      `SELECT name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('orders', 'refunds', 'payouts') ORDER BY name`,
    )
    .all() as { name: string; sql: string }[];
}

describe('migration 10: needs_attention and the kept PSP answers', () => {
  let dir: string;
  let cleanup: () => void;
  let raw: Sqlite.Database;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    raw = new Sqlite(path.join(dir, 'books.db'));
    raw.defaultSafeIntegers(true);
    migrate(raw, 9);
    raw.exec(`INSERT INTO events (event_id, type, content_hash, occurred_at, source, received_at, order_count) VALUES ('chk_1', 'pay_in', 'h', 't', 's', 't', 1);
      INSERT INTO orders (order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, metadata, psp, charge_key, status, created_at, updated_at)
      VALUES ('ord_1', 'chk_1', 'b', 'seller_7', 'USD', 100, 0, 'tok', '{}', 'sim', 'k1', 'executing', 't', 't');
      INSERT INTO payouts (id, payout_id, seller_id, currency, amount_minor, payout_key, psp, destination, status, created_at, updated_at)
      VALUES (1, 'po_1', 'seller_7', 'USD', 90, 'k2', 'sim', 'DE89370400440532013000', 'executing', 't', 't');`);
  });
  afterEach(() => {
    raw.close();
    cleanup();
  });

  it('keeps every row, index and trigger of the rebuilt tables, and widens only the status checks and the open-payout index', () => {
    const before = dependents(raw);
    const rows = TABLES.map((table) => raw.prepare(`SELECT * FROM ${table} ORDER BY id`).all());
    expect(migrate(raw, 10)).toEqual([10]);
    expect(TABLES.map((table) => raw.prepare(`SELECT * FROM ${table} ORDER BY id`).all())).toEqual(
      rows,
    );
    const after = dependents(raw);
    expect(after.map((d) => d.name)).toEqual(before.map((d) => d.name));
    for (const [index, dependent] of after.entries()) {
      if (dependent.name === 'payouts_one_open_per_seller')
        expect(dependent.sql).toContain("status = 'needs_attention'");
      else expect(dependent.sql).toBe(before[index]?.sql);
    }
    raw.exec(
      "UPDATE orders SET status = 'needs_attention' WHERE order_id = 'ord_1'; UPDATE payouts SET status = 'needs_attention' WHERE payout_id = 'po_1'",
    );
    expect(() => raw.exec("UPDATE orders SET status = 'bogus'")).toThrow(/CHECK constraint failed/);
    // A payout in needs_attention has left the bank unbooked: it still blocks a second one for the same payable.
    expect(() =>
      raw.exec(`INSERT INTO payouts (id, payout_id, seller_id, currency, amount_minor, payout_key, psp, destination, status, created_at, updated_at)
      VALUES (2, 'po_2', 'seller_7', 'USD', 90, 'k3', 'sim', 'DE89370400440532013000', 'created', 't', 't')`),
    ).toThrow(/UNIQUE constraint failed/);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(10);
  });

  it('keeps a fact forever and lets only its resolution be written, once', () => {
    migrate(raw, 10);
    raw.exec(`INSERT INTO unrecorded_answers (kind, item_id, psp, answer_status, psp_reference, amount_minor, currency, error, answered_at)
      VALUES ('charge', 'ord_1', 'sim', 'succeeded', 'ch_1', 100, 'USD', 'overflow', 't')`);
    expect(() => raw.exec('DELETE FROM unrecorded_answers')).toThrow(/append-only/);
    expect(() => raw.exec('UPDATE unrecorded_answers SET amount_minor = 1')).toThrow(
      /only ever resolved, once/,
    );
    raw.exec("UPDATE unrecorded_answers SET resolved_at = 't2', resolved_by = 'op'");
    expect(() => raw.exec("UPDATE unrecorded_answers SET resolved_at = 't3'")).toThrow(
      /only ever resolved, once/,
    );
    expect(() =>
      raw.exec(`INSERT INTO unrecorded_answers (kind, item_id, psp, answer_status, psp_reference, amount_minor, currency, error, answered_at)
      VALUES ('charge', 'ord_1', 'sim', 'succeeded', 'ch_1', 100, 'USD', 'again', 't')`),
    ).toThrow(/UNIQUE/);
  });
});

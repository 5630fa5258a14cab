import type BetterSqlite3 from 'better-sqlite3';
import { BIRTH_QUERIES, type OrderBirthRow, type RefundBirthRow, orderBirthHashOfRow, refundBirthHashOfRow } from './birth.js';

/** `PRAGMA application_id` of a payops book: "PYOP". A file with another id is not opened. */
export const PAYOPS_APPLICATION_ID = 0x50594f50;

/**
 * One trigger per table refusing a change to any field a row is born with, naming the field:
 * `RAISE(ABORT, 'orders amount_minor is immutable: …')`. A statement that sets a field to the
 * value it has passes (the executors' updates name none of these fields anyway).
 */
function immutableFields(table: string, fields: readonly string[], why: string): string {
  const checks = fields.map((field) => `  SELECT RAISE(ABORT, '${table} ${field} is immutable: ${why}') WHERE NEW.${field} IS NOT OLD.${field};`);
  return `CREATE TRIGGER ${table}_birth_fields_immutable BEFORE UPDATE OF ${fields.join(', ')} ON ${table}
BEGIN
${checks.join('\n')}
END;`;
}

function noDelete(table: string, why: string): string {
  return `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, '${table} rows are never deleted: ${why}'); END;`;
}

export const ORDER_BIRTH_FIELDS = [
  'order_id', 'event_id', 'payer_id', 'seller_id', 'currency', 'amount_minor', 'platform_fee_minor', 'payment_token',
  'metadata', 'psp', 'charge_key', 'created_at', 'birth_hash',
] as const;
export const REFUND_BIRTH_FIELDS = ['refund_id', 'order_id', 'currency', 'amount_minor', 'reason', 'refund_key', 'psp', 'created_at', 'birth_hash'] as const;
export const PAYOUT_BIRTH_FIELDS = ['payout_id', 'seller_id', 'currency', 'amount_minor', 'payout_key', 'psp', 'destination', 'created_at'] as const;
export const ACCOUNT_FIELDS = ['name', 'currency', 'type', 'created_at'] as const;

/** The type an account's name gives it (src/ledger/accounts.ts), in SQL: NULL for an unknown top segment. */
const TYPE_OF_NAME = `CASE substr(NEW.name, 1, instr(NEW.name || ':', ':') - 1)
    WHEN 'assets' THEN 'asset' WHEN 'liabilities' THEN 'liability' WHEN 'equity' THEN 'equity'
    WHEN 'revenue' THEN 'revenue' WHEN 'expenses' THEN 'expense' END`;

const IMMUTABLE_SCHEMA = `
${immutableFields('orders', ORDER_BIRTH_FIELDS, 'an order is what its event said; a correction is a refund or a new order')}
${noDelete('orders', 'an order is what its event said; a correction is a refund or a new order')}
${immutableFields('refunds', REFUND_BIRTH_FIELDS, 'a refund is what its event said')}
${noDelete('refunds', 'a refund is what its event said')}
${immutableFields('payouts', PAYOUT_BIRTH_FIELDS, 'a payout is fixed when it is created, so a retry can never pay differently')}
${noDelete('payouts', 'a payout is fixed when it is created')}
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: an accepted event is the proof of its orders'); END;
${noDelete('events', 'an accepted event is the proof of its orders')}

CREATE TRIGGER ledger_accounts_type_by_name BEFORE INSERT ON ledger_accounts
WHEN NEW.type IS NOT (${TYPE_OF_NAME})
BEGIN SELECT RAISE(ABORT, 'ledger_accounts type must be the one its name gives: assets asset, liabilities liability, equity equity, revenue revenue, expenses expense'); END;
${immutableFields('ledger_accounts', ACCOUNT_FIELDS, 'the type follows from the name, and entries name the account')}
${noDelete('ledger_accounts', 'entries name the account')}
`;

/**
 * Migration 11: marks the file as payops' books, gives orders and refunds their birth hash
 * (rows of an older book get the hash of the fields they have now: an edit made before the
 * migration cannot be told apart), then makes birth fields, events and account types immutable.
 */
export function applyImmutableBirthFields(db: BetterSqlite3.Database): void {
  db.exec(`ALTER TABLE orders ADD COLUMN birth_hash TEXT NOT NULL DEFAULT '';
           ALTER TABLE refunds ADD COLUMN birth_hash TEXT NOT NULL DEFAULT '';`);
  const setOrder = db.prepare('UPDATE orders SET birth_hash = ? WHERE order_id = ?');
  for (const row of db.prepare(BIRTH_QUERIES.allOrders).all() as OrderBirthRow[]) setOrder.run(orderBirthHashOfRow(row), row.order_id);
  const setRefund = db.prepare('UPDATE refunds SET birth_hash = ? WHERE refund_id = ?');
  for (const row of db.prepare(BIRTH_QUERIES.allRefunds).all() as RefundBirthRow[]) setRefund.run(refundBirthHashOfRow(row), row.refund_id);
  db.exec(IMMUTABLE_SCHEMA);
  db.pragma(`application_id = ${PAYOPS_APPLICATION_ID}`);
}

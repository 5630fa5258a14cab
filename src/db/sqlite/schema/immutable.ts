import type BetterSqlite3 from 'better-sqlite3';
import { readRows } from '../../rows.js';
import {
  BIRTH_QUERIES,
  ORDER_BIRTH_ROW,
  REFUND_BIRTH_ROW,
  orderBirthHashOfRow,
  refundBirthHashOfRow,
} from './birth.js';

/** `PRAGMA application_id` of a payops book: "PYOP". A file with another id is not opened. */
export const PAYOPS_APPLICATION_ID = 0x50594f50;

/**
 * Migration 11's triggers. Each refuses a change to any field a row is born with, naming the
 * field; a statement that sets a field to the value it has passes (the executors' updates name
 * none of these fields anyway). Written out in full: SQL is never assembled from values here.
 * An account's type must be the one its name's top segment gives (src/ledger/accounts.ts).
 */
const IMMUTABLE_SCHEMA = `
CREATE TRIGGER orders_birth_fields_immutable BEFORE UPDATE OF order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token, metadata, psp, charge_key, created_at, birth_hash ON orders
BEGIN
  SELECT RAISE(ABORT, 'orders order_id is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.order_id IS NOT OLD.order_id;
  SELECT RAISE(ABORT, 'orders event_id is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.event_id IS NOT OLD.event_id;
  SELECT RAISE(ABORT, 'orders payer_id is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.payer_id IS NOT OLD.payer_id;
  SELECT RAISE(ABORT, 'orders seller_id is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.seller_id IS NOT OLD.seller_id;
  SELECT RAISE(ABORT, 'orders currency is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.currency IS NOT OLD.currency;
  SELECT RAISE(ABORT, 'orders amount_minor is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.amount_minor IS NOT OLD.amount_minor;
  SELECT RAISE(ABORT, 'orders platform_fee_minor is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.platform_fee_minor IS NOT OLD.platform_fee_minor;
  SELECT RAISE(ABORT, 'orders payment_token is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.payment_token IS NOT OLD.payment_token;
  SELECT RAISE(ABORT, 'orders metadata is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.metadata IS NOT OLD.metadata;
  SELECT RAISE(ABORT, 'orders psp is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.psp IS NOT OLD.psp;
  SELECT RAISE(ABORT, 'orders charge_key is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.charge_key IS NOT OLD.charge_key;
  SELECT RAISE(ABORT, 'orders created_at is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.created_at IS NOT OLD.created_at;
  SELECT RAISE(ABORT, 'orders birth_hash is immutable: an order is what its event said (correct it with a refund)') WHERE NEW.birth_hash IS NOT OLD.birth_hash;
END;
CREATE TRIGGER orders_no_delete BEFORE DELETE ON orders
BEGIN SELECT RAISE(ABORT, 'orders rows are never deleted: an order is what its event said (correct it with a refund)'); END;
CREATE TRIGGER refunds_birth_fields_immutable BEFORE UPDATE OF refund_id, order_id, currency, amount_minor, reason, refund_key, psp, created_at, birth_hash ON refunds
BEGIN
  SELECT RAISE(ABORT, 'refunds refund_id is immutable: a refund is what its event said') WHERE NEW.refund_id IS NOT OLD.refund_id;
  SELECT RAISE(ABORT, 'refunds order_id is immutable: a refund is what its event said') WHERE NEW.order_id IS NOT OLD.order_id;
  SELECT RAISE(ABORT, 'refunds currency is immutable: a refund is what its event said') WHERE NEW.currency IS NOT OLD.currency;
  SELECT RAISE(ABORT, 'refunds amount_minor is immutable: a refund is what its event said') WHERE NEW.amount_minor IS NOT OLD.amount_minor;
  SELECT RAISE(ABORT, 'refunds reason is immutable: a refund is what its event said') WHERE NEW.reason IS NOT OLD.reason;
  SELECT RAISE(ABORT, 'refunds refund_key is immutable: a refund is what its event said') WHERE NEW.refund_key IS NOT OLD.refund_key;
  SELECT RAISE(ABORT, 'refunds psp is immutable: a refund is what its event said') WHERE NEW.psp IS NOT OLD.psp;
  SELECT RAISE(ABORT, 'refunds created_at is immutable: a refund is what its event said') WHERE NEW.created_at IS NOT OLD.created_at;
  SELECT RAISE(ABORT, 'refunds birth_hash is immutable: a refund is what its event said') WHERE NEW.birth_hash IS NOT OLD.birth_hash;
END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds rows are never deleted: a refund is what its event said'); END;
CREATE TRIGGER payouts_birth_fields_immutable BEFORE UPDATE OF payout_id, seller_id, currency, amount_minor, payout_key, psp, destination, created_at ON payouts
BEGIN
  SELECT RAISE(ABORT, 'payouts payout_id is immutable: a payout is fixed when it is created') WHERE NEW.payout_id IS NOT OLD.payout_id;
  SELECT RAISE(ABORT, 'payouts seller_id is immutable: a payout is fixed when it is created') WHERE NEW.seller_id IS NOT OLD.seller_id;
  SELECT RAISE(ABORT, 'payouts currency is immutable: a payout is fixed when it is created') WHERE NEW.currency IS NOT OLD.currency;
  SELECT RAISE(ABORT, 'payouts amount_minor is immutable: a payout is fixed when it is created') WHERE NEW.amount_minor IS NOT OLD.amount_minor;
  SELECT RAISE(ABORT, 'payouts payout_key is immutable: a payout is fixed when it is created') WHERE NEW.payout_key IS NOT OLD.payout_key;
  SELECT RAISE(ABORT, 'payouts psp is immutable: a payout is fixed when it is created') WHERE NEW.psp IS NOT OLD.psp;
  SELECT RAISE(ABORT, 'payouts destination is immutable: a payout is fixed when it is created') WHERE NEW.destination IS NOT OLD.destination;
  SELECT RAISE(ABORT, 'payouts created_at is immutable: a payout is fixed when it is created') WHERE NEW.created_at IS NOT OLD.created_at;
END;
CREATE TRIGGER payouts_no_delete BEFORE DELETE ON payouts
BEGIN SELECT RAISE(ABORT, 'payouts rows are never deleted: a payout is fixed when it is created'); END;
CREATE TRIGGER sellers_details_only_from_events BEFORE UPDATE OF seller_id, name, iban, source_event_id ON sellers
WHEN NEW.seller_id IS NOT OLD.seller_id
  OR (NEW.source_event_id IS OLD.source_event_id AND (NEW.iban IS NOT OLD.iban OR NEW.name IS NOT OLD.name))
BEGIN SELECT RAISE(ABORT, 'sellers payout details change only with a pay_out event: send one with the new account'); END;
CREATE TRIGGER sellers_no_delete BEFORE DELETE ON sellers
BEGIN SELECT RAISE(ABORT, 'sellers rows are never deleted: payouts name the seller'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: an accepted event is the proof of its orders'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events rows are never deleted: an accepted event is the proof of its orders'); END;

CREATE TRIGGER ledger_accounts_type_by_name BEFORE INSERT ON ledger_accounts
WHEN NEW.type IS NOT (CASE substr(NEW.name, 1, instr(NEW.name || ':', ':') - 1)
    WHEN 'assets' THEN 'asset' WHEN 'liabilities' THEN 'liability' WHEN 'equity' THEN 'equity'
    WHEN 'revenue' THEN 'revenue' WHEN 'expenses' THEN 'expense' END)
BEGIN SELECT RAISE(ABORT, 'ledger_accounts type must be the one its name gives: assets asset, liabilities liability, equity equity, revenue revenue, expenses expense'); END;
CREATE TRIGGER ledger_accounts_birth_fields_immutable BEFORE UPDATE OF name, currency, type, created_at ON ledger_accounts
BEGIN
  SELECT RAISE(ABORT, 'ledger_accounts name is immutable: the type follows from the name, and entries name the account') WHERE NEW.name IS NOT OLD.name;
  SELECT RAISE(ABORT, 'ledger_accounts currency is immutable: the type follows from the name, and entries name the account') WHERE NEW.currency IS NOT OLD.currency;
  SELECT RAISE(ABORT, 'ledger_accounts type is immutable: the type follows from the name, and entries name the account') WHERE NEW.type IS NOT OLD.type;
  SELECT RAISE(ABORT, 'ledger_accounts created_at is immutable: the type follows from the name, and entries name the account') WHERE NEW.created_at IS NOT OLD.created_at;
END;
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
BEGIN SELECT RAISE(ABORT, 'ledger_accounts rows are never deleted: entries name the account'); END;
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
  for (const row of readRows(ORDER_BIRTH_ROW, db.prepare(BIRTH_QUERIES.allOrders).all()))
    setOrder.run(orderBirthHashOfRow(row), row.order_id);
  const setRefund = db.prepare('UPDATE refunds SET birth_hash = ? WHERE refund_id = ?');
  for (const row of readRows(REFUND_BIRTH_ROW, db.prepare(BIRTH_QUERIES.allRefunds).all()))
    setRefund.run(refundBirthHashOfRow(row), row.refund_id);
  db.exec(IMMUTABLE_SCHEMA);
  db.pragma(`application_id = ${PAYOPS_APPLICATION_ID}`);
}

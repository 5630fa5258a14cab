import type BetterSqlite3 from 'better-sqlite3';
import { rebuildTable, replaceOnce } from '../rebuild.js';
import { anyOf } from './checks.js';

/**
 * Migration 10: `needs_attention` (DESIGN.md §4) and the facts behind it.
 *
 * When the PSP answered a charge, refund or payout with a final answer (succeeded, declined) and
 * payops could not record it (a posting that cannot be booked, a broken invariant), the answer is
 * kept here in its own transaction and the item leaves `executing` for `needs_attention`: no claim
 * picks it up again, so it is never sent again. `payops attention resolve` books the stored answer
 * once the cause is fixed, through the same recorder as a normal answer, and stamps the fact
 * resolved in the same transaction. A fact is never deleted and only its resolution is ever written.
 */
const ORDER_STATUSES_V8 = [
  'created',
  'executing',
  'succeeded',
  'pending',
  'failed',
  'retry_scheduled',
  'dead_lettered',
];
const TRANSFER_STATUSES_V8 = [
  'created',
  'executing',
  'succeeded',
  'failed',
  'retry_scheduled',
  'dead_lettered',
];

const UNRECORDED_ANSWERS_SCHEMA = `
CREATE TABLE unrecorded_answers (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind = 'charge' OR kind = 'refund' OR kind = 'payout'),
  -- order_id, refund_id or payout_id
  item_id TEXT NOT NULL,
  psp TEXT NOT NULL,
  answer_status TEXT NOT NULL CHECK (answer_status = 'succeeded' OR answer_status = 'declined'),
  -- null only for a decline that carried no reference
  psp_reference TEXT CHECK (psp_reference IS NOT NULL OR answer_status = 'declined'),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  psp_fee_minor INTEGER CHECK (psp_fee_minor IS NULL OR psp_fee_minor >= 0),
  decline_reason TEXT,
  -- why payops could not record it
  error TEXT NOT NULL,
  answered_at TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT,
  UNIQUE (kind, item_id)
) STRICT;

CREATE INDEX unrecorded_answers_open ON unrecorded_answers (resolved_at, id);

CREATE TRIGGER unrecorded_answers_no_delete BEFORE DELETE ON unrecorded_answers
BEGIN SELECT RAISE(ABORT, 'unrecorded_answers is append-only: resolve it with payops attention resolve'); END;

CREATE TRIGGER unrecorded_answers_resolve_only BEFORE UPDATE ON unrecorded_answers
WHEN OLD.resolved_at IS NOT NULL OR NEW.resolved_at IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.item_id IS NOT OLD.item_id OR NEW.psp IS NOT OLD.psp
  OR NEW.answer_status IS NOT OLD.answer_status OR NEW.psp_reference IS NOT OLD.psp_reference
  OR NEW.amount_minor IS NOT OLD.amount_minor OR NEW.currency IS NOT OLD.currency OR NEW.psp_fee_minor IS NOT OLD.psp_fee_minor
  OR NEW.decline_reason IS NOT OLD.decline_reason OR NEW.error IS NOT OLD.error OR NEW.answered_at IS NOT OLD.answered_at
BEGIN SELECT RAISE(ABORT, 'unrecorded_answers: a fact is only ever resolved, once: use payops attention resolve'); END;
`;

export function applyNeedsAttention(db: BetterSqlite3.Database): void {
  const widen = (table: string, values: readonly string[]) =>
    rebuildTable(db, table, (sql) =>
      replaceOnce(
        sql,
        anyOf('status', values),
        anyOf('status', [...values, 'needs_attention']),
        `${table}.status`,
      ),
    );
  widen('orders', ORDER_STATUSES_V8);
  widen('refunds', TRANSFER_STATUSES_V8);
  widen('payouts', TRANSFER_STATUSES_V8);
  // Spelled out (no SQL is built from values); the same predicate as openPayoutPredicate, which plan.ts states so the index is used.
  db.exec(`DROP INDEX payouts_one_open_per_seller;
           CREATE UNIQUE INDEX payouts_one_open_per_seller ON payouts (seller_id, currency)
           WHERE (status = 'created' OR status = 'executing' OR status = 'retry_scheduled' OR status = 'dead_lettered' OR status = 'needs_attention');`);
  db.exec(UNRECORDED_ANSWERS_SCHEMA);
}

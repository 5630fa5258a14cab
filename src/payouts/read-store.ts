import {
  type Database,
  type ShapeRow,
  openPayoutPredicate,
  readRow,
  readRows,
  rowShape,
} from '../db/index.js';
import { TRANSFER_STATUSES } from '../payments/order-state.js';

/**
 * Every wallet with a payable balance, its payout details and its open payout if any: one seek
 * in the partial unique index of open payouts per wallet, which the query can use only because it
 * states that index's predicate (test/payouts/plan.test.ts asserts the plan).
 */
export const PAYABLES_QUERY = `SELECT w.seller_id, w.currency, w.payable_minor, s.iban,
         (SELECT p.payout_id || ' (' || p.status || ')' FROM payouts p
          WHERE p.seller_id = w.seller_id AND p.currency = w.currency AND ${openPayoutPredicate('p')}) AS open_payout
  FROM wallets w LEFT JOIN sellers s ON s.seller_id = w.seller_id
  WHERE w.payable_minor <> 0 AND (? IS NULL OR w.seller_id = ?) AND (? IS NULL OR w.currency = ?)
  ORDER BY w.seller_id, w.currency`;

const PAYOUT_ROW = rowShape('payouts', {
  id: 'bigint',
  payout_id: 'text',
  seller_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  payout_key: 'text',
  destination: 'text',
  status: TRANSFER_STATUSES,
  attempts: 'bigint',
  psp_reference: 'text?',
  last_error: 'text?',
  created_at: 'text',
  updated_at: 'text',
});
export type PayoutListRow = ShapeRow<typeof PAYOUT_ROW>;

const TRANSITION_ROW = rowShape('payout_transitions', {
  from_status: 'text?',
  to_status: TRANSFER_STATUSES,
  attempt: 'bigint',
  at: 'text',
  cause: 'text',
});
export type PayoutTransitionRow = ShapeRow<typeof TRANSITION_ROW>;

const TX_ID = rowShape('ledger_transactions by idempotency key', { id: 'bigint' });

const SELLER_ROW = rowShape('wallets with sellers and last payouts', {
  seller_id: 'text',
  currency: 'currency',
  pending_minor: 'bigint',
  payable_minor: 'bigint',
  paid_out_minor: 'bigint',
  name: 'text?',
  iban: 'text?',
  last_payout_id: 'text?',
  last_amount: 'bigint?',
  last_status: 'text?',
  last_at: 'text?',
});
export type SellerReportRow = ShapeRow<typeof SELLER_ROW>;

const PAYABLE_ROW = rowShape('payable wallets', {
  seller_id: 'text',
  currency: 'currency',
  payable_minor: 'bigint',
  iban: 'text?',
  open_payout: 'text?',
});
export type PayableRow = ShapeRow<typeof PAYABLE_ROW>;

/**
 * The payouts folder's read model: what `payout list|show`, `report sellers` and a payout plan
 * read of payouts, their transitions, wallets and sellers. It writes nothing; rows are checked as read.
 */
export class PayoutReadStore {
  constructor(private readonly db: Database) {}

  payouts(query: { sellerId?: string; status?: string }): PayoutListRow[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM payouts WHERE (? IS NULL OR seller_id = ?) AND (? IS NULL OR status = ?) ORDER BY id',
      )
      .all(
        query.sellerId ?? null,
        query.sellerId ?? null,
        query.status ?? null,
        query.status ?? null,
      );
    return readRows(PAYOUT_ROW, rows);
  }

  payout(payoutId: string): PayoutListRow | undefined {
    return readRow(
      PAYOUT_ROW,
      this.db.prepare('SELECT * FROM payouts WHERE payout_id = ?').get(payoutId),
    );
  }

  transitions(id: bigint): PayoutTransitionRow[] {
    const rows = this.db
      .prepare(
        'SELECT from_status, to_status, attempt, at, cause FROM payout_transitions WHERE payout_id = ? ORDER BY id',
      )
      .all(id);
    return readRows(TRANSITION_ROW, rows);
  }

  /** The id of the ledger transaction posted under this idempotency key, if any. */
  transactionId(idempotencyKey: string): bigint | undefined {
    const row = this.db
      .prepare('SELECT id FROM ledger_transactions WHERE idempotency_key = ?')
      .get(idempotencyKey);
    return readRow(TX_ID, row)?.id;
  }

  sellers(sellerId?: string): SellerReportRow[] {
    const rows = this.db
      .prepare(
        `SELECT w.seller_id, w.currency, w.pending_minor, w.payable_minor, w.paid_out_minor, s.name, s.iban,
              p.payout_id AS last_payout_id, p.amount_minor AS last_amount, p.status AS last_status, p.updated_at AS last_at
       FROM wallets w
       LEFT JOIN sellers s ON s.seller_id = w.seller_id
       LEFT JOIN payouts p ON p.id = (SELECT MAX(id) FROM payouts q WHERE q.seller_id = w.seller_id AND q.currency = w.currency)
       WHERE (? IS NULL OR w.seller_id = ?)
       ORDER BY w.seller_id, w.currency`,
      )
      .all(sellerId ?? null, sellerId ?? null);
    return readRows(SELLER_ROW, rows);
  }

  payables(sellerId: string | undefined, currency: string | undefined): PayableRow[] {
    const rows = this.db
      .prepare(PAYABLES_QUERY)
      .all(sellerId ?? null, sellerId ?? null, currency ?? null, currency ?? null);
    return readRows(PAYABLE_ROW, rows);
  }
}

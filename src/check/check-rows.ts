import { type ShapeRow, rowShape } from '../db/index.js';

/**
 * The rows `payops check` reads, each checked as it is read. Driver-free (src/db/rows.ts): any
 * implementation of CheckReads (check-source.ts) checks its rows against these shapes.
 */
export const COUNT_ROW = rowShape('check: a count', { n: 'bigint' });
export const ID_ROW = rowShape('check: a transaction id', { id: 'bigint' });
export const ANY_ROW = rowShape('check: a row', {});
export const EVENT_ORDERS_ROW = rowShape('check: events missing orders', {
  event_id: 'text',
  order_count: 'bigint',
  orders: 'bigint',
});
export const ORDER_ID_ROW = rowShape('check: order ids', { order_id: 'text' });
export const STRAY_POSTING_ROW = rowShape('check: postings of items not succeeded', {
  id: 'bigint',
  idempotency_key: 'text',
  status: 'text?',
});
export const PAYOUT_ID_ROW = rowShape('check: payout ids', { payout_id: 'text' });
export const OWED_ROW = rowShape('check: owed per seller', {
  seller_id: 'text',
  currency: 'text',
  released_minor: 'bigint',
  unreleased_minor: 'bigint',
  credited_minor: 'bigint',
});
export const PAID_ROW = rowShape('check: paid per seller', {
  seller_id: 'text',
  currency: 'text',
  total: 'bigint',
});
export const PSP_PAYOUT_ROW = rowShape('check: payouts of a PSP', {
  payout_id: 'text',
  status: 'text',
  amount_minor: 'bigint',
});
export const REFUND_ID_ROW = rowShape('check: refund ids', { refund_id: 'text' });
export const REFUND_SUMS_ROW = rowShape('check: refunds per order', {
  order_id: 'text',
  succeeded: 'bigint',
  reserved: 'bigint',
});
export const CLAWED_ROW = rowShape('check: chargebacks per order', {
  order_id: 'text',
  clawed: 'bigint',
});
export const ORDER_TOTALS_ROW = rowShape('check: order refund totals', {
  amount_minor: 'bigint',
  refunded_minor: 'bigint',
  refund_reserved_minor: 'bigint',
});
export const DISPUTE_ID_ROW = rowShape('check: chargebacks without posting', {
  dispute_id: 'text',
});
export const LEASE_ROW = rowShape('check: executing leases', {
  id: 'text',
  lease_owner: 'text?',
  lease_expires_at: 'text?',
});
export const OPEN_ANSWER_ROW = rowShape('check: open unrecorded answers', {
  kind: 'text',
  item_id: 'text',
  answer_status: 'text',
  psp_reference: 'text?',
  error: 'text',
});
export const ATTENTION_ROW = rowShape('check: needs_attention without answer', {
  kind: 'text',
  item_id: 'text',
});
export const PSP_ORDER_ROW = rowShape('check: orders of a PSP', {
  order_id: 'text',
  status: 'text',
  amount_minor: 'bigint',
  currency: 'text',
  psp_reference: 'text?',
});
export const ACCOUNT_NET_ROW = rowShape('check: in-transit account sums', {
  name: 'text',
  currency: 'currency',
  debit_net: 'bigint',
});
export const MATCHED_ROW = rowShape('check: bank matches per payout kind', {
  payout_kind: 'text',
  psp: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
});
export const MATCH_GROUP_ROW = rowShape('check: bank matches per transaction', {
  tx_id: 'bigint',
  payout_kind: 'text',
  psp: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  refs: 'text',
});
export const ENTRY_GROUP_ROW = rowShape('check: bank entries per transaction', {
  tx_id: 'bigint',
  currency: 'currency',
  debit_net: 'bigint',
  n: 'bigint',
  id: 'bigint',
  line: 'bigint',
  direction: 'text',
  amount_minor: 'bigint',
  file_name: 'text',
});
export const UNPOSTED_ENTRY_ROW = rowShape('check: bank entries never posted', {
  id: 'bigint',
  line: 'bigint',
  direction: 'text',
  amount_minor: 'bigint',
  currency: 'currency',
  class: 'text',
  file_name: 'text',
});
export const DEBIT_NET_ROW = rowShape('check: what a transaction moved', { debit_net: 'bigint' });
export const MOVED_ROW = rowShape('check: what a settlement moved', { moved: 'bigint' });
export const SETTLEMENT_ROWS_ROW = rowShape('check: rows per settlement', {
  settlement_id: 'bigint',
  net: 'bigint',
  n: 'bigint',
});
export const SETTLEMENT_ROW = rowShape('check: settlements', {
  id: 'bigint',
  psp: 'text',
  kind: 'text',
  batch_id: 'text',
  currency: 'text',
  net_minor: 'bigint',
  tx_id: 'bigint?',
  posted_at: 'text?',
});
export const TX_KIND_ROW = rowShape('check: transactions by kind', { id: 'bigint', kind: 'text' });
export const UNSETTLED_ROW = rowShape('check: matched rows never settled', {
  id: 'bigint',
  line: 'bigint',
  batch_id: 'text',
  file_name: 'text',
});
export const FEE_RUN_ROW = rowShape('check: fees per run', {
  run_id: 'bigint',
  currency: 'currency',
  fees: 'bigint',
  psp: 'text',
  file_sha256: 'text',
});
export const BOOKED_ROW = rowShape('check: PSP fees booked', { booked: 'bigint' });
export const INTERNAL_REF_ROW = rowShape('check: fees booked twice', { internal_ref: 'text' });
export const DECISION_ROW = rowShape('check: decisions', { id: 'bigint', tx_ids: 'text' });
export const PAID_BATCH_ROW = rowShape('check: resolved paid-out batches', {
  psp: 'text',
  batch_id: 'text',
  currency: 'currency',
  payout_minor: 'bigint',
  settled: 'bigint',
});

export type EventOrdersRow = ShapeRow<typeof EVENT_ORDERS_ROW>;
export type OrderIdRow = ShapeRow<typeof ORDER_ID_ROW>;
export type StrayPostingRow = ShapeRow<typeof STRAY_POSTING_ROW>;
export type PayoutIdRow = ShapeRow<typeof PAYOUT_ID_ROW>;
export type OwedRow = ShapeRow<typeof OWED_ROW>;
export type PaidRow = ShapeRow<typeof PAID_ROW>;
export type PspPayoutRow = ShapeRow<typeof PSP_PAYOUT_ROW>;
export type RefundIdRow = ShapeRow<typeof REFUND_ID_ROW>;
export type RefundSumsRow = ShapeRow<typeof REFUND_SUMS_ROW>;
export type ClawedRow = ShapeRow<typeof CLAWED_ROW>;
export type OrderTotalsRow = ShapeRow<typeof ORDER_TOTALS_ROW>;
export type DisputeIdRow = ShapeRow<typeof DISPUTE_ID_ROW>;
export type LeaseRow = ShapeRow<typeof LEASE_ROW>;
export type OpenAnswerRow = ShapeRow<typeof OPEN_ANSWER_ROW>;
export type AttentionRow = ShapeRow<typeof ATTENTION_ROW>;
export type PspOrderRow = ShapeRow<typeof PSP_ORDER_ROW>;
export type AccountNetRow = ShapeRow<typeof ACCOUNT_NET_ROW>;
export type MatchedRow = ShapeRow<typeof MATCHED_ROW>;
export type MatchGroupRow = ShapeRow<typeof MATCH_GROUP_ROW>;
export type EntryGroupRow = ShapeRow<typeof ENTRY_GROUP_ROW>;
export type UnpostedEntryRow = ShapeRow<typeof UNPOSTED_ENTRY_ROW>;
export type SettlementRowsRow = ShapeRow<typeof SETTLEMENT_ROWS_ROW>;
export type SettlementRow = ShapeRow<typeof SETTLEMENT_ROW>;
export type TxKindRow = ShapeRow<typeof TX_KIND_ROW>;
export type UnsettledRow = ShapeRow<typeof UNSETTLED_ROW>;
export type FeeRunRow = ShapeRow<typeof FEE_RUN_ROW>;
export type InternalRefRow = ShapeRow<typeof INTERNAL_REF_ROW>;
export type PaidBatchRow = ShapeRow<typeof PAID_BATCH_ROW>;

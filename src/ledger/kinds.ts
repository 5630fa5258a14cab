import { InputError } from '../errors.js';

/**
 * Kinds in these namespaces are written only by payops' own flows (pay-in, payouts, refunds,
 * reconciliation), each together with its order, wallet or settlement state. An operator can
 * neither post them by hand nor reverse them: that would move ledger money without the state
 * beside it, and `payops check` would rightly fail.
 */
const PIPELINE_NAMESPACES = [
  'payin',
  'payout',
  'refund',
  'chargeback',
  'settlement',
  'reconcile',
  'bank',
];

export function isPipelineKind(kind: string): boolean {
  const namespace = kind.split('.')[0] ?? '';
  return kind.includes('.') && PIPELINE_NAMESPACES.includes(namespace);
}

export function assertOperatorKind(kind: string, where: string): void {
  if (isPipelineKind(kind)) {
    throw new InputError(
      `${where} kind: "${kind}" is reserved for payops' own ${kind.split('.')[0]} flow; use a kind such as "manual" or "adjustment"`,
    );
  }
}

/**
 * Idempotency keys in the same namespaces (`payin.capture:ord_1`, `chargeback:dp_1`,
 * `reversal:42`) are the flows' own. An operator's posting that took one first would make the
 * flow's posting a conflict: a whole executor batch charged at the PSP and never booked, or a
 * reversal that can no longer be made.
 */
export function assertOperatorKey(key: string, where: string): void {
  const prefix = key.split(':')[0] ?? '';
  if (
    key.includes(':') &&
    (prefix === 'reversal' || PIPELINE_NAMESPACES.includes(prefix.split('.')[0] ?? ''))
  ) {
    throw new InputError(
      `${where} idempotencyKey: "${key.slice(0, 80)}" is in the namespace of payops' own postings ("${prefix}:…"); use a key of your own, such as "manual-2026-11-23-1"`,
    );
  }
}

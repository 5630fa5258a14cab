import { InputError } from '../errors.js';

/**
 * Kinds in these namespaces are written only by payops' own flows (pay-in, payouts, refunds,
 * reconciliation), each together with its order, wallet or settlement state. An operator can
 * neither post them by hand nor reverse them: that would move ledger money without the state
 * beside it, and `payops check` would rightly fail.
 */
const PIPELINE_NAMESPACES = ['payin', 'payout', 'refund', 'chargeback', 'settlement', 'reconcile'];

export function isPipelineKind(kind: string): boolean {
  const namespace = kind.split('.')[0] ?? '';
  return kind.includes('.') && PIPELINE_NAMESPACES.includes(namespace);
}

export function assertOperatorKind(kind: string, where: string): void {
  if (isPipelineKind(kind)) {
    throw new InputError(`${where} kind: "${kind}" is reserved for payops' own ${kind.split('.')[0]} flow; use a kind such as "manual" or "adjustment"`);
  }
}

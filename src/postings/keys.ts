import type { Currency } from '../money/index.js';

/**
 * The ledger idempotency keys of payops' own postings, in one place. A key derives from what the
 * posting is about (an order, a payout, a bank entry), never from a counter a restore rewinds, so
 * the same posting twice is the same transaction. Every prefix is in a namespace an operator may
 * not use (src/ledger/kinds.ts, assertOperatorKey). The rules build keys with these; code that
 * looks a posting up by key (SQL joins included) uses the same prefixes.
 */
export const KEY_PREFIX = Object.freeze({
  capture: 'payin.capture',
  pspFee: 'payin.psp-fee',
  release: 'payout.release',
  payoutSent: 'payout.sent',
  refundSent: 'refund.sent',
  chargeback: 'chargeback',
  settlementBatch: 'settlement.batch',
  settlementRow: 'settlement.row',
  settlementRecord: 'settlement.record',
  settlementResidual: 'settlement.residual',
  settlementPspFees: 'settlement.psp-fees',
  bankReceived: 'bank.received',
  bankLeft: 'bank.left',
  bankUnidentified: 'bank.unidentified',
  bankFee: 'bank.fee',
  reconcileAccept: 'reconcile.accept',
  reconcileWriteOff: 'reconcile.write-off',
  reconcileLink: 'reconcile.link',
  reconcileWriteBack: 'reconcile.write-back',
  bankAccept: 'bank.accept',
  bankWriteOff: 'bank.write-off',
  bankLink: 'bank.link',
});

export function captureKey(orderId: string): string {
  return `${KEY_PREFIX.capture}:${orderId}`;
}

export function pspFeeKey(orderId: string): string {
  return `${KEY_PREFIX.pspFee}:${orderId}`;
}

export function releaseKey(orderId: string): string {
  return `${KEY_PREFIX.release}:${orderId}`;
}

export function payoutSentKey(payoutId: string): string {
  return `${KEY_PREFIX.payoutSent}:${payoutId}`;
}

export function refundSentKey(refundId: string): string {
  return `${KEY_PREFIX.refundSent}:${refundId}`;
}

export function chargebackKey(disputeId: string): string {
  return `${KEY_PREFIX.chargeback}:${disputeId}`;
}

/** A settlement's kind as recon_settlements stores it: matched rows of a batch, or one part. */
export type SettlementKind = 'rows' | 'row' | 'record' | 'residual';

/** The rows of a batch key by batch and currency too; every other part by its settlement id. */
export function settlementKey(
  psp: string,
  settlement: { id: bigint; kind: SettlementKind; batchId: string; currency: Currency },
): string {
  return settlement.kind === 'rows'
    ? `${KEY_PREFIX.settlementBatch}:${psp}:${settlement.batchId}:${settlement.currency}:s${settlement.id}`
    : `settlement.${settlement.kind}:${psp}:s${settlement.id}`;
}

/** The PSP fees a settlement file reported and payops had not booked: one per file and currency. */
export function settlementPspFeesKey(psp: string, fileSha256: string, currency: Currency): string {
  return `${KEY_PREFIX.settlementPspFees}:${psp}:${fileSha256.slice(0, 16)}:${currency}`;
}

export function bankReceivedKey(psp: string, batchId: string, currency: Currency): string {
  return `${KEY_PREFIX.bankReceived}:${psp}:${batchId}:${currency}`;
}

export function bankLeftKey(entryId: bigint): string {
  return `${KEY_PREFIX.bankLeft}:${entryId}`;
}

export function bankUnidentifiedKey(entryId: bigint): string {
  return `${KEY_PREFIX.bankUnidentified}:${entryId}`;
}

export function bankFeeKey(entryId: bigint): string {
  return `${KEY_PREFIX.bankFee}:${entryId}`;
}

/** A decision's kind is its key's prefix; `sequence` counts the item's decisions that posted. */
export function decisionKey(kind: string, itemId: string, sequence: number): string {
  return `${kind}:${itemId}:${sequence}`;
}

export function writeBackKey(itemId: string): string {
  return `${KEY_PREFIX.reconcileWriteBack}:${itemId}`;
}

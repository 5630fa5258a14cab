import { describe, expect, it } from 'vitest';
import { isPipelineKind } from '../../src/ledger/index.js';
import { assertOperatorKey, assertOperatorKind } from '../../src/ledger/kinds.js';
import {
  KEY_PREFIX,
  bankFeePosting,
  captureKey,
  captureTransaction,
  chargebackKey,
  chargebackTransaction,
  decisionTransaction,
  payoutReceivedPosting,
  payoutSentKey,
  payoutSentTransaction,
  payoutsLeftPosting,
  pspFeeKey,
  pspFeeTransaction,
  refundSentKey,
  refundTransaction,
  releaseKey,
  releaseTransaction,
  settlementPspFeesTransaction,
  settlementTransaction,
  unidentifiedPosting,
  writeBackTransaction,
} from '../../src/postings/index.js';
import { AT, USD } from './rules.js';

const order = {
  orderId: 'o',
  sellerId: 's',
  currency: USD,
  amountMinor: 10n,
  platformFeeMinor: 1n,
};
const entry = {
  entryId: 1n,
  currency: USD,
  amountMinor: 5n,
  bookingDate: '2026-11-24',
  source: 'f:1',
};
const split = { shareMinor: 9n, feeMinor: 1n, bucket: 'pending' as const };
const dispute = {
  disputeId: 'd',
  chargeReference: 'c',
  amountMinor: 10n,
  disputeFeeMinor: 1n,
  createdAt: AT,
};
const settlement = { id: 1n, batchId: 'b', currency: USD, netMinor: 5n };
const item = { itemId: 'i', class: 'amount_mismatch', psp: 'sim' };
const legs = [
  { account: 'expenses:reconciliation:adjustments', currency: USD, debitMinor: 5n },
  { account: 'assets:psp:sim:receivable', currency: USD, debitMinor: -5n },
];
const decided = { description: 'd', effectiveAt: AT, legs };

/** One posting of every rule, every kind a rule can take. */
const everyRule = {
  capture: captureTransaction(order, 'sim', 'r', AT),
  pspFee: pspFeeTransaction(order, 'sim', 1n, 'r', AT),
  release: releaseTransaction({ ...order, shareMinor: 9n, eventId: 'e' }, AT),
  payoutSent: payoutSentTransaction(
    { payoutId: 'p', sellerId: 's', currency: USD, amountMinor: 9n },
    'r',
    AT,
  ),
  refund: refundTransaction('rf', order, 10n, split, 'sim', 'r', AT),
  chargeback: chargebackTransaction(dispute, order, 10n, split, 'sim'),
  settlementRows: settlementTransaction('sim', { ...settlement, kind: 'rows' }, 'x', AT),
  settlementRow: settlementTransaction('sim', { ...settlement, kind: 'row' }, 'x', AT),
  settlementRecord: settlementTransaction('sim', { ...settlement, kind: 'record' }, 'x', AT),
  settlementResidual: settlementTransaction('sim', { ...settlement, kind: 'residual' }, 'x', AT),
  settlementPspFees: settlementPspFeesTransaction(
    { psp: 'sim', runId: 1n, fileSha256: 'f'.repeat(64) },
    USD,
    1n,
    AT,
  ),
  bankReceived: payoutReceivedPosting(entry, 'sim', 'b'),
  bankLeft: payoutsLeftPosting(entry, ['p']),
  bankUnidentified: unidentifiedPosting(entry, 'credit', 'why'),
  bankFee: bankFeePosting(entry),
  reconcileAccept: decisionTransaction('reconcile', 'accept', item, 1, decided),
  reconcileWriteOff: decisionTransaction('reconcile', 'write_off', item, 1, decided),
  reconcileLink: decisionTransaction('reconcile', 'link', item, 1, decided),
  bankAccept: decisionTransaction('bank', 'accept', item, 1, decided),
  bankWriteOff: decisionTransaction('bank', 'write_off', item, 1, decided),
  bankLink: decisionTransaction('bank', 'link', item, 1, decided),
  writeBack: writeBackTransaction(item, { ref: 'capture:o', source: 'f' }, [], AT),
};

describe("the rules' kinds and keys are payops' own", () => {
  it.each(Object.entries(everyRule))(
    '%s: its kind is in a pipeline namespace an operator may not post',
    (_, request) => {
      expect(isPipelineKind(request.kind)).toBe(true);
      expect(() => assertOperatorKind(request.kind, 'test')).toThrow(/reserved/);
    },
  );

  it.each(Object.entries(everyRule))(
    '%s: its key is refused to an operator and has a template prefix',
    (_, request) => {
      expect(() => assertOperatorKey(request.idempotencyKey, 'test')).toThrow(/namespace/);
      const prefix = request.idempotencyKey.split(':')[0];
      expect(Object.values(KEY_PREFIX)).toContain(prefix);
    },
  );

  it.each(Object.entries(KEY_PREFIX))(
    'key template %s (%s:…) is refused to an operator',
    (_, prefix) => {
      expect(() => assertOperatorKey(`${prefix}:x`, 'test')).toThrow(/namespace/);
    },
  );

  it('every template prefix is used by a rule', () => {
    const used = new Set(Object.values(everyRule).map((r) => r.idempotencyKey.split(':')[0]));
    expect(Object.values(KEY_PREFIX).filter((prefix) => !used.has(prefix))).toEqual([]);
  });

  it("the templates the places that look a posting up by key use are the rules' keys", () => {
    expect(captureKey('o')).toBe(everyRule.capture.idempotencyKey);
    expect(pspFeeKey('o')).toBe(everyRule.pspFee.idempotencyKey);
    expect(releaseKey('o')).toBe(everyRule.release.idempotencyKey);
    expect(payoutSentKey('p')).toBe(everyRule.payoutSent.idempotencyKey);
    expect(refundSentKey('rf')).toBe(everyRule.refund.idempotencyKey);
    expect(chargebackKey('d')).toBe(everyRule.chargeback.idempotencyKey);
    expect([captureKey('ord_1'), refundSentKey('rf_1'), chargebackKey('dp_1')]).toEqual([
      'payin.capture:ord_1',
      'refund.sent:rf_1',
      'chargeback:dp_1',
    ]);
  });
});

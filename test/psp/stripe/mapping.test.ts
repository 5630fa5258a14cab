import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../../src/errors.js';
import {
  chargeResultOf,
  lookupResultOf,
  lostDisputeOf,
  refundOfId,
  refundOutcomeOf,
} from '../../../src/psp/stripe/mapping.js';

// Stripe objects as the API returns them, reduced to the fields payops reads.
function charge(fields: Partial<Stripe.Charge> & { id: string }): Stripe.Charge {
  return {
    object: 'charge',
    amount: 2500,
    currency: 'usd',
    status: 'succeeded',
    captured: true,
    created: 1_795_000_000,
    metadata: { payops_order_id: 'ord_1' },
    balance_transaction: 'txn_1',
    outcome: null,
    failure_code: null,
    ...fields,
  } as Stripe.Charge;
}

function balanceTransaction(fee: number, currency = 'usd'): Stripe.BalanceTransaction {
  return {
    object: 'balance_transaction',
    id: 'txn_1',
    amount: 2500,
    fee,
    currency,
  } as Stripe.BalanceTransaction;
}

function dispute(fields: Partial<Stripe.Dispute>): Stripe.Dispute {
  return {
    object: 'dispute',
    id: 'dp_1',
    amount: 2500,
    currency: 'usd',
    status: 'lost',
    charge: 'ch_1',
    created: 1_795_000_000,
    balance_transactions: [],
    ...fields,
  } as Stripe.Dispute;
}

describe("Stripe objects → the port's results", () => {
  it("reads the fee from an expanded balance transaction in the charge's currency", () => {
    expect(
      chargeResultOf(charge({ id: 'ch_1', balance_transaction: balanceTransaction(103) })),
    ).toEqual({ status: 'succeeded', pspReference: 'ch_1', feeMinor: 103n });
  });

  it('leaves the fee to reconciliation when it is not expanded or is in the settlement currency', () => {
    expect(chargeResultOf(charge({ id: 'ch_1', balance_transaction: 'txn_1' }))).toMatchObject({
      feeMinor: null,
    });
    expect(
      chargeResultOf(charge({ id: 'ch_1', balance_transaction: balanceTransaction(91, 'eur') })),
    ).toMatchObject({ feeMinor: null });
  });

  it('converts a zero-decimal fee into ISO 4217 units (MGA: whole ariary at Stripe, two decimals in ISO)', () => {
    expect(
      chargeResultOf(
        charge({
          id: 'ch_1',
          currency: 'mga',
          amount: 12,
          balance_transaction: balanceTransaction(3, 'mga'),
        }),
      ),
    ).toMatchObject({ feeMinor: 300n });
  });

  it('keeps a charge that is only authorized, or pending, as pending; a failed one is declined with its reason', () => {
    expect(chargeResultOf(charge({ id: 'ch_1', captured: false }))).toEqual({
      status: 'pending',
      pspReference: 'ch_1',
    });
    expect(chargeResultOf(charge({ id: 'ch_1', status: 'pending' }))).toEqual({
      status: 'pending',
      pspReference: 'ch_1',
    });
    expect(
      chargeResultOf(
        charge({
          id: 'ch_1',
          status: 'failed',
          failure_code: 'card_declined',
          outcome: { reason: 'insufficient_funds' } as Stripe.Charge.Outcome,
        }),
      ),
    ).toEqual({
      status: 'declined',
      pspReference: 'ch_1',
      reason: 'insufficient_funds',
    });
  });

  it('looks up the captured charge of an order first, then a pending one, then its latest failure', () => {
    const failedEarly = charge({
      id: 'ch_a',
      status: 'failed',
      created: 1,
      failure_code: 'card_declined',
    });
    const failedLate = charge({
      id: 'ch_b',
      status: 'failed',
      created: 2,
      failure_code: 'expired_card',
    });
    const captured = charge({ id: 'ch_c' });
    expect(lookupResultOf('ord_1', [failedEarly, captured, failedLate])).toMatchObject({
      status: 'succeeded',
      pspReference: 'ch_c',
    });
    expect(lookupResultOf('ord_1', [failedEarly, failedLate])).toEqual({
      status: 'declined',
      pspReference: 'ch_b',
      reason: 'expired_card',
    });
    expect(lookupResultOf('ord_1', [])).toBeUndefined();
  });

  it('stops loudly when one order was captured twice at Stripe', () => {
    expect(() => lookupResultOf('ord_1', [charge({ id: 'ch_a' }), charge({ id: 'ch_b' })])).toThrow(
      InvariantError,
    );
    expect(() => lookupResultOf('ord_1', [charge({ id: 'ch_a' }), charge({ id: 'ch_b' })])).toThrow(
      /ord_1 was charged 2 times at Stripe \(ch_a, ch_b\)/,
    );
  });

  it("books a dispute once it is lost: its amount, and the fee of its withdrawal in the dispute's currency", () => {
    const lost = dispute({
      charge: charge({ id: 'ch_1', metadata: { payops_order_id: 'ord_7' } }),
      balance_transactions: [balanceTransaction(1500), balanceTransaction(900, 'eur')],
    });
    expect(lostDisputeOf(lost, undefined)).toEqual({
      disputeId: 'dp_1',
      chargeReference: 'ch_1',
      merchantReference: 'ord_7',
      amountMinor: 2500n,
      disputeFeeMinor: 1500n,
      currency: 'USD',
      createdAt: new Date(1_795_000_000_000).toISOString(),
    });
  });

  it('does not book a dispute that is open, won or only an inquiry', () => {
    for (const status of [
      'needs_response',
      'under_review',
      'won',
      'warning_needs_response',
      'warning_closed',
    ] as const) {
      expect(lostDisputeOf(dispute({ status }), undefined)).toBeUndefined();
    }
  });

  it('names no order for a dispute on a charge payops did not make (reconciliation takes it)', () => {
    expect(
      lostDisputeOf(dispute({}), charge({ id: 'ch_1', metadata: {} }))?.merchantReference,
    ).toBe('');
  });

  // Found in review: a refund still pending at Stripe was booked as final, though Stripe can yet
  // fail it and put the money back in the balance.
  it('books a refund only once it is final: succeeded, or failed and canceled as declined; pending is asked again', () => {
    const refund = (fields: Partial<Stripe.Refund>) =>
      ({
        object: 'refund',
        id: 're_1',
        amount: 1000,
        charge: 'ch_1',
        metadata: { payops_refund_id: 'rf_1' },
        failure_reason: null,
        ...fields,
      }) as Stripe.Refund;
    expect(refundOutcomeOf(refund({ status: 'succeeded' }))).toEqual({
      status: 'succeeded',
      pspReference: 're_1',
    });
    expect(
      refundOutcomeOf(refund({ status: 'failed', failure_reason: 'expired_or_canceled_card' })),
    ).toEqual({ status: 'declined', pspReference: 're_1', reason: 'expired_or_canceled_card' });
    expect(refundOutcomeOf(refund({ status: 'canceled' }))).toEqual({
      status: 'declined',
      pspReference: 're_1',
      reason: 'canceled',
    });
    for (const status of ['pending', 'requires_action']) {
      expect(refundOutcomeOf(refund({ status }))).toMatchObject({
        status: 'retryable',
        sent: true,
        detail: expect.stringContaining(`re_1 is ${status}`),
      });
    }
    expect(
      refundOfId('rf_1', [
        refund({ id: 're_0', metadata: { payops_refund_id: 'rf_0' } }),
        refund({}),
      ])?.id,
    ).toBe('re_1');
    expect(refundOfId('rf_2', [refund({})])).toBeUndefined();
  });
});

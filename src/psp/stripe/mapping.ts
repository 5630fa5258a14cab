import type Stripe from 'stripe';
import { InvariantError } from '../../errors.js';
import { type Currency, isCurrencyCode } from '../../money/index.js';
import type {
  ChargeResult,
  PspRejection,
  Dispute,
  RefundOutcome,
  RetryableFailure,
} from '../port.js';
import { fromStripeAmount } from './amounts.js';

/** The metadata key that carries our order id on every charge, so a look-up can find it. */
export const ORDER_ID_METADATA = 'payops_order_id';
export const REFUND_ID_METADATA = 'payops_refund_id';

export type SettledCharge = Exclude<ChargeResult, RetryableFailure | PspRejection>;

/**
 * What a Stripe Charge means for an order. A charge that succeeded but is not captured (an
 * authorization only: payops never asks for one) is not money yet, so it stays pending.
 */
export function chargeResultOf(charge: Stripe.Charge): SettledCharge {
  const currency = currencyOf(charge.currency, `charge ${charge.id}`);
  switch (charge.status) {
    case 'succeeded':
      return charge.captured === false
        ? { status: 'pending', pspReference: charge.id }
        : { status: 'succeeded', pspReference: charge.id, feeMinor: feeOf(charge, currency) };
    case 'pending':
      return { status: 'pending', pspReference: charge.id };
    case 'failed':
      return {
        status: 'declined',
        pspReference: charge.id,
        reason: charge.outcome?.reason ?? charge.failure_code ?? 'failed',
      };
    default:
      throw new InvariantError(
        `Stripe charge ${charge.id} has status "${String(charge.status)}", which payops does not know`,
      );
  }
}

/**
 * What a Stripe Refund means for payops. Only a final status is booked: a refund still `pending`
 * or `requires_action` can yet fail, and Stripe then puts the money back in the balance, so it is
 * asked about again (a retry with the same key, then a look-up) until it is final.
 */
export function refundOutcomeOf(refund: Stripe.Refund): RefundOutcome | RetryableFailure {
  switch (refund.status) {
    case 'succeeded':
      return { status: 'succeeded', pspReference: refund.id };
    case 'failed':
    case 'canceled':
      return {
        status: 'declined',
        pspReference: refund.id,
        reason: refund.failure_reason ?? refund.status,
      };
    default:
      return {
        status: 'retryable',
        kind: 'server_error',
        sent: true,
        detail: `Stripe refund ${refund.id} is ${String(refund.status)}, not final yet: asked again later`,
      };
  }
}

/** The refund Stripe holds for payops' refund id, among the refunds of one charge. */
export function refundOfId(
  refundId: string,
  refunds: readonly Stripe.Refund[],
): Stripe.Refund | undefined {
  return refunds.find((refund) => refund.metadata?.[REFUND_ID_METADATA] === refundId);
}

/**
 * The Stripe fee from the charge's balance transaction, when it was expanded and is in the charge's
 * currency (an account that settles in another currency is charged fees in that one: those are
 * left to reconciliation, as is any fee that has no exact value in ISO 4217 units).
 */
function feeOf(charge: Stripe.Charge, currency: Currency): bigint | null {
  const transaction = charge.balance_transaction;
  if (transaction === null || typeof transaction === 'string') return null;
  if (transaction.currency.toUpperCase() !== currency) return null;
  return fromStripeAmount(transaction.fee, currency) ?? null;
}

/** Stripe's lower-case code as payops' Currency; anything not in ISO 4217 is a broken answer. */
export function currencyOf(stripeCode: string, what: string): Currency {
  const code = stripeCode.toUpperCase();
  if (!isCurrencyCode(code))
    throw new InvariantError(
      `Stripe ${what} is in "${stripeCode}", which is not an ISO 4217 currency payops knows`,
    );
  return code;
}

export function orderIdOf(charge: Stripe.Charge): string | undefined {
  return charge.metadata?.[ORDER_ID_METADATA];
}

/**
 * The one result a look-up reports for all the charges Stripe holds for an order. One key per
 * order makes one charge; two captured charges for one order would be money taken twice, and
 * payops stops rather than book either.
 */
export function lookupResultOf(
  orderId: string,
  charges: readonly Stripe.Charge[],
): SettledCharge | undefined {
  const captured = charges.filter(
    (charge) => charge.status === 'succeeded' && charge.captured !== false,
  );
  if (captured.length > 1) {
    throw new InvariantError(
      `order ${orderId} was charged ${captured.length} times at Stripe (${captured.map((charge) => charge.id).join(', ')})`,
      {
        hint: 'refund the extra charges in the Stripe dashboard, then run `payops orders sync` again',
      },
    );
  }
  const chosen =
    captured[0] ??
    charges.find((charge) => charge.status === 'pending' || charge.status === 'succeeded') ??
    [...charges].sort((a, b) => b.created - a.created)[0];
  return chosen === undefined ? undefined : chargeResultOf(chosen);
}

/**
 * A dispute Stripe closed as lost, as the port's Dispute: payops books a chargeback once it is
 * final. Open disputes (whose funds Stripe has already withdrawn, and may reinstate) and won ones
 * are not chargebacks yet or at all; the withdrawals of open ones show in reconciliation.
 * The dispute fee is read from the dispute's balance transactions in the dispute's currency; a fee
 * charged in another (settlement) currency is left to reconciliation.
 */
export function lostDisputeOf(
  dispute: Stripe.Dispute,
  charge: Stripe.Charge | undefined,
): Dispute | undefined {
  if (dispute.status !== 'lost') return undefined;
  const code = currencyOf(dispute.currency, `dispute ${dispute.id}`);
  const amountMinor = fromStripeAmount(dispute.amount, code);
  if (amountMinor === undefined)
    throw new InvariantError(
      `Stripe dispute ${dispute.id}: amount ${dispute.amount} has no exact value in ${code}`,
    );
  let disputeFeeMinor = 0n;
  for (const transaction of dispute.balance_transactions ?? []) {
    if (transaction.currency.toUpperCase() !== code) continue;
    disputeFeeMinor += fromStripeAmount(transaction.fee, code) ?? 0n;
  }
  const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id;
  const chargeObject = typeof dispute.charge === 'string' ? charge : dispute.charge;
  return {
    disputeId: dispute.id,
    chargeReference: chargeId,
    merchantReference: (chargeObject && orderIdOf(chargeObject)) ?? '',
    amountMinor,
    disputeFeeMinor,
    currency: code,
    createdAt: new Date(dispute.created * 1000).toISOString(),
  };
}

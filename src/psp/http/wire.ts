import { InputError } from '../../errors.js';
import { type Currency, MAX_MINOR, toCurrency } from '../../money/index.js';
import type { ChargeRequest, PayoutRequest, RefundOutcome, RefundRequest } from '../port.js';

/**
 * The wire format of `payops psp serve`, shared by the server and the `http` adapter. JSON bodies;
 * every amount is a string of minor units ("2500"), never a JSON number, so no amount ever passes
 * through a float. Mutating requests carry an `Idempotency-Key` header.
 */
export const ROUTES = {
  charges: '/v1/charges',
  refunds: '/v1/refunds',
  payouts: '/v1/payouts',
  disputes: '/v1/disputes',
  health: '/health',
} as const;

/** Error codes in `{"error": {"type", "code", "message"}}` bodies. */
export const ERROR_CODES = {
  keyReused: 'idempotency_key_reused',
  keyInUse: 'idempotency_key_in_use',
  keyMissing: 'idempotency_key_missing',
  invalidRequest: 'invalid_request',
} as const;

const MINOR = /^(0|[1-9][0-9]{0,18})$/;

/** A count of minor units as the wire carries it: a string of digits within SQLite's INTEGER. */
export function parseMinor(text: unknown, where: string): bigint {
  if (typeof text !== 'string' || !MINOR.test(text)) throw new InputError(`${where}: expected a string of minor units such as "2500"`);
  const value = BigInt(text);
  if (value > MAX_MINOR) throw new InputError(`${where}: ${text} is out of range`);
  return value;
}

function text(body: Record<string, unknown>, field: string, maxLength = 200): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw new InputError(`${field}: expected a non-empty string`);
  return value;
}

function positive(body: Record<string, unknown>, field: string): bigint {
  const value = parseMinor(body[field], field);
  if (value <= 0n) throw new InputError(`${field}: must be greater than zero`);
  return value;
}

export function chargeBody(request: ChargeRequest): Record<string, string> {
  return { merchantReference: request.merchantReference, amountMinor: request.amountMinor.toString(), currency: request.currency, paymentToken: request.paymentToken };
}

export function parseChargeBody(body: Record<string, unknown>, idempotencyKey: string): ChargeRequest {
  return {
    idempotencyKey,
    merchantReference: text(body, 'merchantReference'),
    amountMinor: positive(body, 'amountMinor'),
    currency: toCurrency(body.currency) as Currency,
    paymentToken: text(body, 'paymentToken'),
  };
}

export function refundBody(request: RefundRequest): Record<string, string> {
  return { refundId: request.refundId, merchantReference: request.merchantReference, chargeReference: request.chargeReference, amountMinor: request.amountMinor.toString(), currency: request.currency };
}

export function parseRefundBody(body: Record<string, unknown>, idempotencyKey: string): RefundRequest {
  return {
    idempotencyKey,
    refundId: text(body, 'refundId'),
    merchantReference: text(body, 'merchantReference'),
    // A refund of an order payops never saw captured still reaches the PSP, which declines it.
    chargeReference: typeof body.chargeReference === 'string' ? body.chargeReference : '',
    amountMinor: positive(body, 'amountMinor'),
    currency: toCurrency(body.currency) as Currency,
  };
}

export function payoutBody(request: PayoutRequest): Record<string, string> {
  return { payoutId: request.payoutId, sellerId: request.sellerId, destination: request.destination, amountMinor: request.amountMinor.toString(), currency: request.currency };
}

export function parsePayoutBody(body: Record<string, unknown>, idempotencyKey: string): PayoutRequest {
  return {
    idempotencyKey,
    payoutId: text(body, 'payoutId'),
    sellerId: text(body, 'sellerId'),
    destination: text(body, 'destination', 64),
    amountMinor: positive(body, 'amountMinor'),
    currency: toCurrency(body.currency) as Currency,
  };
}

/**
 * A refund or payout as a look-up by payops' own id answers it (`GET /v1/refunds?refund_id=…`,
 * `GET /v1/payouts?payout_id=…`): what the PSP did with it, whichever key made it.
 */
export function transferObject(object: 'refund' | 'payout', ownId: string, outcome: RefundOutcome): Record<string, string | null> {
  return {
    object,
    id: outcome.pspReference,
    [object === 'refund' ? 'refundId' : 'payoutId']: ownId,
    status: outcome.status,
    failureCode: outcome.status === 'declined' ? outcome.reason : null,
  };
}

/** The outcome in a `transferObject`, or undefined when the object is not one. A payout's outcome has the same shape. */
export function parseTransferObject(body: unknown, object: 'refund' | 'payout'): RefundOutcome | undefined {
  const item = body as { object?: unknown; id?: unknown; status?: unknown; failureCode?: unknown } | null;
  if (item?.object !== object || typeof item.id !== 'string' || item.id === '') return undefined;
  if (item.status === 'succeeded') return { status: 'succeeded', pspReference: item.id };
  if (item.status === 'declined') return { status: 'declined', pspReference: item.id, reason: typeof item.failureCode === 'string' ? item.failureCode : 'declined' };
  return undefined;
}

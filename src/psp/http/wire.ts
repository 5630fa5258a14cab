import { InputError } from '../../errors.js';
import { type Currency, MAX_MINOR, toCurrency } from '../../money/index.js';
import type { ChargeRequest, PayoutRequest, RefundRequest } from '../port.js';

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

import { InputError } from '../../errors.js';
import { containsCardNumber, redactCardNumbers } from '../../input/card-numbers.js';
import { duplicateKeyReason, findDuplicateKey } from '../../input/json-keys.js';
import { IDENTIFIER, IDENTIFIER_RULE, PAYMENT_TOKEN, PAYMENT_TOKEN_RULE } from '../../input/ids.js';
import {
  type Currency,
  MAX_AMOUNT_MINOR,
  MAX_MINOR,
  printable,
  toCurrency,
} from '../../money/index.js';
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

/**
 * A count of minor units as the wire carries it: a string of digits, within the per-amount limit
 * (src/money MAX_AMOUNT_MINOR) that every amount entering payops is held to, requests to `psp
 * serve` and the PSP's answers and webhooks alike.
 */
export function parseMinor(text: unknown, where: string): bigint {
  if (typeof text !== 'string' || !MINOR.test(text))
    throw new InputError(`${where}: expected a string of minor units such as "2500"`);
  const value = BigInt(text);
  if (value > MAX_MINOR) throw new InputError(`${where}: ${text} is out of range`);
  if (value > MAX_AMOUNT_MINOR)
    throw new InputError(
      `${where}: ${text} is more than one amount may be (${MAX_AMOUNT_MINOR} minor units)`,
    );
  return value;
}

/*
 * The server checks a request as intake checks an event (src/payments/events.ts): the fields of
 * its operation and no others, ids and tokens of the same shapes, printable text only. What it
 * stores it must be able to write into a settlement file later (`psp settle`).
 */
const FIELDS = {
  charge: ['merchantReference', 'amountMinor', 'currency', 'paymentToken'],
  refund: ['refundId', 'merchantReference', 'chargeReference', 'amountMinor', 'currency'],
  payout: ['payoutId', 'sellerId', 'destination', 'amountMinor', 'currency'],
} as const;
/** A normalized IBAN, as payops keeps it (`normalizeIban`): the checksum is the bank's to check. */
const IBAN_SHAPE = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/;

/** A body with a key twice is refused (400): JSON.parse would keep the last, which the sender may not have meant. */
export function refuseDuplicateKeys(text: string): void {
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined)
    throw new InputError(
      `${redactCardNumbers(printable(duplicate.path))}: ${redactCardNumbers(duplicateKeyReason(duplicate.key))}`,
    );
}

function onlyFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new InputError(`${printable(unknown)}: unknown field`);
}

function matching(
  body: Record<string, unknown>,
  field: string,
  shape: RegExp,
  rule: string,
): string {
  const value = body[field];
  // Checked first, so that no answer ever echoes a card number (PCI DSS).
  if (typeof value === 'string' && containsCardNumber(value)) {
    throw new InputError(
      `${field}: holds a card number (${printable(redactCardNumbers(value))}); only the card vendor's tokens are accepted, never card details`,
    );
  }
  if (typeof value === 'string' && shape.test(value)) return value;
  throw new InputError(
    `${field}: expected ${rule}${typeof value === 'string' ? ` (got "${printable(value)}")` : ''}`,
  );
}

function identifier(body: Record<string, unknown>, field: string): string {
  return matching(body, field, IDENTIFIER, IDENTIFIER_RULE);
}

function positive(body: Record<string, unknown>, field: string): bigint {
  const value = parseMinor(body[field], field);
  if (value <= 0n) throw new InputError(`${field}: must be greater than zero`);
  return value;
}

export function chargeBody(request: ChargeRequest): Record<string, string> {
  return {
    merchantReference: request.merchantReference,
    amountMinor: request.amountMinor.toString(),
    currency: request.currency,
    paymentToken: request.paymentToken,
  };
}

export function parseChargeBody(
  body: Record<string, unknown>,
  idempotencyKey: string,
): ChargeRequest {
  onlyFields(body, FIELDS.charge);
  return {
    idempotencyKey,
    merchantReference: identifier(body, 'merchantReference'),
    amountMinor: positive(body, 'amountMinor'),
    currency: toCurrency(body.currency) as Currency,
    paymentToken: matching(body, 'paymentToken', PAYMENT_TOKEN, PAYMENT_TOKEN_RULE),
  };
}

export function refundBody(request: RefundRequest): Record<string, string> {
  return {
    refundId: request.refundId,
    merchantReference: request.merchantReference,
    chargeReference: request.chargeReference,
    amountMinor: request.amountMinor.toString(),
    currency: request.currency,
  };
}

export function parseRefundBody(
  body: Record<string, unknown>,
  idempotencyKey: string,
): RefundRequest {
  onlyFields(body, FIELDS.refund);
  return {
    idempotencyKey,
    refundId: identifier(body, 'refundId'),
    merchantReference: identifier(body, 'merchantReference'),
    // A refund of an order payops never saw captured still reaches the PSP (no reference), which declines it.
    chargeReference:
      body.chargeReference === undefined || body.chargeReference === ''
        ? ''
        : identifier(body, 'chargeReference'),
    amountMinor: positive(body, 'amountMinor'),
    currency: toCurrency(body.currency) as Currency,
  };
}

export function payoutBody(request: PayoutRequest): Record<string, string> {
  return {
    payoutId: request.payoutId,
    sellerId: request.sellerId,
    destination: request.destination,
    amountMinor: request.amountMinor.toString(),
    currency: request.currency,
  };
}

export function parsePayoutBody(
  body: Record<string, unknown>,
  idempotencyKey: string,
): PayoutRequest {
  onlyFields(body, FIELDS.payout);
  return {
    idempotencyKey,
    payoutId: identifier(body, 'payoutId'),
    sellerId: identifier(body, 'sellerId'),
    destination: matching(body, 'destination', IBAN_SHAPE, 'an IBAN without spaces, in capitals'),
    amountMinor: positive(body, 'amountMinor'),
    currency: toCurrency(body.currency) as Currency,
  };
}

/**
 * A refund or payout as a look-up by payops' own id answers it (`GET /v1/refunds?refund_id=…`,
 * `GET /v1/payouts?payout_id=…`): what the PSP did with it, whichever key made it.
 */
export function transferObject(
  object: 'refund' | 'payout',
  ownId: string,
  outcome: RefundOutcome,
): Record<string, string | null> {
  return {
    object,
    id: outcome.pspReference,
    [object === 'refund' ? 'refundId' : 'payoutId']: ownId,
    status: outcome.status,
    failureCode: outcome.status === 'declined' ? outcome.reason : null,
  };
}

/** The outcome in a `transferObject`, or undefined when the object is not one. A payout's outcome has the same shape. */
export function parseTransferObject(
  body: unknown,
  object: 'refund' | 'payout',
): RefundOutcome | undefined {
  const item = body as {
    object?: unknown;
    id?: unknown;
    status?: unknown;
    failureCode?: unknown;
  } | null;
  if (item?.object !== object || typeof item.id !== 'string' || item.id === '') return undefined;
  if (item.status === 'succeeded') return { status: 'succeeded', pspReference: item.id };
  if (item.status === 'declined')
    return {
      status: 'declined',
      pspReference: item.id,
      reason: typeof item.failureCode === 'string' ? item.failureCode : 'declined',
    };
  return undefined;
}

import {
  type Currency,
  MAX_AMOUNT_MINOR,
  formatAmount,
  isCurrencyCode,
  parseAmount,
} from '../money/index.js';
import { IDENTIFIER, PAYMENT_TOKEN } from '../input/ids.js';
import { isPlainText } from '../input/text.js';
import { unknownFieldReason } from '../input/names.js';
import { InputError } from '../errors.js';
import { jsonString } from '../json.js';
import { sha256Hex } from '../sha256.js';
import { cardNumberPath, containsCardNumber, maskedCard } from '../input/card-numbers.js';
import { normalizeInstant } from '../time.js';

/**
 * Checkout events as they arrive in files (DESIGN.md §3), validated at the edge. A rejection
 * names the field and the reason; the caller adds the file and line.
 */
export interface PayInOrder {
  orderId: string;
  sellerId: string;
  amountMinor: bigint;
  platformFeeMinor: bigint;
  metadata: string;
}

export interface PayInEvent {
  type: 'pay_in';
  eventId: string;
  occurredAt: string;
  currency: Currency;
  payerId: string;
  paymentToken: string;
  orders: PayInOrder[];
  /** SHA-256 of the event's canonical JSON: equal for the same content in any file format. */
  contentHash: string;
}

/** A delivered order: its seller share becomes payable; the seller's payout details are recorded. */
export interface PayOutEvent {
  type: 'pay_out';
  eventId: string;
  occurredAt: string;
  orderId: string;
  seller: { id: string; name: string; iban: string };
  contentHash: string;
}

/** All or part of a captured order goes back to the buyer. The amount is in the order's currency. */
export interface RefundEvent {
  type: 'refund';
  eventId: string;
  occurredAt: string;
  orderId: string;
  /** Decimal string as given; parsed against the order's currency when the refund is applied. */
  amount: string;
  reason: string;
  contentHash: string;
}

export type PaymentEvent = PayInEvent | PayOutEvent | RefundEvent;

export class EventRejection extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    /** The event id, when it could be read, so reports can name it. */
    readonly eventId?: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const ID = IDENTIFIER;
const TOKEN = PAYMENT_TOKEN;
const MAX_ORDERS_PER_EVENT = 100;
const MAX_METADATA_BYTES = 2048;
const MAX_METADATA_DEPTH = 8;
/**
 * The most one order may be: src/money's per-amount limit, refused here before anything is
 * charged (a capture that would overflow a balance is refused by the ledger after the PSP charged it).
 */
export const MAX_ORDER_AMOUNT_MINOR = MAX_AMOUNT_MINOR;

const PAY_IN_FIELDS = new Set([
  'eventId',
  'type',
  'occurredAt',
  'currency',
  'payer',
  'paymentToken',
  'orders',
]);
const PAY_OUT_FIELDS = new Set(['eventId', 'type', 'occurredAt', 'orderId', 'seller']);
const REFUND_FIELDS = new Set(['eventId', 'type', 'occurredAt', 'orderId', 'amount', 'reason']);
const MAX_NAME_LENGTH = 200;
const ORDER_FIELDS = new Set(['orderId', 'sellerId', 'amount', 'platformFee', 'metadata']);
const SELLER_FIELDS = ['id', 'name', 'account'];
const SEE_DESIGN = '(check the spelling; see DESIGN.md §3)';

export function validateEvent(value: unknown): PaymentEvent {
  if (!isObject(value)) throw new EventRejection('event', 'expected a JSON object');
  refuseCardNumbers(value);
  const eventId = identifier(value.eventId, 'eventId');
  const fail = (field: string, reason: string): never => {
    throw new EventRejection(field, reason, eventId);
  };
  if (value.type === 'refund') return validateRefund(value, eventId, fail);
  if (value.type === 'pay_out') return validatePayOut(value, eventId, fail);
  if (value.type !== 'pay_in') fail('type', `expected "pay_in", "pay_out" or "refund"`);

  const unknown = Object.keys(value).find((key) => !PAY_IN_FIELDS.has(key));
  if (unknown !== undefined) fail(unknown, unknownFieldReason(unknown, PAY_IN_FIELDS, SEE_DESIGN));

  const occurredAt = withField('occurredAt', eventId, () =>
    normalizeInstant(value.occurredAt, 'occurredAt'),
  );
  if (typeof value.currency !== 'string' || !isCurrencyCode(value.currency)) {
    fail(
      'currency',
      `${JSON.stringify(value.currency ?? null)} is not an ISO 4217 currency code such as "USD"`,
    );
  }
  const currency = value.currency as Currency;
  if (!isObject(value.payer)) fail('payer', 'expected an object such as {"id":"buyer_42"}');
  const payerId = withField('payer.id', eventId, () =>
    identifier((value.payer as Record<string, unknown>).id, 'payer.id'),
  );
  const paymentToken = checkToken(value.paymentToken, eventId);

  if (!Array.isArray(value.orders) || value.orders.length === 0)
    fail('orders', 'expected a non-empty array of orders');
  const rawOrders = value.orders as unknown[];
  if (rawOrders.length > MAX_ORDERS_PER_EVENT)
    fail('orders', `at most ${MAX_ORDERS_PER_EVENT} orders per checkout`);
  const seen = new Set<string>();
  const orders = rawOrders.map((raw, index) => {
    const at = `orders[${index}]`;
    if (!isObject(raw)) return fail(at, 'expected an object');
    const extra = Object.keys(raw).find((key) => !ORDER_FIELDS.has(key));
    if (extra !== undefined) fail(`${at}.${extra}`, unknownFieldReason(extra, ORDER_FIELDS));
    const orderId = withField(`${at}.orderId`, eventId, () =>
      identifier(raw.orderId, `${at}.orderId`),
    );
    if (seen.has(orderId)) fail(`${at}.orderId`, `${orderId} appears twice in this event`);
    seen.add(orderId);
    const sellerId = withField(`${at}.sellerId`, eventId, () =>
      identifier(raw.sellerId, `${at}.sellerId`),
    );
    const amountMinor = withField(`${at}.amount`, eventId, () =>
      parseAmount(raw.amount, currency, `${at}.amount`),
    );
    if (amountMinor <= 0n)
      fail(`${at}.amount`, `must be greater than zero (got "${String(raw.amount)}")`);
    if (amountMinor > MAX_ORDER_AMOUNT_MINOR)
      fail(
        `${at}.amount`,
        `"${String(raw.amount)}" is more than one order may be (${formatAmount(MAX_ORDER_AMOUNT_MINOR, currency)} ${currency})`,
      );
    const platformFeeMinor =
      raw.platformFee === undefined
        ? 0n
        : withField(`${at}.platformFee`, eventId, () =>
            parseAmount(raw.platformFee, currency, `${at}.platformFee`),
          );
    if (platformFeeMinor < 0n) fail(`${at}.platformFee`, 'must not be negative');
    if (platformFeeMinor > amountMinor)
      fail(
        `${at}.platformFee`,
        `${String(raw.platformFee)} is more than the order amount ${String(raw.amount)}`,
      );
    let metadata = '{}';
    if (raw.metadata !== undefined) {
      if (!isObject(raw.metadata)) fail(`${at}.metadata`, 'expected an object');
      // Checked before it is serialized: canonicalJson recurses, and a deeply nested value would overflow the stack.
      const problem = metadataProblem(raw.metadata, 1);
      if (problem !== undefined) fail(`${at}.metadata`, problem);
      metadata = canonicalJson(raw.metadata);
      if (Buffer.byteLength(metadata) > MAX_METADATA_BYTES)
        fail(`${at}.metadata`, `larger than ${MAX_METADATA_BYTES} bytes`);
    }
    return { orderId, sellerId, amountMinor, platformFeeMinor, metadata };
  });

  return {
    type: 'pay_in',
    eventId,
    occurredAt,
    currency,
    payerId,
    paymentToken,
    orders,
    contentHash: sha256Hex(canonicalJson(value)),
  };
}

/**
 * A card number anywhere in an event (any field, key or number; metadata and payer included) is
 * refused before any other rule can echo it: only its last four digits are ever named.
 */
function refuseCardNumbers(value: Record<string, unknown>): void {
  const card = cardNumberPath(value);
  if (card === undefined) return;
  const eventId =
    typeof value.eventId === 'string' &&
    ID.test(value.eventId) &&
    !containsCardNumber(value.eventId)
      ? value.eventId
      : undefined;
  throw new EventRejection(
    card.path,
    `${CARD_NUMBER_REASON} (${maskedCard(card.last4)} was not stored)`,
    eventId,
  );
}

export const CARD_NUMBER_REASON =
  'looks like a card number; payops accepts only tokens from the card vendor, never card details';

function validatePayOut(
  value: Record<string, unknown>,
  eventId: string,
  fail: (field: string, reason: string) => never,
): PayOutEvent {
  const unknown = Object.keys(value).find((key) => !PAY_OUT_FIELDS.has(key));
  if (unknown !== undefined) fail(unknown, unknownFieldReason(unknown, PAY_OUT_FIELDS, SEE_DESIGN));
  const occurredAt = withField('occurredAt', eventId, () =>
    normalizeInstant(value.occurredAt, 'occurredAt'),
  );
  const orderId = withField('orderId', eventId, () => identifier(value.orderId, 'orderId'));
  if (!isObject(value.seller)) fail('seller', 'expected {"id", "name", "account": {"iban"}}');
  const seller = value.seller as Record<string, unknown>;
  const extra = Object.keys(seller).find((key) => !SELLER_FIELDS.includes(key));
  if (extra !== undefined) fail(`seller.${extra}`, unknownFieldReason(extra, SELLER_FIELDS));
  const id = withField('seller.id', eventId, () => identifier(seller.id, 'seller.id'));
  if (
    typeof seller.name !== 'string' ||
    seller.name.trim().length === 0 ||
    seller.name.length > MAX_NAME_LENGTH ||
    !isPlainText(seller.name)
  ) {
    fail(
      'seller.name',
      `required: the seller's name, at most ${MAX_NAME_LENGTH} printable characters`,
    );
  }
  if (!isObject(seller.account)) fail('seller.account', 'expected {"iban": "…"}');
  const account = seller.account as Record<string, unknown>;
  const accountExtra = Object.keys(account).find((key) => key !== 'iban');
  if (accountExtra !== undefined)
    fail(
      `seller.account.${accountExtra}`,
      `${unknownFieldReason(accountExtra, ['iban'])}: payops pays out to an IBAN`,
    );
  const iban = normalizeIban(account.iban);
  if (iban === undefined)
    fail(
      'seller.account.iban',
      'is not a valid IBAN (country code, check digits and account number; the checksum must hold)',
    );
  return {
    type: 'pay_out',
    eventId,
    occurredAt,
    orderId,
    seller: { id, name: (seller.name as string).trim(), iban: iban as string },
    contentHash: sha256Hex(canonicalJson(value)),
  };
}

function validateRefund(
  value: Record<string, unknown>,
  eventId: string,
  fail: (field: string, reason: string) => never,
): RefundEvent {
  const unknown = Object.keys(value).find((key) => !REFUND_FIELDS.has(key));
  if (unknown !== undefined) fail(unknown, unknownFieldReason(unknown, REFUND_FIELDS, SEE_DESIGN));
  const occurredAt = withField('occurredAt', eventId, () =>
    normalizeInstant(value.occurredAt, 'occurredAt'),
  );
  const orderId = withField('orderId', eventId, () => identifier(value.orderId, 'orderId'));
  if (typeof value.amount === 'number')
    fail(
      'amount',
      `amounts must be decimal strings such as "4.00", not JSON numbers (got ${value.amount})`,
    );
  if (typeof value.amount !== 'string' || !/^[0-9]{1,19}(\.[0-9]{1,4})?$/.test(value.amount))
    fail('amount', 'expected a positive decimal string such as "4.00"');
  if (/^0+(\.0+)?$/.test(value.amount as string)) fail('amount', 'must be greater than zero');
  const reason = value.reason === undefined ? '' : value.reason;
  if (typeof reason !== 'string' || reason.length > 200 || !isPlainText(reason))
    fail('reason', 'expected text of at most 200 printable characters');
  return {
    type: 'refund',
    eventId,
    occurredAt,
    orderId,
    amount: value.amount as string,
    reason: reason as string,
    contentHash: sha256Hex(canonicalJson(value)),
  };
}

/** An IBAN without spaces, upper-case, if its ISO 13616 mod-97 checksum holds. */
export function normalizeIban(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const iban = value.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return undefined;
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (letter) =>
    String(letter.charCodeAt(0) - 55),
  );
  let remainder = 0;
  for (const digit of rearranged) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1 ? iban : undefined;
}

/** `DE89370400440532013000` → `DE•• •••• 3000`: enough to recognize, never enough to use. */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 2)}•• •••• ${iban.slice(-4)}`;
}

function identifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new EventRejection(field, 'required: a non-empty string');
  if (!ID.test(value)) {
    throw new EventRejection(
      field,
      `"${value.slice(0, 40)}" must be 1–100 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
  return value;
}

function checkToken(value: unknown, eventId: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new EventRejection('paymentToken', 'required: the token the card vendor issued', eventId);
  if (looksLikeCardNumber(value)) {
    throw new EventRejection(
      'paymentToken',
      'looks like a card number; payops accepts only tokens from the card vendor, never card details',
      eventId,
    );
  }
  if (!TOKEN.test(value))
    throw new EventRejection('paymentToken', 'must be 3–255 letters, digits, "_" or "-"', eventId);
  return value;
}

/** 12–19 digits, optionally grouped by spaces or dashes: a primary account number. */
function looksLikeCardNumber(text: string): boolean {
  return /^[\d -]{12,30}$/.test(text) && /^\d{12,19}$/.test(text.replace(/[ -]/g, ''));
}

function withField<T>(field: string, eventId: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EventRejection)
      throw new EventRejection(error.field, error.reason, eventId);
    if (error instanceof InputError) {
      const message = error.message.startsWith(`${field}: `)
        ? error.message.slice(field.length + 2)
        : error.message;
      throw new EventRejection(field, message, eventId);
    }
    throw error;
  }
}

/** Why free-form metadata cannot be kept, or undefined: too deep, or text that is not printable. */
function metadataProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_METADATA_DEPTH) return `nested deeper than ${MAX_METADATA_DEPTH} levels`;
  if (typeof value === 'string')
    return isPlainText(value)
      ? undefined
      : 'text must be printable: no control characters or unpaired surrogates';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = metadataProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (!isPlainText(key))
        return 'keys must be printable: no control characters or unpaired surrogates';
      const problem = metadataProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/**
 * JSON with object keys sorted at every level: one text per content. Its bytes are the event's
 * identity (the content hash that tells a duplicate from a conflict), so they must never change:
 * test/payments/events.test.ts compares it with the plain JSON.stringify formulation.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return jsonString(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let index = 0; index < value.length; index++)
      text += `${index === 0 ? '' : ','}${canonicalJson(value[index])}`;
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  text = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    text += `${index === 0 ? '' : ','}${jsonString(key)}:${canonicalJson(object[key])}`;
  }
  return `${text}}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

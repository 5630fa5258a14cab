import { type Currency, exponentOf, formatAmount } from '../../money/index.js';

/**
 * Stripe counts amounts in its own minor units, which are not always ISO 4217's
 * (https://docs.stripe.com/currencies, "Zero-decimal", "Three-decimal" and "Special cases"):
 * - zero-decimal at Stripe: these; MGA has two decimals in ISO 4217 but none at Stripe;
 * - three-decimal (as ISO 4217), but Stripe only takes amounts whose last digit is 0;
 * - ISK has no decimals in ISO 4217 yet stays two-decimal at Stripe (`100` is 1 króna);
 * - every other currency with two decimals in ISO 4217 has two at Stripe (HUF and TWD included:
 *   their whole-unit rule is for payouts, which payops does not send through Stripe).
 * Currencies outside these lists (IQD, LYD, CLF, UYI, UYW) have no Stripe unit payops can vouch for.
 */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);
const TWO_DECIMAL_AT_STRIPE_ONLY = new Set(['ISK']);

/** Decimals of the currency's unit in Stripe's API, or undefined when payops will not charge it there. */
export function stripeExponentOf(currency: Currency): number | undefined {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  if (TWO_DECIMAL_AT_STRIPE_ONLY.has(currency)) return 2;
  return exponentOf(currency) === 2 ? 2 : undefined;
}

export type StripeAmount = { ok: true; amount: number } | { ok: false; reason: string };

/**
 * ISO 4217 minor units → Stripe's, exactly or not at all: an amount Stripe cannot represent is
 * refused with the reason, never rounded. The result is a JS number because the SDK takes one;
 * it is checked to be a safe integer, so no unit is lost on the way.
 */
export function toStripeAmount(amountMinor: bigint, currency: Currency): StripeAmount {
  const shown = `${formatAmount(amountMinor, currency)} ${currency}`;
  const stripeExponent = stripeExponentOf(currency);
  if (stripeExponent === undefined)
    return {
      ok: false,
      reason: `payops does not charge ${currency} through Stripe (no Stripe minor unit it can vouch for)`,
    };
  const isoExponent = exponentOf(currency);
  let units: bigint;
  if (stripeExponent >= isoExponent) {
    units = amountMinor * 10n ** BigInt(stripeExponent - isoExponent);
  } else {
    const factor = 10n ** BigInt(isoExponent - stripeExponent);
    if (amountMinor % factor !== 0n)
      return {
        ok: false,
        reason: `${shown} cannot be charged exactly: Stripe takes ${currency} in whole units only, and payops never rounds`,
      };
    units = amountMinor / factor;
  }
  if (THREE_DECIMAL.has(currency) && units % 10n !== 0n) {
    return {
      ok: false,
      reason: `${shown} cannot be charged exactly: Stripe takes ${currency} amounts only when their last decimal is 0, and payops never rounds`,
    };
  }
  if (units <= 0n || units > BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, reason: `${shown} is outside what Stripe can be asked to charge` };
  return { ok: true, amount: Number(units) };
}

/** Stripe's minor units → ISO 4217's; undefined when the amount has no exact ISO value (a fraction of an ISK). */
export function fromStripeAmount(units: number, currency: Currency): bigint | undefined {
  const stripeExponent = stripeExponentOf(currency);
  if (stripeExponent === undefined || !Number.isSafeInteger(units)) return undefined;
  const isoExponent = exponentOf(currency);
  const stripeUnits = BigInt(units);
  if (isoExponent >= stripeExponent)
    return stripeUnits * 10n ** BigInt(isoExponent - stripeExponent);
  const factor = 10n ** BigInt(stripeExponent - isoExponent);
  return stripeUnits % factor === 0n ? stripeUnits / factor : undefined;
}

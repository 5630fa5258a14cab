import { z } from 'zod';
import type { Currency } from './currencies.js';
import { formatAmount } from './money.js';

/**
 * Money in every JSON output (docs/OUTPUT.md): the decimal string in the currency's exponent, the
 * currency, and the exact minor units as a string (a JSON number loses digits past 2^53).
 */
export const moneyJsonSchema = z
  .object({
    amount: z.string().regex(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/),
    currency: z.string().regex(/^[A-Z]{3}$/),
    amountMinor: z.string().regex(/^-?(0|[1-9][0-9]*)$/),
  })
  .strict();

export type MoneyJson = z.infer<typeof moneyJsonSchema>;

export function moneyJson(amountMinor: bigint, currency: Currency): MoneyJson {
  return {
    amount: formatAmount(amountMinor, currency),
    currency,
    amountMinor: amountMinor.toString(),
  };
}

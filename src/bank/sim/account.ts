import { type Currency, exponentOf } from '../../money/index.js';

/**
 * The simulated bank's fixed facts (docs/RECONCILIATION.md "A bank to test against"): one
 * operating account per currency, a valid IBAN `GBkk SIMB 0000 01` + 8 digits spelling the currency
 * (each letter as 10..35, so USD is 00302813: GB65SIMB00000100302813); its own references; the
 * account charge it takes on every day with movements.
 */
const BANK_CODE = 'SIMB';
const SORT_CODE = '000001';

export function simBankIban(currency: Currency): string {
  const accountNumber = [...currency]
    .map((letter) => String(letter.charCodeAt(0) - 55))
    .join('')
    .padStart(8, '0');
  const bban = `${BANK_CODE}${SORT_CODE}${accountNumber}`;
  return `GB${ibanCheckDigits('GB', bban)}${bban}`;
}

/** ISO 13616: 98 − (BBAN + country + "00", letters as 10..35) mod 97. */
function ibanCheckDigits(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`]
    .map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char))
    .join('');
  return String(98n - (BigInt(digits) % 97n)).padStart(2, '0');
}

/** The statement of `currency` for `day`. */
export function simStatementId(day: string, currency: Currency): string {
  return `${BANK_CODE}-${day.replaceAll('-', '')}-${currency}`;
}

/** The bank's own reference (AcctSvcrRef) of the `sequence`-th entry it booked on `day` in `currency`. */
export function simBankReference(day: string, currency: Currency, sequence: number): string {
  return `${BANK_CODE}${day.replaceAll('-', '')}${currency}${String(sequence).padStart(6, '0')}`;
}

/** One unit of `currency` in minor units (1.00 USD = 100, 1 JPY = 1). */
export function unitMinor(currency: Currency): bigint {
  return 10n ** BigInt(exponentOf(currency));
}

/**
 * The account charge of a day with movements: 1.50 in the currency's units, 15 in a currency with
 * no minor unit (JPY): always under the default `bank.feeCap` of 25.00 units, so the rule books it.
 */
export function simAccountChargeMinor(currency: Currency): bigint {
  const exponent = exponentOf(currency);
  return exponent === 0 ? 15n : 15n * 10n ** BigInt(exponent - 1);
}

/** The default `bank.feeCap`: 25.00 in the currency's units. */
export function defaultFeeCapMinor(currency: Currency): bigint {
  return 25n * unitMinor(currency);
}

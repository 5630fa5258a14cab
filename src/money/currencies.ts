/**
 * ISO 4217 currencies and their minor-unit exponents (list one, active codes plus the few recently
 * replaced ones that still appear in settlement files: ANG, CUC, SLL, ZWL). Codes whose minor unit
 * is "N.A." (precious metals, XDR, testing codes) are not currencies money can be moved in and are
 * left out on purpose.
 */
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
const EXPONENT_2 =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP ' +
  'BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR ' +
  'FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW ' +
  'KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN ' +
  'NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD ' +
  'SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU ' +
  'UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL';

const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...EXPONENT_0.split(' ').map((code) => [code, 0] as const),
  ...EXPONENT_2.split(' ').map((code) => [code, 2] as const),
  ...EXPONENT_3.split(' ').map((code) => [code, 3] as const),
  ...EXPONENT_4.split(' ').map((code) => [code, 4] as const),
]);

/** A validated ISO 4217 code. Only `toCurrency` makes one. */
export type Currency = string & { readonly __currency: unique symbol };

export function isCurrencyCode(code: string): code is Currency {
  return EXPONENTS.has(code);
}

/** Number of decimals of the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function exponentOf(currency: Currency): number {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) throw new TypeError(`not a validated currency: ${currency}`);
  return exponent;
}

export function allCurrencyCodes(): string[] {
  return [...EXPONENTS.keys()].sort();
}

export { type Currency, allCurrencyCodes, exponentOf, isCurrencyCode } from './currencies.js';
export {
  MAX_AMOUNT_MINOR,
  MAX_MINOR,
  MAX_SUM_MINOR,
  MIN_MINOR,
  addMoney,
  assertInRange,
  beyondAmountLimit,
  formatAmount,
  formatMoney,
  money,
  parseAmount,
  parseBoundedAmount,
  parsePositiveAmount,
  printable,
  subtractMoney,
  toCurrency,
} from './money.js';
export { type MoneyJson, moneyJson, moneyJsonSchema } from './json.js';
export { type RoundingMode, allocate, applyBasisPoints, divideRounded } from './allocate.js';

export { type Currency, allCurrencyCodes, exponentOf, isCurrencyCode } from './currencies.js';
export {
  type Money,
  MAX_MINOR,
  MIN_MINOR,
  addMoney,
  assertInRange,
  formatAmount,
  formatMoney,
  money,
  parseAmount,
  parsePositiveAmount,
  printable,
  subtractMoney,
  toCurrency,
} from './money.js';
export { type RoundingMode, allocate, applyBasisPoints, divideRounded } from './allocate.js';

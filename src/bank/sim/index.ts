export { simBankIban, simAccountChargeMinor, defaultFeeCapMinor } from './account.js';
export { addBusinessDays, arrivalDay } from './calendar.js';
export { type SimBankFacts, type SimSellerPayout, trueStatements } from './day.js';
export { BANK_DISCREPANCY_KINDS, type BankDiscrepancyKind, type BankInjection } from './inject.js';
export {
  type BankDayOptions,
  type BankDayPlan,
  MAX_DELAY_DAYS,
  checkBankDayOptions,
  planBankDay,
} from './plan.js';
export {
  type BankStatementManifest,
  type BankStatementOptions,
  simBankFacts,
  writeSimBankStatement,
} from './statement.js';

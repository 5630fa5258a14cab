export { simBankIban } from './account.js';
export { arrivalDay } from './calendar.js';
export type {
  SimBankFacts,
  SimSellerPayout,
} from './day.js';
export { BANK_DISCREPANCY_KINDS } from './inject.js';
export {
  checkBankDayOptions,
  planBankDay,
} from './plan.js';
export {
  type BankStatementManifest,
  simBankFacts,
  writeSimBankStatement,
} from './statement.js';

/** The bank's source name lives in reconcile, which routes its items to the bank's leg. */
export { BANK_SOURCE } from '../reconcile/source-leg.js';

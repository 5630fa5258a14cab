export { duplicateKey, entryFingerprint } from './fingerprint.js';
export { planStatement } from './plan.js';
export type {
  EntryPlan,
  ExpectedPayout,
  ExpectedPspPayout,
  ExpectedSellerPayout,
  ImportedKeys,
} from './types.js';

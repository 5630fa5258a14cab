/*
 * The pay-in posting rules live in src/postings/payin.ts. This re-export stays only while
 * src/payments/record.ts (moved into src/work in parallel in issue 17) imports them from here;
 * the lead points that import at src/postings and deletes this file.
 */
export { captureTransaction, pspFeeTransaction } from '../postings/index.js';

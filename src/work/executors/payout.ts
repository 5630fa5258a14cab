import type { PayoutResult } from '../../psp/port.js';
import { type ExecutorOptions, WorkEngine } from '../engine.js';
import { type PayoutTally, emptyPayoutTally, payoutRules } from '../kinds/payout.js';
import type { ExecutorBook } from './book-ports.js';
import type { ClaimedPayout } from '../../payouts/store.js';

export type { PayoutTally };
export { emptyPayoutTally };

/** The pay-in executor's options (the same protocol, leases and retry policy), without its progress callback. */
export type PayoutExecutorOptions = Omit<ExecutorOptions, 'onBatch'>;

/**
 * Sends payouts with the work engine (src/work/engine.ts), exactly as pay-in charges: claim under
 * a lease, call the payout PSP outside any transaction with the payout's fixed key, then write the
 * payout's status, its ledger posting and the wallet in one transaction. A crash anywhere resumes
 * with the same key, so a seller is never paid twice.
 */
export class PayoutExecutor extends WorkEngine<ClaimedPayout, PayoutResult, PayoutTally> {
  constructor(book: ExecutorBook, options: PayoutExecutorOptions) {
    // `retry run` passes the charges' options: payouts report no progress, as the type says.
    super(book.work.payouts(), payoutRules(), { ...options, onBatch: undefined });
  }
}

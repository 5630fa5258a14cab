import { UsageError } from '../../errors.js';
import type { RetryPolicy } from '../../payments/retry-policy.js';
import { runQueues } from '../drain.js';
import type { PaymentServiceProvider } from '../../psp/port.js';
import type { Clock } from '../../time.js';
import { type PayoutTally, PayoutExecutor, emptyPayoutTally } from './payout.js';
import {
  type PayoutFilter,
  type PayoutPlan,
  createPayouts,
  previewPayouts,
} from '../../payouts/plan.js';
import type { OpenWork } from '../../payments/queries.js';
import { openPayouts } from '../../payouts/queries.js';
import type { HeldGroup } from '../leases/leases.js';
import { type HeldSettlement, settleHeldPayOuts } from '../../payouts/settle-held.js';
import type { PayoutsStore } from '../../payouts/payouts-store.js';
import type { PayoutRunBook } from './book-ports.js';

export interface PayoutRunOptions extends PayoutFilter {
  psp: PaymentServiceProvider;
  retry: RetryPolicy;
  clock: Clock;
  dryRun?: boolean;
  wait?: boolean;
  batchSize?: number;
  leaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  maxHeldWaitMs?: number;
  onWait?: (message: string) => void;
}

export interface PayoutRunSummary {
  dryRun: boolean;
  plan: PayoutPlan;
  payoutIds: string[];
  execution: PayoutTally;
  /** Payouts still waiting in the retry queue or dead letters after the run. */
  open: OpenWork;
  /** Payouts left in `executing` under another process's lease after the run. */
  held: HeldGroup[];
  /** Held pay_outs settled before planning (in a dry run: what would be, nothing written). */
  heldPayOuts: HeldSettlement;
}

/**
 * `payout run`: create one payout per seller and currency for everything payable (amounts and
 * keys fixed in one transaction), then send every payout that is new or due, including those
 * left by an earlier, crashed run. `dryRun` plans and changes nothing.
 */
export async function runPayouts(
  book: PayoutRunBook,
  options: PayoutRunOptions,
): Promise<PayoutRunSummary> {
  if (!options.psp.supportsPayouts) {
    throw new UsageError(
      `payout run: payops does not send payouts through --psp ${options.psp.name}; nothing was claimed`,
      {
        // Only bank-funded payouts are reconciled (docs/RECONCILIATION.md, "Money in transit"): a PSP
        // that pays sellers from its own balance would show the transfer in its settlement file, never
        // on the bank statement that clears liabilities:payouts:in-transit.
        hint: 'run payouts with a PSP that sends bank transfers from the operating account (--psp sim or http); a PSP paying sellers from its own balance is not supported',
      },
    );
  }
  const payouts = book.payouts();
  if (options.dryRun) return dryRun(payouts, options);
  // Held pay_outs whose order was captured since (by a webhook, a sync, a crashed run) become payable first.
  const heldPayOuts = await settleHeldPayOuts(payouts);
  const created = await createPayouts(
    payouts,
    options,
    options.psp.name,
    new Date(options.clock()).toISOString(),
  );
  const executor = new PayoutExecutor(book, options);
  const tally = emptyPayoutTally();
  await runQueues(
    [
      {
        runDue: () => executor.runDue(tally),
        nextRetryAt: () => executor.nextRetryAt(),
        held: () => executor.held(),
      },
    ],
    options,
  );
  return {
    dryRun: false,
    plan: created,
    payoutIds: created.payoutIds,
    execution: tally,
    open: await openPayouts(payouts),
    held: await executor.held(),
    heldPayOuts,
  };
}

/**
 * The plan the real run would make: held pay_outs are settled and the payouts planned inside one
 * unit of work that is then rolled back, so the plan includes what the settling makes payable.
 */
async function dryRun(store: PayoutsStore, options: PayoutRunOptions): Promise<PayoutRunSummary> {
  const preview = await previewPayouts(store, options);
  return {
    dryRun: true,
    plan: preview.plan,
    payoutIds: [],
    execution: emptyPayoutTally(),
    open: await openPayouts(store),
    held: [],
    heldPayOuts: preview.heldPayOuts,
  };
}

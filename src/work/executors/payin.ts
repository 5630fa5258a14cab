import type { PaymentServiceProvider } from '../../psp/port.js';
import { type RefundTally, RefundExecutor, emptyRefundTally } from './refund.js';
import type { Clock } from '../../time.js';
import { type DueWork, heldOf, runQueues } from '../drain.js';
import { type ExecutionTally, PayinExecutor, emptyTally } from './charge.js';
import { type HeldSettlement, settleHeldPayOuts } from '../../payouts/settle-held.js';
import { type IntakeOptions, type IntakeSummary, ingest } from '../../intake/intake.js';
import type { OrderStatus } from '../../payments/order-state.js';
import type { OpenWork } from '../../payments/queries.js';
import type { RetryPolicy } from '../../payments/retry-policy.js';
import type { HeldGroup } from '../leases/leases.js';
import type { ExecutorBook, PayinBook } from './book-ports.js';

export interface ExecutionOptions {
  psp: PaymentServiceProvider;
  retry: RetryPolicy;
  clock: Clock;
  batchSize?: number;
  leaseMs?: number;
  /** Keep going until no charge or refund (or payout, for `retry run`) is scheduled for retry. */
  wait?: boolean;
  /** Never sleep longer than this between rounds of --wait. */
  maxSleepMs?: number;
  /** How long --wait waits for work other processes hold. */
  maxHeldWaitMs?: number;
  /** What --wait waits for, or why it stops (stderr). */
  onWait?: (message: string) => void;
  onBatch?: (done: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface PayinSummary {
  intake: IntakeSummary;
  execution: ExecutionTally;
  refunds: RefundTally;
  /** Every order of this PSP by status, after the run. */
  queue: Record<OrderStatus, number>;
  /** This PSP's refunds still scheduled for retry or dead-lettered after the run. */
  refundsOpen: OpenWork;
  /** Orders and refunds left in `executing` under another process's lease after the run. */
  held: HeldGroup[];
  /** Held pay_outs released or rejected after the charges of this run (any file's, earlier runs' too). */
  heldPayOuts: HeldSettlement;
}

/** `payin run`: files → intake → orders → executor ⇄ PSP → ledger + wallet. */
export async function runPayin(
  book: PayinBook,
  files: readonly string[],
  intake: Omit<IntakeOptions, 'psp'> & { onIntakeDone?: (summary: IntakeSummary) => void },
  execution: ExecutionOptions,
): Promise<PayinSummary> {
  const intakeSummary = await ingest(book.intake(), files, {
    ...intake,
    psp: execution.psp.name,
  });
  intake.onIntakeDone?.(intakeSummary);
  const tally = emptyTally();
  const refunds = emptyRefundTally();
  const queues = [chargeQueue(book, execution, tally), refundQueue(book, execution, refunds)];
  if (!intakeSummary.rolledBack) await runQueues(queues, execution);
  const held = await heldOf(queues);
  const heldPayOuts = await settleHeldPayOuts(book.payouts());
  const reads = book.workReads();
  return {
    intake: intakeSummary,
    execution: tally,
    refunds,
    queue: await reads.statusCounts(execution.psp.name),
    refundsOpen: await reads.openWork('refunds', execution.psp.name),
    held,
    heldPayOuts,
  };
}

/** Charges that are new or due; with `wait`, until none is scheduled for retry. */
export async function executeDue(
  book: ExecutorBook,
  options: ExecutionOptions,
): Promise<ExecutionTally> {
  const tally = emptyTally();
  await runQueues([chargeQueue(book, options, tally)], options);
  return tally;
}

/** The charges of this PSP as a queue, counted into `tally`. */
export function chargeQueue(
  book: ExecutorBook,
  options: ExecutionOptions,
  tally: ExecutionTally,
): DueWork {
  const executor = new PayinExecutor(book, options);
  return {
    runDue: () => executor.runDue(tally),
    nextRetryAt: () => executor.nextRetryAt(),
    held: () => executor.held(),
  };
}

/** The refunds of this PSP as a queue, counted into `tally`. */
export function refundQueue(
  book: ExecutorBook,
  options: ExecutionOptions,
  tally: RefundTally,
): DueWork {
  const executor = new RefundExecutor(book, options);
  return {
    runDue: () => executor.runDue(tally),
    nextRetryAt: () => executor.nextRetryAt(),
    held: () => executor.held(),
  };
}

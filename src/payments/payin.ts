import type { Database } from '../db/index.js';
import type { PaymentServiceProvider } from '../psp/port.js';
import { type RefundTally, RefundExecutor, emptyRefundTally } from '../refunds/executor.js';
import type { Clock } from '../time.js';
import { type ExecutionTally, PayinExecutor, emptyTally } from './executor.js';
import { type IntakeOptions, type IntakeSummary, ingest } from './intake/intake.js';
import type { OrderStatus } from './order-state.js';
import { nextRetryAt, statusCounts } from './queries.js';
import type { RetryPolicy } from './retry-policy.js';

export interface ExecutionOptions {
  psp: PaymentServiceProvider;
  retry: RetryPolicy;
  clock: Clock;
  batchSize?: number;
  leaseMs?: number;
  /** Keep going until no retry is scheduled (only final states and dead letters remain). */
  wait?: boolean;
  /** Never sleep longer than this between rounds of --wait. */
  maxSleepMs?: number;
  onBatch?: (done: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface PayinSummary {
  intake: IntakeSummary;
  execution: ExecutionTally;
  refunds: RefundTally;
  /** Every order of this PSP by status, after the run. */
  queue: Record<OrderStatus, number>;
}

/** `payin run`: files → intake → orders → executor ⇄ PSP → ledger + wallet. */
export async function runPayin(
  db: Database,
  files: readonly string[],
  intake: Omit<IntakeOptions, 'psp'> & { onIntakeDone?: (summary: IntakeSummary) => void },
  execution: ExecutionOptions,
): Promise<PayinSummary> {
  const intakeSummary = await ingest(db, files, { ...intake, psp: execution.psp.name });
  intake.onIntakeDone?.(intakeSummary);
  const tally = intakeSummary.rolledBack ? emptyTally() : await executeDue(db, execution);
  const refunds = intakeSummary.rolledBack ? emptyRefundTally() : await new RefundExecutor(db, execution).runDue();
  return { intake: intakeSummary, execution: tally, refunds, queue: statusCounts(db, execution.psp.name) };
}

/** `retry run`: recovers expired leases and executes what is due; with `wait`, until the queue drains. */
export async function executeDue(db: Database, options: ExecutionOptions): Promise<ExecutionTally> {
  const executor = new PayinExecutor(db, options);
  const tally = await executor.runDue();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  while (options.wait) {
    const next = nextRetryAt(db, options.psp.name);
    if (next === undefined) break;
    const waitMs = Math.min(Math.max(0, Date.parse(next) - options.clock()), options.maxSleepMs ?? 60_000);
    if (waitMs > 0) await sleep(waitMs);
    await executor.runDue(tally);
  }
  return tally;
}

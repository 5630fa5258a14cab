import type { Clock } from '../time.js';

/** One queue of PSP work (charges, refunds or payouts) as an executor works it. */
export interface DueWork {
  /** Recovers expired leases and executes everything due now. */
  runDue(): Promise<unknown>;
  /** When the earliest scheduled retry is due, if any is scheduled. */
  nextRetryAt(): string | undefined;
}

export interface DrainOptions {
  /** Keep going until no retry is scheduled in any of the queues (only final states and dead letters remain). */
  wait?: boolean;
  clock: Clock;
  /** Never sleep longer than this between rounds. */
  maxSleepMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_MAX_SLEEP_MS = 60_000;

/**
 * Works the queues in turn; with `wait`, sleeps until the earliest retry of any of them is due
 * and goes again, until none is scheduled. Every queue counts: a refund or payout waiting for its
 * retry keeps `--wait` going as a charge does.
 */
export async function runQueues(queues: readonly DueWork[], options: DrainOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (const queue of queues) await queue.runDue();
  while (options.wait) {
    const next = queues.map((queue) => queue.nextRetryAt()).filter((at): at is string => at !== undefined).sort()[0];
    if (next === undefined) return;
    const waitMs = Math.min(Math.max(0, Date.parse(next) - options.clock()), options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS);
    if (waitMs > 0) await sleep(waitMs);
    for (const queue of queues) await queue.runDue();
  }
}

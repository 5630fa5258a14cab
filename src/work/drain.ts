import type { Clock } from '../time.js';
import { type HeldGroup, describeHeld, earliestExpiry } from './leases/leases.js';

/** One queue of PSP work (charges, refunds or payouts) as an executor works it. */
export interface DueWork {
  /** Recovers expired leases and those of processes gone from this host, and executes everything due now. */
  runDue(): Promise<unknown>;
  /** When the earliest scheduled retry is due, if any is scheduled. */
  nextRetryAt(): Promise<string | undefined>;
  /** Its work in `executing` under another process's lease (live here, remote, unrecognized), or left by a gone one. */
  held(): Promise<HeldGroup[]>;
}

export interface DrainOptions {
  /** Keep going until no retry is scheduled and nothing is held by another process, in any of the queues. */
  wait?: boolean;
  clock: Clock;
  /** Never sleep longer than this between rounds. */
  maxSleepMs?: number;
  /** How long `wait` waits for work held by other processes before it stops and says so. */
  maxHeldWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** What the wait is waiting for, or why it stops: one line for stderr. */
  onWait?: (message: string) => void;
}

const DEFAULT_MAX_SLEEP_MS = 60_000;
/** A live owner's lease that is not released after this long is for a person to look at. */
const DEFAULT_MAX_HELD_WAIT_MS = 10 * 60_000;
/** How often a wait for held work looks again: a local owner may exit at any moment. */
const HELD_POLL_MS = 1_000;

/**
 * Works the queues in turn; with `wait`, sleeps until the earliest retry of any of them is due,
 * or (while another process holds some of their work) a second at most, and goes again, until
 * no retry is scheduled and nothing is held, or the wait for held work has lasted
 * `maxHeldWaitMs`. Every queue counts: a refund or payout keeps `--wait` going as a charge does.
 */
export async function runQueues(queues: readonly DueWork[], options: DrainOptions): Promise<void> {
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (const queue of queues) await queue.runDue();
  const startedMs = options.clock();
  let announced = '';
  while (options.wait) {
    const next = (await Promise.all(queues.map((queue) => queue.nextRetryAt())))
      .filter((at): at is string => at !== undefined)
      .sort()[0];
    const held = await heldOf(queues);
    const heldTooLong =
      held.length > 0 &&
      options.clock() - startedMs >= (options.maxHeldWaitMs ?? DEFAULT_MAX_HELD_WAIT_MS);
    if (heldTooLong && !announced.startsWith('stopped')) {
      announced = 'stopped';
      options.onWait?.(
        `stopped waiting after ${Math.round((options.clock() - startedMs) / 1000)} s for ${describeHeld(held)}: their owners still hold them; run the same command again later`,
      );
    }
    if (next === undefined && (held.length === 0 || heldTooLong)) return;
    let waitMs = next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next) - options.clock();
    if (held.length > 0 && !heldTooLong) {
      const message = `waiting for ${describeHeld(held)}: until their leases expire or their owners exit`;
      if (message !== announced) options.onWait?.(message);
      announced = message;
      const expiry = earliestExpiry(held);
      waitMs = Math.min(
        waitMs,
        HELD_POLL_MS,
        expiry === undefined ? HELD_POLL_MS : Date.parse(expiry) - options.clock() + 1,
      );
    }
    waitMs = Math.min(Math.max(0, waitMs), options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS);
    if (waitMs > 0) await sleep(waitMs);
    for (const queue of queues) await queue.runDue();
  }
}

/** The work of these queues held by other processes, in queue order. */
export async function heldOf(queues: readonly DueWork[]): Promise<HeldGroup[]> {
  return (await Promise.all(queues.map((queue) => queue.held()))).flat();
}

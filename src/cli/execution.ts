import { ExitCode } from '../errors.js';
import { formatAmount, toCurrency } from '../money/index.js';
import type { ExecutionOptions } from '../work/executors/payin.js';
import { makeRetryPolicy } from '../payments/retry-policy.js';
import { assertNotProtected } from '../private-files.js';
import type { PaymentServiceProvider } from '../psp/port.js';
import { systemClock } from '../time.js';
import { type HeldGroup, describeHeld } from '../work/leases/leases.js';
import { pspFactory } from './lazy.js';
import type { HeldSettlement } from '../payouts/settle-held.js';
import { type ReasonTally, mergeReasons, reasonsLine } from '../work/reasons.js';
import type { CliContext } from './context.js';
import type { ExecutionFlags } from './psp-options.js';

/** Turns execution flags into the executor's options; the caller closes the PSP. */
export async function executionFrom(
  context: CliContext,
  flags: ExecutionFlags,
  onBatch?: (done: number) => void,
): Promise<ExecutionOptions & { psp: PaymentServiceProvider }> {
  const { createPsp } = await pspFactory();
  const retry = makeRetryPolicy(flags);
  if (flags.pspState !== undefined) {
    // Refused before any work: the simulator opens its state file only at its first request.
    assertNotProtected(flags.pspState, { flag: '--psp-state', database: context.dbPath });
  }
  const psp = createPsp({
    psp: flags.psp,
    dbPath: context.dbPath,
    pspState: flags.pspState,
    seed: flags.seed,
    faults: flags.faults,
    feeRule: flags.feeRule,
    pspUrl: flags.pspUrl,
    pspTimeoutMs: flags.pspTimeoutMs,
    concurrency: flags.concurrency,
  });
  return {
    psp,
    retry,
    clock: systemClock,
    batchSize: flags.batchSize,
    leaseMs: flags.leaseMs,
    wait: flags.wait,
    onWait: (message) => context.err(`payops: ${message}`),
    onBatch,
  };
}

/** "USD 12.50, EUR 3.00" from per-currency minor-unit sums. */
export function formatTotals(totals: Map<string, bigint>): string {
  if (totals.size === 0) return 'none';
  return [...totals]
    .map(([currency, minor]) => `${currency} ${formatAmount(minor, toCurrency(currency))}`)
    .join(', ');
}

/**
 * Items the PSP answered and payops could not record (needs_attention): one loud line on stderr
 * and exit code 6 (work payops could not finish); returns whether any.
 */
export function reportNeedsAttention(context: CliContext, count: number): boolean {
  if (count === 0) return false;
  context.err(
    `payops: ${count} PSP answers could not be recorded and wait in needs_attention: see \`payops attention list\`, fix the cause, then \`payops attention resolve --all\``,
  );
  if (process.exitCode === undefined || process.exitCode === ExitCode.ok)
    process.exitCode = ExitCode.workPending;
  return true;
}

/**
 * Work left in `executing` under another process's lease (DESIGN.md §5: reported, never
 * silently skipped): one line for the summary, or none. The command exits 6 when there is any.
 */
export function heldLine(groups: readonly HeldGroup[]): string | undefined {
  if (groups.length === 0) return undefined;
  return `held      ${describeHeld(groups)}: not executed by this run; \`payops retry run --wait\` waits for them`;
}

/**
 * Prints each PSP rejection (payops broke an invariant: a key reused with other parameters, a
 * malformed request) as its own loud line on stderr and sets exit code 5; returns whether any.
 */
export function reportRejections(
  context: CliContext,
  ...lists: readonly (readonly string[])[]
): boolean {
  const rejections = lists.flat();
  for (const line of rejections) context.err(`payops: invariant broken: ${line}`);
  if (rejections.length > 0) process.exitCode = ExitCode.invariantFailed;
  return rejections.length > 0;
}

/**
 * The book was behind its high-water mark (restored from a backup, copied): one line on stderr,
 * and the notice for the summary and --json. Each executor of a command holds the same notice.
 */
export function reportBookBehind(
  context: CliContext,
  ...tallies: readonly {
    bookBehind: {
      reason: string;
      distance: 'known' | 'unknown';
      lookUps: bigint | null;
      line: string;
    } | null;
  }[]
): { reason: string; distance: 'known' | 'unknown'; lookUps: bigint | null } | null {
  const notice = tallies.map((tally) => tally.bookBehind).find((behind) => behind !== null) ?? null;
  if (notice === null) return null;
  context.err(`payops: ${notice.line}`);
  return { reason: notice.reason, distance: notice.distance, lookUps: notice.lookUps };
}

/**
 * The run's retries and dead letters by reason, over every kind of work it did (charges, refunds,
 * payouts): `retries   10 retries scheduled: getaddrinfo ENOTFOUND psp.example (10)`.
 */
export function reasonLines(...tallies: readonly ReasonTally[]): string[] {
  const retries = reasonsLine(
    'retries scheduled',
    tallies.reduce((sum, t) => sum + t.retryScheduled, 0),
    mergeReasons(...tallies.map((t) => t.retriesByReason)),
  );
  const dead = reasonsLine(
    'dead-lettered',
    tallies.reduce((sum, t) => sum + t.deadLettered, 0),
    mergeReasons(...tallies.map((t) => t.deadLettersByReason)),
  );
  return [...(retries ? [`retries   ${retries}`] : []), ...(dead ? [`dead      ${dead}`] : [])];
}

/** `pay_outs   released 2 held; 1 rejected; 3 still held until their order is captured: ...`, or undefined when none moved or wait. */
export function heldPayOutsLine(settlement: HeldSettlement): string | undefined {
  const parts = [
    ...(settlement.released > 0
      ? [`released ${settlement.released} held (order now captured)`]
      : []),
    ...(settlement.rejected.length > 0
      ? [
          `rejected ${settlement.rejected.length} held (order can no longer be captured or released)`,
        ]
      : []),
    ...(settlement.stillHeld > 0
      ? [`${settlement.stillHeld} still held until their order is captured`]
      : []),
  ];
  return parts.length === 0
    ? undefined
    : `pay_outs  ${parts.join('; ')}: \`payops release list --all\``;
}

/** Each held pay_out rejected by this run, on stderr, as intake says a rejected record. */
export function reportHeldPayOutRejections(context: CliContext, settlement: HeldSettlement): void {
  for (const rejected of settlement.rejected)
    context.err(`pay_out ${rejected.eventId} (order ${rejected.orderId}): ${rejected.reason}`);
}

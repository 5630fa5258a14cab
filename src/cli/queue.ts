import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { addExecutionOptions } from './psp-options.js';
import { lazy } from './lazy.js';
import type {
  RetryRunFlags,
  ListFlags,
  DlqRequeueFlags,
  ReleaseListFlags,
} from './actions/queue.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/queue.js'));

/** `retry run` and `dlq list|requeue`: the retry queue and the dead letters. */
function addListOptions(command: Command): Command {
  return command
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV');
}

export function registerQueue(program: Command): void {
  const retry = program
    .command('retry')
    .description('the retry queue: orders whose PSP call failed in a way worth retrying');
  retryRun(retry);

  retryList(retry);

  registerReleaseList(program);

  const dlq = program
    .command('dlq')
    .description('dead letters: orders that used up their retries and wait for a person');
  dlqList(dlq);

  dlqRequeue(dlq);
}

/** `release list`: pay_outs held until their order is captured (with --all, also those released or rejected). */
function registerReleaseList(program: Command): void {
  const release = program
    .command('release')
    .description("pay_out events: an order's seller share released when it is delivered");
  releaseList(release);
}

function retryRun(retry: Command): void {
  addExecutionOptions(
    retry
      .command('run')
      .description(
        'recover work left executing by a crashed run, and execute every charge, refund and payout that is due',
      )
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      `${examples('payops retry run', 'payops retry run --wait   # until only final states and dead letters remain')}
Work a crashed run left executing is recovered at once when its process is gone from this host.
Work a live process or another host holds is reported ("held") and exits 6; --wait waits for it
(until its owner exits or its lease expires, at most 10 minutes) and says so on stderr.
`,
    )
    .action(async (flags: RetryRunFlags, command: Command) =>
      (await actions()).retryRun(contextOf(command), flags),
    );
}

function retryList(retry: Command): void {
  addListOptions(
    retry
      .command('list')
      .description(
        'charges, refunds and payouts waiting in the retry queue, with their last error and next attempt',
      ),
  )
    .addHelpText('after', examples('payops retry list', 'payops retry list --json'))
    .action(async (flags: ListFlags, command: Command) =>
      (await actions()).retryList(contextOf(command), flags),
    );
}

function dlqList(dlq: Command): void {
  addListOptions(
    dlq
      .command('list')
      .description('list dead-lettered charges, refunds and payouts with their last error'),
  )
    .addHelpText('after', examples('payops dlq list', 'payops dlq list --csv > dead-letters.csv'))
    .action(async (flags: ListFlags, command: Command) =>
      (await actions()).dlqList(contextOf(command), flags),
    );
}

function dlqRequeue(dlq: Command): void {
  addExecutionOptions(
    dlq
      .command('requeue')
      .description(
        'give dead-lettered charges, refunds and payouts another round of attempts now (same idempotency keys)',
      )
      .argument('[ids...]', 'order ids, refund ids and payout ids to requeue')
      .option('--all', 'every dead-lettered charge, refund and payout of this PSP')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      examples('payops dlq requeue ord_0042 rf_0007 po_00000007', 'payops dlq requeue --all'),
    )
    .action(async (ids: string[], flags: DlqRequeueFlags, command: Command) =>
      (await actions()).dlqRequeue(contextOf(command), ids, flags),
    );
}

function releaseList(release: Command): void {
  release
    .command('list')
    .description(
      'pay_outs held until their order is captured, with what each waits for (--all: also those released or rejected, and why)',
    )
    .option('--all', 'also the held pay_outs that were released or rejected since')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops release list', 'payops release list --all --csv > releases.csv'),
    )
    .action(async (flags: ReleaseListFlags, command: Command) =>
      (await actions()).releaseList(contextOf(command), flags),
    );
}

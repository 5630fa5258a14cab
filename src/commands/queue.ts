import type { Command } from 'commander';
import { contextOf, examples, toJson, withDatabase } from '../cli/context.js';
import { executionFrom, formatTotals, heldJson, heldLine, reportBookBehind, reportNeedsAttention, reportRejections } from '../cli/execution.js';
import { type ExecutionFlags, addExecutionOptions } from '../cli/psp-options.js';
import { renderTable } from '../reports/table.js';
import { ExitCode, UsageError } from '../errors.js';

/** `retry run` and `dlq list|requeue`: the retry queue and the dead letters. */
export function registerQueue(program: Command): void {
  const retry = program.command('retry').description('the retry queue: orders whose PSP call failed in a way worth retrying');
  addExecutionOptions(
    retry
      .command('run')
      .description('recover work left executing by a crashed run, and execute every charge, refund and payout that is due')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', `${examples('payops retry run', 'payops retry run --wait   # until only final states and dead letters remain')}
Work a crashed run left executing is recovered at once when its process is gone from this host.
Work a live process or another host holds is reported ("held") and exits 6; --wait waits for it
(until its owner exits or its lease expires, at most 10 minutes) and says so on stderr.
`)
    .action(async (flags: ExecutionFlags & { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const execution = await executionFrom(context, flags);
      const { retryDue } = await import('../queue/retry.js');
      try {
        const { charges: tally, refunds, payouts, queue, open, held } = await withDatabase(context, (db) => retryDue(db, execution));
        const needsAttention = queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention;
        reportBookBehind(context, tally, refunds, payouts);
        if (flags.json) {
          const stats = execution.psp.callStats?.();
          context.out(toJson({ ...tally, capturedMinor: undefined, queue, refunds: { ...refunds, refundedMinor: undefined }, payouts: { ...payouts, paidMinor: undefined }, held: heldJson(held), ...(stats ? { psp: stats } : {}) }));
        } else {
          if (refunds.attempted > 0) context.out(`refunds attempted ${refunds.attempted}: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered ${refunds.deadLettered}`);
          if (payouts.attempted > 0) context.out(`payouts attempted ${payouts.attempted}: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered ${payouts.deadLettered}`);
          context.out(
            `attempted ${tally.attempted}: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered ${tally.deadLettered}` +
              `${tally.recoveredLeases > 0 ? `; recovered ${tally.recoveredLeases} from crashed runs` : ''}\ncaptured ${await formatTotals(tally.capturedMinor)}\n` +
              `queue: retry scheduled ${queue.retry_scheduled}, dead-lettered ${queue.dead_lettered}` +
              `${needsAttention > 0 ? `, needs attention ${needsAttention} (charges ${queue.needs_attention}, refunds ${open.refunds.needsAttention}, payouts ${open.payouts.needsAttention}): \`payops attention list\`` : ''}`,
          );
          const line = await heldLine(held);
          if (line) context.out(line);
        }
        const left = queue.retry_scheduled + queue.dead_lettered + open.refunds.retryScheduled + open.refunds.deadLettered + open.payouts.retryScheduled + open.payouts.deadLettered + held.length;
        if (left + queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention > 0) process.exitCode = ExitCode.workPending;
        reportNeedsAttention(context, queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention);
        reportRejections(context, tally.rejections, refunds.rejections, payouts.rejections);
      } finally {
        execution.psp.close();
      }
    });

  const dlq = program.command('dlq').description('dead letters: orders that used up their retries and wait for a person');
  dlq
    .command('list')
    .description('list dead-lettered charges, refunds and payouts with their last error')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops dlq list'))
    .action(async (flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listOrders } = await import('../payments/queries.js');
      const { formatAmount } = await import('../money/index.js');
      const { listPayouts } = await import('../payouts/queries.js');
      const { listRefunds } = await import('../refunds/queries.js');
      const letters = await withDatabase(context, (db) => [
        ...listOrders(db, { status: 'dead_lettered' }).map((o) => ({ kind: 'charge', id: o.orderId, sellerId: o.sellerId, currency: o.currency, amountMinor: o.amountMinor, attempts: o.attempts, lastError: o.lastError, since: o.updatedAt })),
        ...listRefunds(db, { status: 'dead_lettered' }).map((r) => ({ kind: 'refund', id: r.refundId, orderId: r.orderId, currency: r.currency, amountMinor: r.amountMinor, attempts: r.attempts, lastError: r.lastError, since: r.updatedAt })),
        ...listPayouts(db, { status: 'dead_lettered' }).map((p) => ({ kind: 'payout', id: p.payoutId, sellerId: p.sellerId, currency: p.currency, amountMinor: p.amountMinor, attempts: p.attempts, lastError: p.lastError, since: p.updatedAt })),
      ]);
      if (flags.json) {
        context.out(toJson(letters.map(({ amountMinor, ...letter }) => ({ ...letter, amount: formatAmount(amountMinor, letter.currency) }))));
      } else if (letters.length === 0) {
        context.out('no dead letters');
      } else {
        context.out(
          renderTable(
            [{ header: 'kind' }, { header: 'id' }, { header: 'amount', align: 'right' }, { header: 'currency' }, { header: 'attempts', align: 'right' }, { header: 'since' }, { header: 'last error' }],
            letters.map((l) => [l.kind, l.id, formatAmount(l.amountMinor, l.currency), l.currency, String(l.attempts), l.since, l.lastError ?? '']),
          ),
        );
      }
      if (letters.length > 0) process.exitCode = ExitCode.workPending;
    });

  addExecutionOptions(
    dlq
      .command('requeue')
      .description('give dead-lettered charges, refunds and payouts another round of attempts now (same idempotency keys)')
      .argument('[ids...]', 'order ids, refund ids and payout ids to requeue')
      .option('--all', 'every dead-lettered charge, refund and payout of this PSP')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops dlq requeue ord_0042 rf_0007 po_00000007', 'payops dlq requeue --all'))
    .action(async (ids: string[], flags: ExecutionFlags & { all?: boolean; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      if (ids.length > 0 === Boolean(flags.all)) throw new UsageError('name the charges (order ids), refunds or payouts to requeue, or pass --all (not both)');
      const execution = await executionFrom(context, flags);
      const { requeueDeadLetters } = await import('../queue/retry.js');
      const os = await import('node:os');
      const actor = `operator ${os.userInfo().username}`;
      try {
        const { charges: tally, refunds, payouts, queue, open, held } = await withDatabase(context, (db) => requeueDeadLetters(db, execution, flags.all ? { all: true } : { ids }, actor));
        if (flags.json) context.out(toJson({ charges: { ...tally, capturedMinor: undefined }, refunds: { ...refunds, refundedMinor: undefined }, payouts: { ...payouts, paidMinor: undefined }, queue, held: heldJson(held) }));
        else {
          context.out(`requeued ${tally.attempted} charges: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered again ${tally.deadLettered}`);
          if (refunds.attempted > 0) context.out(`requeued ${refunds.attempted} refunds: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered again ${refunds.deadLettered}`);
          if (payouts.attempted > 0) context.out(`requeued ${payouts.attempted} payouts: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered again ${payouts.deadLettered}`);
          const line = await heldLine(held);
          if (line) context.out(line);
        }
        const left = queue.retry_scheduled + queue.dead_lettered + open.refunds.retryScheduled + open.refunds.deadLettered + open.payouts.retryScheduled + open.payouts.deadLettered + held.length;
        if (left + queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention > 0) process.exitCode = ExitCode.workPending;
        reportNeedsAttention(context, queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention);
        reportRejections(context, tally.rejections, refunds.rejections, payouts.rejections);
      } finally {
        execution.psp.close();
      }
    });
}

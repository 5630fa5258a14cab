import type { Command } from 'commander';
import { contextOf, examples, toJson, withDatabase } from '../cli/context.js';
import { executionFrom, formatTotals } from '../cli/execution.js';
import { type ExecutionFlags, addExecutionOptions } from '../cli/psp-options.js';
import { renderTable } from '../reports/table.js';
import { ExitCode, UsageError } from '../errors.js';

/** `retry run` and `dlq list|requeue`: the retry queue and the dead letters. */
export function registerQueue(program: Command): void {
  const retry = program.command('retry').description('the retry queue: orders whose PSP call failed in a way worth retrying');
  addExecutionOptions(
    retry
      .command('run')
      .description('recover orders left executing by a crashed run, and execute every retry that is due')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops retry run', 'payops retry run --wait   # until only final states and dead letters remain'))
    .action(async (flags: ExecutionFlags & { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const execution = await executionFrom(context, flags);
      const { executeDue } = await import('../payments/payin.js');
      const { statusCounts } = await import('../payments/queries.js');
      try {
        const { tally, queue } = await withDatabase(context, async (db) => ({ tally: await executeDue(db, execution), queue: statusCounts(db, execution.psp.name) }));
        if (flags.json) {
          context.out(toJson({ ...tally, capturedMinor: undefined, queue }));
        } else {
          context.out(
            `attempted ${tally.attempted}: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered ${tally.deadLettered}` +
              `${tally.recoveredLeases > 0 ? `; recovered ${tally.recoveredLeases} from crashed runs` : ''}\ncaptured ${await formatTotals(tally.capturedMinor)}\n` +
              `queue: retry scheduled ${queue.retry_scheduled}, dead-lettered ${queue.dead_lettered}`,
          );
        }
        if (queue.retry_scheduled + queue.dead_lettered > 0) process.exitCode = ExitCode.workPending;
      } finally {
        execution.psp.close();
      }
    });

  const dlq = program.command('dlq').description('dead letters: orders that used up their retries and wait for a person');
  dlq
    .command('list')
    .description('list dead-lettered orders with their last error')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops dlq list'))
    .action(async (flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listOrders } = await import('../payments/queries.js');
      const { formatAmount } = await import('../money/index.js');
      const orders = await withDatabase(context, (db) => listOrders(db, { status: 'dead_lettered' }));
      if (flags.json) {
        context.out(toJson(orders.map((order) => ({ orderId: order.orderId, sellerId: order.sellerId, currency: order.currency, amount: formatAmount(order.amountMinor, order.currency), attempts: order.attempts, lastError: order.lastError, since: order.updatedAt }))));
      } else if (orders.length === 0) {
        context.out('no dead letters');
      } else {
        context.out(
          renderTable(
            [{ header: 'order' }, { header: 'amount', align: 'right' }, { header: 'currency' }, { header: 'attempts', align: 'right' }, { header: 'since' }, { header: 'last error' }],
            orders.map((order) => [order.orderId, formatAmount(order.amountMinor, order.currency), order.currency, String(order.attempts), order.updatedAt, order.lastError ?? '']),
          ),
        );
      }
      if (orders.length > 0) process.exitCode = ExitCode.workPending;
    });

  addExecutionOptions(
    dlq
      .command('requeue')
      .description('give dead-lettered orders another round of attempts now (same idempotency key)')
      .argument('[orderIds...]', 'orders to requeue')
      .option('--all', 'every dead-lettered order of this PSP')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops dlq requeue ord_0042', 'payops dlq requeue --all'))
    .action(async (orderIds: string[], flags: ExecutionFlags & { all?: boolean; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      if (orderIds.length > 0 === Boolean(flags.all)) throw new UsageError('name the orders to requeue, or pass --all (not both)');
      const execution = await executionFrom(context, flags);
      const { PayinExecutor } = await import('../payments/executor.js');
      const { PaymentsStore } = await import('../payments/store.js');
      const { statusCounts } = await import('../payments/queries.js');
      const os = await import('node:os');
      try {
        const { tally, queue } = await withDatabase(context, async (db) => {
          const ids = flags.all ? new PaymentsStore(db).deadLetteredOrderIds(execution.psp.name) : orderIds;
          const executor = new PayinExecutor(db, execution);
          const result = await executor.requeue(ids, `operator ${os.userInfo().username}`);
          return { tally: result, queue: statusCounts(db, execution.psp.name) };
        });
        if (flags.json) context.out(toJson({ ...tally, capturedMinor: undefined, queue }));
        else context.out(`requeued ${tally.attempted}: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered again ${tally.deadLettered}`);
        if (queue.retry_scheduled + queue.dead_lettered > 0) process.exitCode = ExitCode.workPending;
      } finally {
        execution.psp.close();
      }
    });
}

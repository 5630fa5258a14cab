import { type Command, Option } from 'commander';
import { csvNumeric, csvRow, csvText } from '../reports/csv.js';
import { contextOf, examples, toJson, withDatabase } from '../cli/context.js';
import { executionFrom, formatTotals, heldJson, heldLine, reportBookBehind, reportNeedsAttention, reportRejections } from '../cli/execution.js';
import { type ExecutionFlags, addExecutionOptions } from '../cli/psp-options.js';
import { renderTable } from '../reports/table.js';
import { ExitCode, UsageError } from '../errors.js';
import type { CliContext } from '../cli/context.js';
import type { HeldSettlement } from '../payments/held-payouts.js';

/** `pay_outs   released 2 held; 1 rejected; 3 still held until their order is captured: ...`, or undefined when none moved or wait. */
export function heldPayOutsLine(settlement: HeldSettlement): string | undefined {
  const parts = [
    ...(settlement.released > 0 ? [`released ${settlement.released} held (order now captured)`] : []),
    ...(settlement.rejected.length > 0 ? [`rejected ${settlement.rejected.length} held (order not captured and never will be)`] : []),
    ...(settlement.stillHeld > 0 ? [`${settlement.stillHeld} still held until their order is captured`] : []),
  ];
  return parts.length === 0 ? undefined : `pay_outs  ${parts.join('; ')}: \`payops release list --all\``;
}

/** Each held pay_out rejected by this run, on stderr, as intake says a rejected record. */
export function reportHeldPayOutRejections(context: CliContext, settlement: HeldSettlement): void {
  for (const rejected of settlement.rejected) context.err(`pay_out ${rejected.eventId} (order ${rejected.orderId}): ${rejected.reason}`);
}

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
        const { charges: tally, refunds, payouts, queue, open, held, heldPayOuts } = await withDatabase(context, (db) => retryDue(db, execution));
        const needsAttention = queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention;
        reportBookBehind(context, tally, refunds, payouts);
        if (flags.json) {
          const stats = execution.psp.callStats?.();
          context.out(toJson({ ...tally, capturedMinor: undefined, queue, refunds: { ...refunds, refundedMinor: undefined }, payouts: { ...payouts, paidMinor: undefined }, held: heldJson(held), heldPayOuts, ...(stats ? { psp: stats } : {}) }));
        } else {
          if (refunds.attempted > 0) context.out(`refunds attempted ${refunds.attempted}: succeeded ${refunds.succeeded}, declined ${refunds.failed}, retry scheduled ${refunds.retryScheduled}, dead-lettered ${refunds.deadLettered}`);
          if (payouts.attempted > 0) context.out(`payouts attempted ${payouts.attempted}: sent ${payouts.succeeded}, failed ${payouts.failed}, retry scheduled ${payouts.retryScheduled}, dead-lettered ${payouts.deadLettered}`);
          context.out(
            `attempted ${tally.attempted}: succeeded ${tally.succeeded}, pending ${tally.pending}, failed ${tally.failed}, retry scheduled ${tally.retryScheduled}, dead-lettered ${tally.deadLettered}` +
              `${tally.recoveredLeases > 0 ? `; recovered ${tally.recoveredLeases} from crashed runs` : ''}\ncaptured ${await formatTotals(tally.capturedMinor)}\n` +
              `queue: retry scheduled ${queue.retry_scheduled}, dead-lettered ${queue.dead_lettered}` +
              `${needsAttention > 0 ? `, needs attention ${needsAttention} (charges ${queue.needs_attention}, refunds ${open.refunds.needsAttention}, payouts ${open.payouts.needsAttention}): \`payops attention list\`` : ''}`,
          );
          const payOuts = heldPayOutsLine(heldPayOuts);
          if (payOuts) context.out(payOuts);
          const line = await heldLine(held);
          if (line) context.out(line);
        }
        const left = queue.retry_scheduled + queue.dead_lettered + open.refunds.retryScheduled + open.refunds.deadLettered + open.payouts.retryScheduled + open.payouts.deadLettered + held.length;
        if (left + queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention > 0) process.exitCode = ExitCode.workPending;
        if (heldPayOuts.rejected.length > 0) process.exitCode = ExitCode.inputRejected;
        reportNeedsAttention(context, queue.needs_attention + open.refunds.needsAttention + open.payouts.needsAttention);
        reportRejections(context, tally.rejections, refunds.rejections, payouts.rejections);
        reportHeldPayOutRejections(context, heldPayOuts);
      } finally {
        execution.psp.close();
      }
    });

  registerReleaseList(program);

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

/** One CSV: a header row of snake_case names, then the rows, every text cell neutralized. */
export function csvOf(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly string[] = []): string {
  const cell = (value: string, column: string) => (numeric.includes(column) && value !== '' ? csvNumeric(value) : csvText(value));
  return [csvRow(header), ...rows.map((row) => csvRow(row.map((value, index) => cell(value, header[index] as string))))].join('');
}

/** `release list`: pay_outs held until their order is captured (with --all, also those released or rejected). */
function registerReleaseList(program: Command): void {
  const release = program.command('release').description("pay_out events: an order's seller share released when it is delivered");
  release
    .command('list')
    .description('pay_outs held until their order is captured, with what each waits for (--all: also those released or rejected, and why)')
    .option('--all', 'also the held pay_outs that were released or rejected since')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText('after', examples('payops release list', 'payops release list --all --csv > releases.csv'))
    .action(async (flags: { all?: boolean; json?: boolean; csv?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { HeldPayOuts } = await import('../payments/held-payouts.js');
      const rows = await withDatabase(context, (db) => new HeldPayOuts(db).list({ all: flags.all }));
      if (flags.json) {
        context.out(toJson({ dateBasis: 'received', payOuts: rows }));
        return;
      }
      const cells = rows.map((r) => [r.eventId, r.orderId, r.sellerId, r.orderStatus, r.status, r.heldAt, r.resolvedAt ?? '', r.reason ?? '']);
      if (flags.csv) {
        context.out(csvOf(['event_id', 'order_id', 'seller_id', 'order_status', 'status', 'held_at', 'resolved_at', 'reason'], cells).trimEnd());
      } else if (rows.length === 0) {
        context.out(flags.all ? 'no pay_out was ever held' : 'no pay_out is held: every accepted pay_out was applied or rejected (--all shows those once held)');
      } else {
        context.out(`dates: received (when payops accepted the pay_out)\n${renderTable(
          [{ header: 'event' }, { header: 'order' }, { header: 'seller' }, { header: 'order status' }, { header: 'pay_out' }, { header: 'held at' }, { header: 'resolved at' }, { header: 'reason' }],
          cells,
        )}`);
      }
    });
}

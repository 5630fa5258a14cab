import { type Command, Option } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { renderTable } from '../reports/table.js';
import { ExitCode, UsageError } from '../errors.js';

/**
 * `attention list|resolve`: PSP answers payops could not record (the items wait in
 * needs_attention), and booking them once the cause is fixed. Shaped like `dlq list|requeue`,
 * but resolve never calls the PSP: it books the answer the PSP already gave.
 */
export function registerAttention(program: Command): void {
  const attention = program
    .command('attention')
    .description(
      'PSP answers payops could not record: charges, refunds and payouts in needs_attention',
    );
  attention
    .command('list')
    .description('list the kept PSP answers not booked yet, with why they could not be recorded')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops attention list', 'payops attention list --csv > attention.csv'),
    )
    .action(async (flags: { json?: boolean; csv?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listUnrecorded } = await import('../payments/resolve-attention.js');
      const { formatAmount } = await import('../money/index.js');
      const output = await import('../output/attention.js');
      const facts = await withDatabase(context, (db) => listUnrecorded(db));
      const rows = facts.map((f) => ({
        kind: f.kind,
        id: f.itemId,
        psp: f.psp,
        answer: f.answerStatus,
        pspReference: f.pspReference,
        amount: formatAmount(f.amountMinor, f.currency),
        currency: f.currency,
        since: f.answeredAt,
        error: f.error,
      }));
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        context.out(contractJson(output.attentionListSchema, facts.map(output.attentionItemJson)));
      } else if (flags.csv) context.out(output.attentionCsv(facts));
      else if (rows.length === 0) context.out('nothing needs attention');
      else {
        context.out(
          renderTable(
            [
              { header: 'kind' },
              { header: 'id' },
              { header: 'answer' },
              { header: 'psp ref' },
              { header: 'amount', align: 'right' },
              { header: 'currency' },
              { header: 'since' },
              { header: 'why not recorded' },
            ],
            rows.map((r) => [
              r.kind,
              r.id,
              r.answer,
              r.pspReference ?? '',
              r.amount,
              r.currency,
              r.since,
              r.error,
            ]),
          ),
        );
      }
      if (rows.length > 0) process.exitCode = ExitCode.workPending;
    });

  attention
    .command('resolve')
    .description(
      'book kept PSP answers now that their cause is fixed (exactly once; the PSP is not called)',
    )
    .argument('[ids...]', 'order ids, refund ids and payout ids to book')
    .option('--all', 'every kept answer not booked yet')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples('payops attention resolve ord_0042 po_00000007', 'payops attention resolve --all'),
    )
    .action(async (ids: string[], flags: { all?: boolean; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      if (ids.length > 0 === Boolean(flags.all))
        throw new UsageError(
          'name the charges (order ids), refunds or payouts to book, or pass --all (not both)',
        );
      const { resolveAttention } = await import('../payments/resolve-attention.js');
      const { systemClock } = await import('../time.js');
      const os = await import('node:os');
      const actor = `operator ${os.userInfo().username}`;
      const outcomes = await withDatabase(context, (db) =>
        resolveAttention(db, flags.all ? { all: true } : { ids }, actor, systemClock),
      );
      const count = (outcome: string) => outcomes.filter((o) => o.outcome === outcome).length;
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        const { attentionResolveSchema } = await import('../output/attention.js');
        context.out(contractJson(attentionResolveSchema, outcomes));
      } else {
        for (const o of outcomes)
          context.out(`${o.kind} ${o.itemId}: ${o.outcome.replace('_', ' ')}: ${o.detail}`);
        context.out(
          `booked ${count('booked')}, already booked ${count('already_booked')}, refused ${count('refused')}`,
        );
      }
      if (count('refused') > 0) {
        context.err(
          `payops: ${count('refused')} kept answers could not be booked yet and stay in needs_attention: fix the cause named above and run \`payops attention resolve\` again`,
        );
        process.exitCode = ExitCode.workPending;
      }
    });
}

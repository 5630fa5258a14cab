import { type Command, Option } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { executionFrom, formatTotals } from '../cli/execution.js';
import { type ExecutionFlags, addPspOptions } from '../cli/psp-options.js';
import { ExitCode } from '../errors.js';
import { renderTable } from '../reports/table.js';

export function registerChargebacks(program: Command): void {
  const chargebacks = program
    .command('chargebacks')
    .description('disputes the PSP lost: the money went back to the buyer');
  addPspOptions(
    chargebacks
      .command('sync')
      .description(
        "fetch the PSP's disputes and book each new one once: amount, dispute fee, and the seller's share clawed back",
      )
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText(
      'after',
      `${examples('payops chargebacks sync', 'payops chargebacks sync --faults dispute=0.01 --seed 7')}
A dispute is booked once its order is captured in payops. Exit code 6 if a dispute waits for its
order's capture (run sync again later), 5 if payops has the disputed order as failed.
`,
    )
    .action(async (flags: ExecutionFlags & { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const execution = await executionFrom(context, flags);
      const { syncChargebacks } = await import('../refunds/chargebacks.js');
      try {
        const sync = await withDatabase(context, (db) => syncChargebacks(db, execution.psp));
        const { red } = context.color;
        if (flags.json) {
          const { contractJson, moneyTotals } = await import('../output/contract.js');
          const { chargebacksSyncSchema } = await import('../output/chargebacks.js');
          context.out(
            contractJson(chargebacksSyncSchema, {
              recorded: sync.recorded,
              alreadyRecorded: sync.alreadyRecorded,
              unmatched: sync.unmatched.map((d) => d.disputeId),
              mismatched: sync.mismatched.map(({ dispute, detail }) => ({
                disputeId: dispute.disputeId,
                orderId: dispute.merchantReference,
                detail,
              })),
              waiting: sync.waiting.map(({ dispute, status, reason }) => ({
                disputeId: dispute.disputeId,
                orderId: dispute.merchantReference,
                orderStatus: status,
                reason,
              })),
              conflicts: sync.conflicts.map((d) => d.disputeId),
              clawedBack: moneyTotals(sync.clawedMinor),
            }),
          );
        } else {
          context.out(
            `chargebacks: ${sync.recorded} new, ${sync.alreadyRecorded} already booked${sync.waiting.length > 0 ? `, ${sync.waiting.length} waiting for their order's capture or refund` : ''}; seller shares clawed back ${await formatTotals(sync.clawedMinor)}`,
          );
          for (const dispute of sync.unmatched)
            context.err(
              `dispute ${dispute.disputeId} on ${dispute.merchantReference} matches no order: left for reconciliation`,
            );
        }
        for (const { dispute, reason } of sync.waiting) {
          context.err(
            `dispute ${dispute.disputeId} on ${dispute.merchantReference}: ${reason}: nothing booked; run \`payops chargebacks sync\` again after that`,
          );
        }
        for (const { dispute, detail } of sync.mismatched) {
          context.err(
            red(
              `payops: dispute ${dispute.disputeId} on ${dispute.merchantReference}: ${detail}: nothing booked, left for reconciliation`,
            ),
          );
        }
        for (const dispute of sync.conflicts) {
          context.err(
            red(
              `payops: dispute ${dispute.disputeId} on ${dispute.merchantReference}: the order is failed in payops but the PSP says its charge ${dispute.chargeReference} was captured and disputed: nothing booked, left for reconciliation`,
            ),
          );
        }
        if (sync.conflicts.length + sync.mismatched.length > 0)
          process.exitCode = ExitCode.invariantFailed;
        else if (sync.waiting.length > 0) process.exitCode = ExitCode.workPending;
      } finally {
        execution.psp.close();
      }
    });

  chargebacks
    .command('list')
    .description('every chargeback booked, with what was clawed back from the seller')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples('payops chargebacks list', 'payops chargebacks list --csv > chargebacks.csv'),
    )
    .action(async (flags: { json?: boolean; csv?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listChargebacks } = await import('../refunds/queries.js');
      const { formatAmount } = await import('../money/index.js');
      const output = await import('../output/chargebacks.js');
      const rows = await withDatabase(context, (db) => listChargebacks(db));
      if (flags.json) {
        const { contractJson } = await import('../output/contract.js');
        context.out(contractJson(output.chargebacksListSchema, rows.map(output.chargebackJson)));
      } else if (flags.csv) context.out(output.chargebacksCsv(rows));
      else {
        context.out(
          rows.length === 0
            ? 'no chargebacks'
            : renderTable(
                [
                  { header: 'dispute' },
                  { header: 'order' },
                  { header: 'amount', align: 'right' },
                  { header: 'fee', align: 'right' },
                  { header: 'seller share', align: 'right' },
                  { header: 'currency' },
                  { header: 'disputed at' },
                ],
                rows.map((r) => [
                  r.disputeId,
                  r.orderId,
                  formatAmount(r.amountMinor, r.currency),
                  formatAmount(r.disputeFeeMinor, r.currency),
                  formatAmount(r.sellerShareMinor, r.currency),
                  r.currency,
                  r.disputedAt,
                ]),
              ),
        );
      }
    });
}

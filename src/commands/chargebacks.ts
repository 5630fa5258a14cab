import type { Command } from 'commander';
import { contextOf, examples, toJson, withDatabase } from '../cli/context.js';
import { executionFrom, formatTotals, totalsJson } from '../cli/execution.js';
import { type ExecutionFlags, addPspOptions } from '../cli/psp-options.js';
import { renderTable } from '../reports/table.js';

export function registerChargebacks(program: Command): void {
  const chargebacks = program.command('chargebacks').description('disputes the PSP lost: the money went back to the buyer');
  addPspOptions(
    chargebacks
      .command('sync')
      .description('fetch the PSP\'s disputes and book each new one once: amount, dispute fee, and the seller\'s share clawed back')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples('payops chargebacks sync', 'payops chargebacks sync --faults dispute=0.01 --seed 7'))
    .action(async (flags: ExecutionFlags & { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const execution = await executionFrom(context, flags);
      const { syncChargebacks } = await import('../refunds/chargebacks.js');
      try {
        const sync = await withDatabase(context, (db) => syncChargebacks(db, execution.psp));
        if (flags.json) {
          context.out(toJson({ recorded: sync.recorded, alreadyRecorded: sync.alreadyRecorded, unmatched: sync.unmatched.map((d) => d.disputeId), clawedBack: await totalsJson(sync.clawedMinor) }));
        } else {
          context.out(`chargebacks: ${sync.recorded} new, ${sync.alreadyRecorded} already booked; seller shares clawed back ${await formatTotals(sync.clawedMinor)}`);
          for (const dispute of sync.unmatched) context.err(`dispute ${dispute.disputeId} on ${dispute.merchantReference} matches no order: left for reconciliation`);
        }
      } finally {
        execution.psp.close();
      }
    });

  chargebacks
    .command('list')
    .description('every chargeback booked, with what was clawed back from the seller')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops chargebacks list'))
    .action(async (flags: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listChargebacks } = await import('../refunds/queries.js');
      const rows = await withDatabase(context, (db) => listChargebacks(db));
      if (flags.json) context.out(toJson(rows));
      else {
        context.out(
          rows.length === 0
            ? 'no chargebacks'
            : renderTable(
                [{ header: 'dispute' }, { header: 'order' }, { header: 'amount', align: 'right' }, { header: 'fee', align: 'right' }, { header: 'seller share', align: 'right' }, { header: 'currency' }, { header: 'disputed at' }],
                rows.map((r) => [r.disputeId, r.orderId, r.amount, r.disputeFee, r.sellerShare, r.currency, r.disputedAt]),
              ),
        );
      }
    });
}

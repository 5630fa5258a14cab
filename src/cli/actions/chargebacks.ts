import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { executionFrom, formatTotals } from '../execution.js';
import type { ExecutionFlags } from '../psp-options.js';
import { ExitCode } from '../../errors.js';
import { renderTable } from '../../reports/table.js';
import { syncChargebacks } from '../../refunds/chargebacks.js';
import { contractJson, moneyTotals } from '../../output/contract.js';
import * as output from '../../output/chargebacks.js';
import { chargebacksSyncSchema } from '../../output/chargebacks.js';
import { listChargebacks } from '../../refunds/queries.js';
import { formatAmount } from '../../money/index.js';

export type ChargebacksSyncFlags = ExecutionFlags & { json?: boolean };
export type ChargebacksListFlags = { json?: boolean; csv?: boolean };

export async function chargebacksSync(
  context: CliContext,
  flags: ChargebacksSyncFlags,
): Promise<void> {
  const execution = await executionFrom(context, flags);
  try {
    const sync = await withDatabase(context, (db) => syncChargebacks(db, execution.psp));
    const { red } = context.color;
    if (flags.json) {
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
        `chargebacks: ${sync.recorded} new, ${sync.alreadyRecorded} already booked${sync.waiting.length > 0 ? `, ${sync.waiting.length} waiting for their order's capture or refund` : ''}; seller shares clawed back ${formatTotals(sync.clawedMinor)}`,
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
}

export async function chargebacksList(
  context: CliContext,
  flags: ChargebacksListFlags,
): Promise<void> {
  const rows = await withDatabase(context, (db) => listChargebacks(db));
  if (flags.json) {
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
}

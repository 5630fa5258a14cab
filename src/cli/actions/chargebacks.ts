import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { executionFrom, formatTotals } from '../execution.js';
import type { ExecutionFlags } from '../psp-options.js';
import { ExitCode } from '../../errors.js';
import { syncChargebacks } from '../../refunds/chargebacks.js';
import { SqliteChargebackSyncStore } from '../../refunds/sqlite-chargeback-sync-store.js';
import { contractJson } from '../../output/contract.js';
import * as output from '../../output/chargebacks.js';
import { chargebacksSyncSchema } from '../../output/chargebacks.js';
import { listChargebacks } from '../../refunds/queries.js';
import { SqliteRefundReads } from '../../refunds/sqlite-refund-reads.js';
import {
  chargebacksSyncJson,
  chargebacksSyncLine,
  refusedDisputeLines,
  renderChargebackList,
  unmatchedDisputeLines,
  waitingDisputeLines,
} from '../../reports/chargebacks-output.js';

export type ChargebacksSyncFlags = ExecutionFlags & { json?: boolean };
export type ChargebacksListFlags = { json?: boolean; csv?: boolean };

export async function chargebacksSync(
  context: CliContext,
  flags: ChargebacksSyncFlags,
): Promise<void> {
  const execution = await executionFrom(context, flags);
  try {
    const sync = await withDatabase(context, (db) =>
      syncChargebacks(new SqliteChargebackSyncStore(db), execution.psp),
    );
    const { red } = context.color;
    if (flags.json) {
      context.out(contractJson(chargebacksSyncSchema, chargebacksSyncJson(sync)));
    } else {
      context.out(chargebacksSyncLine(sync, formatTotals(sync.clawedMinor)));
      for (const line of unmatchedDisputeLines(sync)) context.err(line);
    }
    for (const line of waitingDisputeLines(sync)) context.err(line);
    for (const line of refusedDisputeLines(sync)) context.err(red(line));
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
  const rows = await withDatabase(context, (db) => listChargebacks(new SqliteRefundReads(db)));
  if (flags.json) {
    context.out(contractJson(output.chargebacksListSchema, rows.map(output.chargebackJson)));
  } else if (flags.csv) context.out(output.chargebacksCsv(rows));
  else context.out(renderChargebackList(rows));
}

import { type Database, inTransaction } from '../../db/index.js';
import { InvariantError } from '../../errors.js';
import { DEFAULT_RETRY_POLICY } from '../../payments/retry-policy.js';
import { PaymentsStore } from '../../payments/store.js';
import type { ChargeResult } from '../../psp/port.js';
import { chargeRows } from '../kinds/sqlite-rows.js';
import { SqliteWorkStore } from '../sqlite-store.js';
import { type ExecutionTally, emptyTally } from './charge.js';
import { ChargeRecorder, type RecorderOptions, type ReportedCapture } from './charge-recorder.js';

/** The charge recorder on an SQLite book, recording inside the transaction its caller holds. */
export function sqliteChargeRecorder(db: Database, options: RecorderOptions): ChargeRecorder {
  return new ChargeRecorder(new SqliteWorkStore(db, chargeRows(db)), options);
}

/**
 * Records captures the PSP reported without being asked (listed in its settlement file) for
 * orders still waiting in `pending`, through the same recorder as the executor, `orders sync` and
 * webhooks: status, capture and fee postings and the wallet, in one transaction. Orders no longer
 * pending are left alone (another path got there first).
 */
export function recordReportedCaptures(
  db: Database,
  psp: string,
  at: string,
  captures: readonly ReportedCapture[],
): ExecutionTally {
  const tally = emptyTally();
  const byOrder = new Map(captures.map((capture) => [capture.orderId, capture]));
  inTransaction(db, () => {
    const pending = new PaymentsStore(db).pendingOrdersByIds(psp, [...byOrder.keys()]);
    const results = pending.map((order): ChargeResult => {
      const capture = byOrder.get(order.orderId);
      // pendingOrdersByIds returns only orders asked for by these captures' ids.
      if (capture === undefined)
        throw new InvariantError(`no reported capture for ${order.orderId}`);
      return {
        status: 'succeeded',
        pspReference: capture.pspReference,
        feeMinor: capture.feeMinor,
      };
    });
    // A succeeded outcome never schedules a retry: the policy is never consulted.
    sqliteChargeRecorder(db, { psp, retry: DEFAULT_RETRY_POLICY, random: Math.random }).record(
      pending,
      results,
      tally,
      null,
      at,
    );
  });
  return tally;
}

import { type Database, inTransaction } from '../../db/index.js';
import { InvariantError } from '../../errors.js';
import type { ChargeResult } from '../../psp/port.js';
import { chargeKind } from '../kinds/sqlite-kinds.js';
import type { KindRules } from '../kind.js';
import { type RecordOptions, planRecord } from '../record.js';
import { SqliteWorkStore } from '../sqlite-store.js';
import { type ExecutionTally, emptyTally } from './charge.js';
import { DEFAULT_RETRY_POLICY } from '../../payments/retry-policy.js';
import { type ClaimedOrder, PaymentsStore } from '../../payments/store.js';

export type RecorderOptions = RecordOptions;

/**
 * Phase 3 of DESIGN.md §5 for charges: the work engine's recorder (src/work/record.ts) with the
 * charge kind. The executor (answers to its calls), `orders sync` (look-ups of pending orders),
 * webhooks (events the PSP pushes) and `attention resolve` all record through it, inside a
 * transaction their caller holds, so the posting rules exist once.
 *
 * An order is moved only from the state it was read in (`fromStatus`: `executing` under `owner`'s
 * lease, or `pending`); if it moved meanwhile the answer is dropped and counted as `lostLease`.
 */
export class ChargeRecorder {
  private readonly kind: KindRules<ClaimedOrder, ChargeResult, ExecutionTally>;
  private readonly store: SqliteWorkStore<ClaimedOrder>;

  constructor(
    db: Database,
    private readonly options: RecorderOptions,
  ) {
    const kind = chargeKind(db);
    this.kind = kind;
    this.store = new SqliteWorkStore(db, kind);
  }

  record(
    orders: readonly ClaimedOrder[],
    results: readonly ChargeResult[],
    tally: ExecutionTally,
    owner: string | null,
    at: string,
  ): void {
    const plan = planRecord(this.kind, orders, results, owner, at, this.options);
    plan.count(this.store.recordWithin(plan.batch), tally);
  }
}

/** A capture the PSP reported outside a charge call (its settlement file). */
export interface ReportedCapture {
  orderId: string;
  pspReference: string;
  feeMinor: bigint | null;
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
    new ChargeRecorder(db, { psp, retry: DEFAULT_RETRY_POLICY, random: Math.random }).record(
      pending,
      results,
      tally,
      null,
      at,
    );
  });
  return tally;
}

import type { ChargeResult } from '../../psp/port.js';
import { chargeRules } from '../kinds/charge.js';
import type { KindRules } from '../kind.js';
import { type RecordOptions, planRecord } from '../record.js';
import type { RecordWithin } from '../work-store.js';
import type { ExecutionTally } from './charge.js';
import type { ClaimedOrder } from '../../payments/store.js';

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
  private readonly kind: KindRules<ClaimedOrder, ChargeResult, ExecutionTally> = chargeRules();

  constructor(
    private readonly store: RecordWithin<ClaimedOrder>,
    private readonly options: RecorderOptions,
  ) {}

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

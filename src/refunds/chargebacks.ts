import { InvariantError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { Currency } from '../money/index.js';
import type { Dispute, PaymentServiceProvider } from '../psp/port.js';
import { nowIso } from '../time.js';
import type { ChargebackSyncStore, DisputeRecord } from './chargeback-sync-store.js';

export interface ChargebackSync {
  recorded: number;
  alreadyRecorded: number;
  /** Disputes for charges payops has no order for: reconciliation's `missing_internal`. */
  unmatched: Dispute[];
  /** Disputes naming an order whose PSP, charge or amount they do not fit: nothing booked, left for reconciliation. */
  mismatched: { dispute: Dispute; detail: string }[];
  /**
   * Disputes of orders payops has not captured yet (the charge's answer is still being retried,
   * or pending), or whose refund is still in flight: booked by a later sync, or by their webhook,
   * once the capture is booked or the refund is final. `reason` says which.
   */
  waiting: { dispute: Dispute; status: string; reason: string }[];
  /** Disputes of orders payops has as failed: the PSP says otherwise; left for reconciliation. */
  conflicts: Dispute[];
  clawedMinor: Map<Currency, bigint>;
}

/**
 * Fetches the PSP's disputes and records each new one in one transaction: the disputed money and
 * the dispute fee leave the PSP receivable, and the seller's share is clawed back exactly like a
 * refund (same cumulative split, from pending or payable). The part of a dispute that exceeds
 * what was still refundable (the buyer got a refund and disputed anyway) is booked as a loss.
 */
export async function syncChargebacks(
  store: ChargebackSyncStore,
  psp: PaymentServiceProvider,
): Promise<ChargebackSync> {
  const disputes = await psp.listDisputes();
  const records = await store.recordDisputes(disputes, psp.name, nowIso, () =>
    failpoint('chargebacks.before-commit'),
  );
  const sync: ChargebackSync = {
    recorded: 0,
    alreadyRecorded: 0,
    unmatched: [],
    mismatched: [],
    waiting: [],
    conflicts: [],
    clawedMinor: new Map(),
  };
  for (const [index, dispute] of disputes.entries()) count(sync, dispute, records[index]);
  return sync;
}

/** Counts what recording one dispute did, after the unit of work committed. */
function count(sync: ChargebackSync, dispute: Dispute, outcome: DisputeRecord | undefined): void {
  if (outcome === undefined)
    throw new InvariantError(`dispute ${dispute.disputeId}: no record of it`);
  if (outcome.recorded === 'booked') {
    sync.recorded++;
    sync.clawedMinor.set(
      dispute.currency,
      (sync.clawedMinor.get(dispute.currency) ?? 0n) + outcome.shareMinor,
    );
  } else if (outcome.recorded === 'known') {
    sync.alreadyRecorded++;
  } else if (outcome.recorded === 'not_captured') {
    if (outcome.status === 'failed') sync.conflicts.push(dispute);
    else
      sync.waiting.push({
        dispute,
        status: outcome.status,
        reason: `the order is ${outcome.status} in payops, not captured yet`,
      });
  } else if (outcome.recorded === 'refund_in_flight') {
    sync.waiting.push({ dispute, status: 'succeeded', reason: outcome.reason });
  } else if (outcome.recorded === 'mismatch') {
    sync.mismatched.push({ dispute, detail: outcome.detail });
  } else {
    sync.unmatched.push(dispute);
  }
}

import { nowIso } from '../time.js';
import type { HeldPayOut } from './held-payouts-store.js';
import type { HeldOutcome, PayoutsStore } from './payouts-store.js';

export interface HeldSettlement {
  released: number;
  rejected: { eventId: string; orderId: string; reason: string }[];
  /** Still waiting for their order after this pass. */
  stillHeld: number;
}

/**
 * Releases every held pay_out whose order is now captured and rejects those whose order can no
 * longer be; the others stay held. Each is one unit of work: the held row, the order's release,
 * its posting and the seller's wallet move together, so wallet = ledger after every step, and a
 * crash anywhere leaves either all of it or none (the next run picks the rest up). Idempotent:
 * the guarded `resolve` and the posting's idempotency key let a pay_out be applied at most once.
 */
export async function settleHeldPayOuts(
  store: PayoutsStore,
  now: () => string = nowIso,
): Promise<HeldSettlement> {
  const settlement = emptyHeldSettlement();
  for (const waiting of await store.waitingHeld())
    countHeld(settlement, waiting, await store.settleHeld(waiting.eventId, now));
  return settlement;
}

export function emptyHeldSettlement(): HeldSettlement {
  return { released: 0, rejected: [], stillHeld: 0 };
}

/** Counts what settling one held pay_out did, after its unit of work committed. */
export function countHeld(
  settlement: HeldSettlement,
  waiting: HeldPayOut,
  outcome: HeldOutcome,
): void {
  if (outcome.settled === 'waiting') settlement.stillHeld++;
  else if (outcome.settled === 'rejected') {
    if (outcome.resolved)
      settlement.rejected.push({
        eventId: waiting.eventId,
        orderId: waiting.orderId,
        reason: outcome.reason,
      });
  } else if (outcome.settled === 'released' && outcome.resolved) settlement.released++;
}

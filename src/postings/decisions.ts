import type { PostingRequest } from '../ledger/index.js';
import { decisionKey } from './keys.js';
import { type Leg, posting } from './legs.js';

/** Where a decision is made: a PSP's settlement items, or the bank leg's. */
export type DecisionLeg = 'reconcile' | 'bank';
export type PostingAction = 'accept' | 'write_off' | 'link';

/** The item a decision posts for (recon_items). */
export interface DecidedItem {
  itemId: string;
  class: string;
  /** The PSP, or `bank` for the bank leg. */
  psp: string;
  batchId?: string | null;
}

/** `reconcile.accept`, `reconcile.write-off`, `bank.link`, …: the kind and key prefix of a decision. */
export function decisionKind(leg: DecisionLeg, action: PostingAction): string {
  return action === 'write_off' ? `${leg}.write-off` : `${leg}.${action}`;
}

/**
 * Reconciliation adjustment, write-off or link: a decision on an open item posts the legs it
 * computed (against the account it corrects: Dr/Cr expenses:reconciliation:adjustments or
 * :write-offs, a suspense, an in-transit account; see settlement.ts and bank.ts). `sequence`
 * counts the item's decisions that posted, so a second decision on the same item is a new key.
 */
export function decisionTransaction(
  leg: DecisionLeg,
  action: PostingAction,
  item: DecidedItem,
  sequence: number,
  decision: { description: string; effectiveAt: string; legs: readonly Leg[] },
): PostingRequest {
  const kind = decisionKind(leg, action);
  return posting({
    idempotencyKey: decisionKey(kind, item.itemId, sequence),
    kind,
    description: `${item.class} ${item.itemId}: ${decision.description}`,
    effectiveAt: decision.effectiveAt,
    metadata: {
      psp: item.psp,
      item: item.itemId,
      class: item.class,
      ...(item.batchId ? { batchId: item.batchId } : {}),
    },
    legs: decision.legs,
  });
}

import type { EntryRequest, PostingRequest } from '../ledger/index.js';
import { decisionKey, writeBackKey } from './keys.js';
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
function decisionKind(leg: DecisionLeg, action: PostingAction): string {
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

/**
 * Write-back: a record decided away (accepted or written off) was then settled after all, so the
 * decision's postings are mirrored: every entry of them the other way round, same amounts.
 */
export function writeBackTransaction(
  item: Pick<DecidedItem, 'itemId' | 'psp'>,
  record: { ref: string; source: string },
  decisionEntries: readonly EntryRequest[],
  effectiveAt: string,
): PostingRequest {
  return {
    idempotencyKey: writeBackKey(item.itemId),
    kind: 'reconcile.write-back',
    description: `Write-back of ${item.itemId}: ${record.ref} was settled late (${record.source})`,
    effectiveAt,
    metadata: { psp: item.psp, item: item.itemId, record: record.ref },
    entries: decisionEntries.map((entry) => ({
      account: entry.account,
      currency: entry.currency,
      direction: entry.direction === 'debit' ? 'credit' : 'debit',
      amountMinor: entry.amountMinor,
    })),
  };
}

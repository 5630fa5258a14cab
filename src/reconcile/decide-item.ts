import type { DecisionAction, DecisionOutcome } from './decision.js';
import type { DecideOptions, DecisionStore } from './decision-store.js';

/** `reconcile decide ITEM ACTION`: one decision, `proposed` taking what the books propose now. */
export async function decideItem(
  store: DecisionStore,
  itemId: string,
  choice: DecisionAction | 'proposed',
  options: DecideOptions,
): Promise<DecisionOutcome> {
  const action = choice === 'proposed' ? await store.proposedFor(itemId) : choice;
  return store.decide(itemId, action, options);
}

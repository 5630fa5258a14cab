import { describe, expect, it } from 'vitest';
import { decideItem } from '../../src/reconcile/decide-item.js';
import type { DecisionAction, DecisionOutcome } from '../../src/reconcile/decision.js';
import type { DecideOptions, DecisionStore } from '../../src/reconcile/decision-store.js';

/** A store that remembers what it was asked: the service needs no database. */
function storeProposing(proposed: DecisionAction) {
  const calls: string[] = [];
  const store: DecisionStore = {
    async proposedFor(itemId) {
      calls.push(`proposedFor ${itemId}`);
      return proposed;
    },
    async decide(itemId, action, options: DecideOptions): Promise<DecisionOutcome> {
      calls.push(`decide ${itemId} ${action} ${options.note ?? ''}`);
      return { itemId, action, txIds: [], resolved: action !== 'note', message: 'done' };
    },
  };
  return { store, calls };
}

describe('decideItem', () => {
  it('takes the action given, without reading the proposal', async () => {
    const { store, calls } = storeProposing('accept');
    const outcome = await decideItem(store, 'ri_1', 'note', { note: 'waiting' });
    expect(outcome.action).toBe('note');
    expect(calls).toEqual(['decide ri_1 note waiting']);
  });

  it('reads the proposal first for `proposed`, then decides it in one unit of work', async () => {
    const { store, calls } = storeProposing('write_off');
    const outcome = await decideItem(store, 'ri_2', 'proposed', {});
    expect(outcome).toMatchObject({ itemId: 'ri_2', action: 'write_off', resolved: true });
    expect(calls).toEqual(['proposedFor ri_2', 'decide ri_2 write_off ']);
  });
});

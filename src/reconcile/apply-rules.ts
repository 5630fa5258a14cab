import type { Currency } from '../money/index.js';
import type { Decisions } from './decide.js';
import type { InternalRecords } from './records.js';
import type { Rules } from './rules.js';
import type { ItemRecord, ReconStore } from './store.js';
import type { RuleAction } from './summary.js';

/**
 * The rules of a run, in order, over the items open after matching (oldest first, so the result
 * does not depend on anything but the books):
 * 1. completePendingOrders: a capture the PSP settled for an order payops has as pending is
 *    completed through the executor's record path, and the row then settles as matched;
 * 2. feeTolerance: a fee difference within the tolerance is booked as a PSP fee;
 * 3. writeOffTolerance: a shortfall (the PSP settled less than payops booked) within the
 *    tolerance is written off.
 * What 2 and 3 book counts against the currency's cap for the run; past it, items stay open for
 * the review, and the run says so.
 */
export function applyRules(decisions: Decisions, store: ReconStore, records: InternalRecords, psp: string, rules: Rules, runId: bigint): RuleAction[] {
  const actions: RuleAction[] = [];
  const used = new Map<Currency, bigint>();
  const take = (rule: string, item: ItemRecord, action: 'accept' | 'write_off', amountMinor: bigint): void => {
    const magnitude = amountMinor < 0n ? -amountMinor : amountMinor;
    const cap = rules.capPerRun.get(item.currency) ?? 0n;
    const after = (used.get(item.currency) ?? 0n) + magnitude;
    const base = { rule, itemId: item.itemId, class: item.class, action, currency: item.currency, amountMinor: amountMinor.toString() };
    if (after > cap) {
      actions.push({ ...base, applied: false, message: `not applied: the cap of ${item.currency} for this run would be exceeded; left for review` });
      return;
    }
    used.set(item.currency, after);
    const outcome = decisions.decide(item.itemId, action, { rule, note: `rule ${rule} (run ${runId})` });
    actions.push({ ...base, applied: true, message: outcome.message });
  };

  if (rules.completePendingOrders) {
    for (const item of store.openItems(psp)) {
      if (item.class !== 'status_mismatch' || item.internalRef === null) continue;
      const record = records.byRef(item.internalRef);
      if (record?.kind !== 'capture' || record.status !== 'pending') continue;
      const outcome = decisions.decide(item.itemId, 'accept', { rule: 'completePendingOrders', note: `rule completePendingOrders (run ${runId})` });
      actions.push({ rule: 'completePendingOrders', itemId: item.itemId, class: item.class, action: 'accept', currency: item.currency, amountMinor: item.amountMinor.toString(), applied: true, message: outcome.message });
    }
  }
  for (const item of store.openItems(psp)) {
    if (item.class !== 'fee_mismatch') continue;
    const tolerance = rules.feeTolerance.get(item.currency);
    const magnitude = item.amountMinor < 0n ? -item.amountMinor : item.amountMinor;
    if (tolerance !== undefined && magnitude <= tolerance) take('feeTolerance', item, 'accept', item.amountMinor);
  }
  for (const item of store.openItems(psp)) {
    if (item.class !== 'amount_mismatch' || item.amountMinor >= 0n) continue;
    const tolerance = rules.writeOffTolerance.get(item.currency);
    if (tolerance !== undefined && -item.amountMinor <= tolerance) take('writeOffTolerance', item, 'write_off', item.amountMinor);
  }
  return actions;
}

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
 *    completed through the executor's record path, and the row then settles as matched (not
 *    when the PSP settled it in another currency: that is left for the review);
 * 2. feeTolerance: a fee difference within the tolerance is booked as a PSP fee;
 * 3. writeOffTolerance: a shortfall (the PSP settled less than payops booked) within the
 *    tolerance is written off, if the fee the PSP kept on it differs from payops' by no more than
 *    the fee tolerance (the write-off books that difference to psp-fees as well).
 * Everything 2 and 3 book to expenses counts against the currency's cap for the run, a
 * write-off's fee difference included; past it, items stay open for the review, and the run says so.
 * An item a person kept open with a note is left alone while its class is the one they saw: a
 * person's decision outranks a rule until something new (another class) comes of the item.
 */
export function applyRules(
  decisions: Decisions,
  store: ReconStore,
  records: InternalRecords,
  psp: string,
  rules: Rules,
  runId: bigint,
): RuleAction[] {
  const actions: RuleAction[] = [];
  const used = new Map<Currency, bigint>();
  /** `bookedMinor`: everything the decision books to expenses, in magnitude. */
  const take = (
    rule: string,
    item: ItemRecord,
    action: 'accept' | 'write_off',
    amountMinor: bigint,
    bookedMinor: bigint,
  ): void => {
    const cap = rules.capPerRun.get(item.currency) ?? 0n;
    const after = (used.get(item.currency) ?? 0n) + bookedMinor;
    const base = {
      rule,
      itemId: item.itemId,
      class: item.class,
      action,
      currency: item.currency,
      amountMinor: amountMinor.toString(),
    };
    const keptBy = keptOpenBy(store, item);
    if (keptBy !== undefined) {
      actions.push({
        ...base,
        applied: false,
        message: `not applied: kept open with a note by ${keptBy}; left for review`,
      });
      return;
    }
    if (after > cap) {
      actions.push({
        ...base,
        applied: false,
        message: `not applied: the cap of ${item.currency} for this run would be exceeded; left for review`,
      });
      return;
    }
    used.set(item.currency, after);
    const outcome = decisions.decide(item.itemId, action, {
      rule,
      note: `rule ${rule} (run ${runId})`,
    });
    actions.push({ ...base, applied: true, message: outcome.message });
  };

  if (rules.completePendingOrders) {
    for (const item of store.openItems(psp)) {
      if (item.class !== 'status_mismatch' || item.internalRef === null) continue;
      const record = records.byRef(item.internalRef);
      if (record?.kind !== 'capture' || record.status !== 'pending') continue;
      const keptBy = keptOpenBy(store, item);
      if (keptBy !== undefined || record.currency !== item.currency) {
        // Completing it would book the row's fee, in its currency's minor units, as the order's.
        actions.push({
          rule: 'completePendingOrders',
          itemId: item.itemId,
          class: item.class,
          action: 'accept',
          currency: item.currency,
          amountMinor: item.amountMinor.toString(),
          applied: false,
          message:
            keptBy !== undefined
              ? `not applied: kept open with a note by ${keptBy}; left for review`
              : `not applied: the PSP settled it in ${item.currency}, payops has order ${record.id} in ${record.currency}; left for review`,
        });
        continue;
      }
      const outcome = decisions.decide(item.itemId, 'accept', {
        rule: 'completePendingOrders',
        note: `rule completePendingOrders (run ${runId})`,
      });
      actions.push({
        rule: 'completePendingOrders',
        itemId: item.itemId,
        class: item.class,
        action: 'accept',
        currency: item.currency,
        amountMinor: item.amountMinor.toString(),
        applied: true,
        message: outcome.message,
      });
    }
  }
  for (const item of store.openItems(psp)) {
    if (item.class !== 'fee_mismatch') continue;
    const tolerance = rules.feeTolerance.get(item.currency);
    const magnitude = abs(item.amountMinor);
    if (tolerance !== undefined && magnitude <= tolerance)
      take('feeTolerance', item, 'accept', item.amountMinor, magnitude);
  }
  for (const item of store.openItems(psp)) {
    if (item.class !== 'amount_mismatch' || item.amountMinor >= 0n) continue;
    const tolerance = rules.writeOffTolerance.get(item.currency);
    if (tolerance === undefined || -item.amountMinor > tolerance) continue;
    const feeDifference = abs(feeDifferenceOf(store, records, item));
    if (feeDifference > (rules.feeTolerance.get(item.currency) ?? 0n)) continue;
    take(
      'writeOffTolerance',
      item,
      'write_off',
      item.amountMinor,
      -item.amountMinor + feeDifference,
    );
  }
  return actions;
}

/** Who kept the item open with a note, if that is the last decision on it and its class has not changed since. */
function keptOpenBy(store: ReconStore, item: ItemRecord): string | undefined {
  const last = store.lastDecisionOfItem(item.id);
  return last?.action === 'note' && last.class === item.class ? last.decidedBy : undefined;
}

function abs(minor: bigint): bigint {
  return minor < 0n ? -minor : minor;
}

/**
 * The fee an amount mismatch's decision books to psp-fees besides the gross difference: what the
 * PSP kept less what payops booked. A fee payops never knew (a refund's) is booked as a matched
 * row's would be, not a difference.
 */
function feeDifferenceOf(store: ReconStore, records: InternalRecords, item: ItemRecord): bigint {
  const row = item.rowId === null ? undefined : store.row(item.rowId);
  const record = item.internalRef === null ? undefined : records.byRef(item.internalRef);
  if (!row || !record) return 0n;
  return record.feeMinor === null ? 0n : row.feeMinor - record.feeMinor;
}

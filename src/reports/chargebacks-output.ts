import { formatAmount } from '../money/index.js';
import { moneyTotals } from '../output/contract.js';
import type { ChargebackSync } from '../refunds/chargebacks.js';
import type { ChargebackRecord } from '../refunds/queries.js';
import { renderTable } from './table.js';

/** `chargebacks sync` and `chargebacks list` as JSON (before the contract's check) and text. */

export function chargebacksSyncJson(sync: ChargebackSync) {
  return {
    recorded: sync.recorded,
    alreadyRecorded: sync.alreadyRecorded,
    unmatched: sync.unmatched.map((d) => d.disputeId),
    mismatched: sync.mismatched.map(({ dispute, detail }) => ({
      disputeId: dispute.disputeId,
      orderId: dispute.merchantReference,
      detail,
    })),
    waiting: sync.waiting.map(({ dispute, status, reason }) => ({
      disputeId: dispute.disputeId,
      orderId: dispute.merchantReference,
      orderStatus: status,
      reason,
    })),
    conflicts: sync.conflicts.map((d) => d.disputeId),
    clawedBack: moneyTotals(sync.clawedMinor),
  };
}

/** `chargebacks sync`'s summary line; `clawedBack` is the per-currency total as cli words it. */
export function chargebacksSyncLine(sync: ChargebackSync, clawedBack: string): string {
  return `chargebacks: ${sync.recorded} new, ${sync.alreadyRecorded} already booked${sync.waiting.length > 0 ? `, ${sync.waiting.length} waiting for their order's capture or refund` : ''}; seller shares clawed back ${clawedBack}`;
}

/** The disputes that match no order: one stderr line each, beside the text summary. */
export function unmatchedDisputeLines(sync: ChargebackSync): string[] {
  return sync.unmatched.map(
    (dispute) =>
      `dispute ${dispute.disputeId} on ${dispute.merchantReference} matches no order: left for reconciliation`,
  );
}

/** The disputes waiting for their order's capture or refund: one stderr line each. */
export function waitingDisputeLines(sync: ChargebackSync): string[] {
  return sync.waiting.map(
    ({ dispute, reason }) =>
      `dispute ${dispute.disputeId} on ${dispute.merchantReference}: ${reason}: nothing booked; run \`payops chargebacks sync\` again after that`,
  );
}

/** The disputes payops refused to book (they do not fit their order, or it failed): alarms, one each. */
export function refusedDisputeLines(sync: ChargebackSync): string[] {
  return [
    ...sync.mismatched.map(
      ({ dispute, detail }) =>
        `payops: dispute ${dispute.disputeId} on ${dispute.merchantReference}: ${detail}: nothing booked, left for reconciliation`,
    ),
    ...sync.conflicts.map(
      (dispute) =>
        `payops: dispute ${dispute.disputeId} on ${dispute.merchantReference}: the order is failed in payops but the PSP says its charge ${dispute.chargeReference} was captured and disputed: nothing booked, left for reconciliation`,
    ),
  ];
}

/** `chargebacks list`: one line per chargeback, or the line that says there is none. */
export function renderChargebackList(rows: readonly ChargebackRecord[]): string {
  if (rows.length === 0) return 'no chargebacks';
  return renderTable(
    [
      { header: 'dispute' },
      { header: 'order' },
      { header: 'amount', align: 'right' },
      { header: 'fee', align: 'right' },
      { header: 'seller share', align: 'right' },
      { header: 'currency' },
      { header: 'disputed at' },
    ],
    rows.map((r) => [
      r.disputeId,
      r.orderId,
      formatAmount(r.amountMinor, r.currency),
      formatAmount(r.disputeFeeMinor, r.currency),
      formatAmount(r.sellerShareMinor, r.currency),
      r.currency,
      r.disputedAt,
    ]),
  );
}

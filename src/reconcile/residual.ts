import { type Currency, formatAmount } from '../money/index.js';
import type { BatchRecord, ReconStore } from './store.js';
import type { RunSummary } from './summary.js';

/** One figure of a batch's residual: what it is, and its signed amount in minor units. */
export interface ResidualPart {
  label: string;
  amountMinor: bigint;
}

/**
 * How a batch's residual (what the PSP paid less what the books moved to the bank for the batch)
 * decomposes, and what of its currency is still pending:
 * - `held`: what the books hold, by kind (the run's matched rows; each row or record settled by a
 *   decision, with its class and subject; earlier residuals);
 * - `notHeld`: rows of the batch the books do not hold (a duplicate linked, a row still open);
 * - `pending`: records of the currency still inside their grace period (quiet ones counted by the
 *   latest run, plus open pending items): the payout may include them though its rows omit them.
 */
export interface ResidualBreakdown {
  payoutMinor: bigint;
  heldMinor: bigint;
  residualMinor: bigint;
  held: ResidualPart[];
  notHeld: ResidualPart[];
  pending: { records: number; amountMinor: bigint };
}

export function residualBreakdown(
  store: ReconStore,
  batch: BatchRecord & { payoutMinor: bigint },
): ResidualBreakdown {
  const { psp, batchId, currency } = batch;
  const held = store.settlementParts(psp, batchId, currency).map((part) => ({
    label:
      part.kind === 'rows'
        ? 'matched rows'
        : part.kind === 'residual'
          ? `earlier residual (${part.subject ?? ''})`
          : `${part.class ?? part.kind} ${part.subject ?? ''}`.trim(),
    amountMinor: part.netMinor,
  }));
  const notHeld = store.unsettledRowsOfBatch(psp, batchId, currency).map((row) => ({
    label: `${row.class} ${row.type} ${row.pspReference ?? `line ${row.line}`}`,
    amountMinor: row.netMinor,
  }));
  const heldMinor = held.reduce((sum, part) => sum + part.amountMinor, 0n);
  return {
    payoutMinor: batch.payoutMinor,
    heldMinor,
    residualMinor: batch.payoutMinor - heldMinor,
    held,
    notHeld,
    pending: pendingOf(store, psp, currency),
  };
}

/** Records of a currency still inside their grace period: quiet ones as the latest run of the PSP counted them, and open pending items. */
function pendingOf(
  store: ReconStore,
  psp: string,
  currency: Currency,
): { records: number; amountMinor: bigint } {
  const items = store.openPendingOf(psp, currency);
  const summary = store.latestRunOf(psp)?.summary;
  const quiet = summary
    ? ((JSON.parse(summary) as RunSummary).quietPendingByCurrency ?? []).find(
        (line) => line.currency === currency,
      )
    : undefined;
  return {
    records: items.count + (quiet?.records ?? 0),
    amountMinor: items.amountMinor + BigInt(quiet?.amountMinor ?? '0'),
  };
}

/** "residual +3.52 = PSP paid 100.00 − books hold 96.48 (matched rows 74.30; missing_internal capture:ch_x 22.18); …" */
export function describeBreakdown(breakdown: ResidualBreakdown, currency: Currency): string {
  const money = (minor: bigint) => formatAmount(minor, currency);
  const signed = (minor: bigint) => `${minor > 0n ? '+' : ''}${money(minor)}`;
  const parts = (list: readonly ResidualPart[]) =>
    list.map((part) => `${part.label} ${money(part.amountMinor)}`).join('; ');
  const text = [
    `residual ${signed(breakdown.residualMinor)} ${currency} = PSP paid ${money(breakdown.payoutMinor)} - books hold ${money(breakdown.heldMinor)}${breakdown.held.length > 0 ? ` (${parts(breakdown.held)})` : ''}`,
  ];
  if (breakdown.notHeld.length > 0)
    text.push(`rows the books do not hold: ${parts(breakdown.notHeld)}`);
  if (breakdown.pending.records > 0)
    text.push(
      `still pending in ${currency}: ${breakdown.pending.records} record${breakdown.pending.records === 1 ? '' : 's'}, ${money(breakdown.pending.amountMinor)} gross`,
    );
  return text.join('; ');
}

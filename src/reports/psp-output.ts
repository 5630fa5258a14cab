import { formatAmount } from '../money/index.js';
import type { SettlementManifest } from '../psp/sim/settlement.js';

/** `psp settle` as text: data in, strings out. */

/**
 * What `psp settle` wrote to `out`: the file, each batch's payout and each injected discrepancy,
 * one line each (printed one by one, as before the move).
 */
export function pspSettleLines(manifest: SettlementManifest, out: string, date: string): string[] {
  return [
    `wrote ${manifest.rows} rows to ${out} (${date}, psp sim)`,
    ...manifest.batches.map((batch) => {
      const payout =
        batch.payoutMinor === null
          ? 'no payout (the day nets to nothing or less)'
          : `payout ${formatAmount(BigInt(batch.payoutMinor), batch.currency)} ${batch.currency}`;
      return `  batch ${batch.batchId}: ${payout}`;
    }),
    ...manifest.injected.map(
      (injection) =>
        `  injected ${injection.kind} (${injection.expectedClass}): ${injection.pspReference}${injection.line === null ? '' : ` at line ${injection.line}`}`,
    ),
  ];
}

/** The discrepancies asked for that the day had no room for: one stderr line each. */
export function notInjectedLines(manifest: SettlementManifest): string[] {
  return manifest.skipped.map((skipped) => `not injected: ${skipped.kind}: ${skipped.reason}`);
}

import type { Database } from '../db/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import type { BatchRecord } from './store.js';
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

export function residualBreakdown(db: Database, batch: BatchRecord & { payoutMinor: bigint }): ResidualBreakdown {
  const { psp, batchId, currency } = batch;
  const settled = db
    .prepare(
      `SELECT s.kind, i.class, i.subject, SUM(s.net_minor) AS net, COUNT(*) AS n FROM recon_settlements s LEFT JOIN recon_items i ON i.id = s.item_id
       WHERE s.psp = ? AND s.batch_id = ? AND s.currency = ? GROUP BY s.kind, CASE WHEN s.kind = 'rows' THEN NULL ELSE s.id END ORDER BY MIN(s.id)`,
    )
    .all(psp, batchId, currency) as { kind: string; class: string | null; subject: string | null; net: bigint; n: bigint }[];
  const held = settled.map((part) => ({
    label: part.kind === 'rows' ? 'matched rows' : part.kind === 'residual' ? `earlier residual (${part.subject ?? ''})` : `${part.class ?? part.kind} ${part.subject ?? ''}`.trim(),
    amountMinor: BigInt(part.net),
  }));
  const unsettled = db
    .prepare(
      `SELECT class, type, psp_reference, line, net_minor FROM recon_rows
       WHERE psp = ? AND batch_id = ? AND currency = ? AND type <> 'payout' AND settlement_id IS NULL ORDER BY id LIMIT 50`,
    )
    .all(psp, batchId, currency) as { class: string; type: string; psp_reference: string | null; line: bigint; net_minor: bigint }[];
  const notHeld = unsettled.map((row) => ({ label: `${row.class} ${row.type} ${row.psp_reference ?? `line ${row.line}`}`, amountMinor: BigInt(row.net_minor) }));
  const heldMinor = held.reduce((sum, part) => sum + part.amountMinor, 0n);
  return { payoutMinor: batch.payoutMinor, heldMinor, residualMinor: batch.payoutMinor - heldMinor, held, notHeld, pending: pendingOf(db, psp, currency) };
}

/** Records of a currency still inside their grace period: quiet ones as the latest run of the PSP counted them, and open pending items. */
function pendingOf(db: Database, psp: string, currency: Currency): { records: number; amountMinor: bigint } {
  const items = db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(amount_minor), 0) AS amount FROM recon_items WHERE psp = ? AND currency = ? AND status = 'open' AND class = 'pending'`).get(psp, currency) as { n: bigint; amount: bigint };
  const latest = db.prepare('SELECT summary FROM recon_runs WHERE psp = ? AND summary IS NOT NULL ORDER BY id DESC LIMIT 1').get(psp) as { summary: string } | undefined;
  const quiet = latest ? ((JSON.parse(latest.summary) as RunSummary).quietPendingByCurrency ?? []).find((line) => line.currency === currency) : undefined;
  return { records: Number(items.n) + (quiet?.records ?? 0), amountMinor: BigInt(items.amount) + BigInt(quiet?.amountMinor ?? '0') };
}

/** "residual +3.52 = PSP paid 100.00 − books hold 96.48 (matched rows 74.30; missing_internal capture:ch_x 22.18); …" */
export function describeBreakdown(breakdown: ResidualBreakdown, currency: Currency): string {
  const money = (minor: bigint) => formatAmount(minor, currency);
  const signed = (minor: bigint) => `${minor > 0n ? '+' : ''}${money(minor)}`;
  const parts = (list: readonly ResidualPart[]) => list.map((part) => `${part.label} ${money(part.amountMinor)}`).join('; ');
  const text = [`residual ${signed(breakdown.residualMinor)} ${currency} = PSP paid ${money(breakdown.payoutMinor)} - books hold ${money(breakdown.heldMinor)}${breakdown.held.length > 0 ? ` (${parts(breakdown.held)})` : ''}`];
  if (breakdown.notHeld.length > 0) text.push(`rows the books do not hold: ${parts(breakdown.notHeld)}`);
  if (breakdown.pending.records > 0) text.push(`still pending in ${currency}: ${breakdown.pending.records} record${breakdown.pending.records === 1 ? '' : 's'}, ${money(breakdown.pending.amountMinor)} gross`);
  return text.join('; ');
}

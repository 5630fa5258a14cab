import { formatAmount } from '../money/index.js';
import type { PayoutDetail, PayoutSummary } from '../payouts/queries.js';
import { renderTable } from './table.js';

/** `payout list`: one line per payout (the caller says when there are none). */
export function renderPayoutList(payouts: readonly PayoutSummary[]): string {
  return renderTable(
    [
      { header: 'payout' },
      { header: 'seller' },
      { header: 'amount', align: 'right' },
      { header: 'currency' },
      { header: 'status' },
      { header: 'to' },
      { header: 'psp ref' },
    ],
    payouts.map((p) => [
      p.payoutId,
      p.sellerId,
      formatAmount(p.amountMinor, p.currency),
      p.currency,
      p.status,
      p.destination,
      p.pspReference ?? '',
    ]),
  );
}

/** `payout show`: one payout and its transitions. */
export function renderPayout(p: PayoutDetail): string {
  return [
    `payout ${p.payoutId}  ${p.status}  ${formatAmount(p.amountMinor, p.currency)} ${p.currency} to ${p.sellerId} (${p.destination})`,
    `  key ${p.payoutKey}${p.pspReference ? `, reference ${p.pspReference}` : ''}, attempts ${p.attempts}${p.ledgerTxId ? `, posted as transaction ${p.ledgerTxId}` : ''}`,
    ...(p.lastError ? [`  last error: ${p.lastError}`] : []),
    '',
    renderTable(
      [
        { header: 'at' },
        { header: 'attempt', align: 'right' },
        { header: 'transition' },
        { header: 'cause' },
      ],
      p.transitions.map((t) => [t.at, String(t.attempt), `${t.from ?? '·'} → ${t.to}`, t.cause]),
    ),
  ].join('\n');
}

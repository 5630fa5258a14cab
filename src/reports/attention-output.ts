import { formatAmount } from '../money/index.js';
import type { StoredAnswer } from '../payments/attention.js';
import type { AttentionOutcome } from '../work/executors/resolve-attention.js';
import { renderTable } from './table.js';

/** `attention list` and `attention resolve` as text: data in, strings out. */

/** `attention list`: one line per kept answer not booked yet, or the line that says none is. */
export function renderAttentionList(facts: readonly StoredAnswer[]): string {
  if (facts.length === 0) return 'nothing needs attention';
  return renderTable(
    [
      { header: 'kind' },
      { header: 'id' },
      { header: 'answer' },
      { header: 'psp ref' },
      { header: 'amount', align: 'right' },
      { header: 'currency' },
      { header: 'since' },
      { header: 'why not recorded' },
    ],
    facts.map((f) => [
      f.kind,
      f.itemId,
      f.answerStatus,
      f.pspReference ?? '',
      formatAmount(f.amountMinor, f.currency),
      f.currency,
      f.answeredAt,
      f.error,
    ]),
  );
}

/** How many of `outcomes` came out as `outcome`. */
export function outcomeCount(
  outcomes: readonly AttentionOutcome[],
  outcome: AttentionOutcome['outcome'],
): number {
  return outcomes.filter((o) => o.outcome === outcome).length;
}

/** `attention resolve`: one line per item asked for, then the counts. */
export function attentionResolveLines(outcomes: readonly AttentionOutcome[]): string[] {
  const count = (outcome: AttentionOutcome['outcome']) => outcomeCount(outcomes, outcome);
  return [
    ...outcomes.map((o) => `${o.kind} ${o.itemId}: ${o.outcome.replace('_', ' ')}: ${o.detail}`),
    `booked ${count('booked')}, already booked ${count('already_booked')}, refused ${count('refused')}`,
  ];
}

import type { ReplaySummary } from '../webhooks/replay.js';

/** `webhooks listen` and `webhooks replay` as text: data in, strings out. */

function outcomeList(counts: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(counts)
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(', ');
}

/** `webhooks listen`'s last line: each outcome and how many events had it. */
export function webhooksListenLine(counts: Readonly<Record<string, number>>): string {
  return `webhooks: ${outcomeList(counts) || 'none received'}`;
}

/** `webhooks replay`'s summary line. */
export function webhooksReplayLine(summary: ReplaySummary): string {
  return `replayed ${summary.lines} deliveries: ${
    outcomeList(summary.outcomes) || 'none applied'
  }; rejected ${summary.rejected.length}`;
}

/** The stderr line for `notYet` events that wait for their order's PSP answer, replayed from `file`. */
export function notAppliedYetLine(notYet: number, file: string): string {
  return `${notYet} event${notYet === 1 ? '' : 's'} not applied yet: ${notYet === 1 ? 'its order has' : 'their orders have'} no answer from the PSP in payops yet (run \`payops retry run\`, then replay ${file} again)`;
}

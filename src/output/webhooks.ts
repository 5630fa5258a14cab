import { z } from 'zod';
import type { ReplaySummary } from '../webhooks/replay.js';
import { countSchema } from './contract.js';

/** Outcomes as a list (an outcome name is a value, never a key: keys stay camelCase). */
const outcomesSchema = z.array(z.strictObject({ outcome: z.string(), count: countSchema }));

/** `webhooks listen --json` (printed when stopped) and `webhooks replay --json`. */
export const webhooksListenSchema = z.strictObject({ outcomes: outcomesSchema });

export const webhooksReplaySchema = z.strictObject({
  lines: countSchema,
  outcomes: outcomesSchema,
  rejected: z.array(z.strictObject({ line: countSchema, reason: z.string() })),
  /** Events a person should look at (mismatch, conflict). */
  alarms: z.array(z.string()),
});

export function outcomesJson(
  counts: Readonly<Record<string, number | undefined>>,
): z.input<typeof outcomesSchema> {
  return Object.entries(counts).map(([outcome, count]) => ({ outcome, count: count ?? 0 }));
}

export function webhooksReplayJson(summary: ReplaySummary): z.input<typeof webhooksReplaySchema> {
  return {
    lines: summary.lines,
    outcomes: outcomesJson(summary.outcomes),
    rejected: summary.rejected,
    alarms: summary.alarms,
  };
}

import fs from 'node:fs';
import readline from 'node:readline';
import { InputError, UsageError } from '../../errors.js';
import { verifySignature } from '../../psp/webhooks/signature.js';
import { normalizeInstant } from '../../time.js';
import { type WebhookApplier, type WebhookOutcome, parseWebhookEvent } from './apply.js';

export interface ReplaySummary {
  lines: number;
  outcomes: Partial<Record<WebhookOutcome, number>>;
  rejected: { line: number; reason: string }[];
  /** Events whose outcome a person should look at (mismatch, conflict). */
  alarms: string[];
}

/**
 * `payops webhooks replay FILE`: applies deliveries saved by `listen --record` with the same
 * checks as the listener. The tolerance is measured from each delivery's signature timestamp to
 * the time the listener received it (saved beside it), not to now: a delivery that was fresh
 * when it arrived replays at any later time, one that was stale then is refused now too. Events
 * already applied are duplicates by id, so replaying a file twice changes nothing.
 */
export async function replayDeliveries(file: string, applier: WebhookApplier, options: { secret: string; toleranceS: number }): Promise<ReplaySummary> {
  if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist`, { hint: 'record deliveries with `payops webhooks listen --record FILE`' });
  const summary: ReplaySummary = { lines: 0, outcomes: {}, rejected: [], alarms: [] };
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    summary.lines++;
    try {
      const line = JSON.parse(text) as { receivedAt?: unknown; signature?: unknown; body?: unknown };
      if (typeof line.body !== 'string' || typeof line.signature !== 'string') throw new InputError('expected {"receivedAt", "signature", "body"} as written by `webhooks listen --record`');
      const receivedAtS = Math.floor(Date.parse(normalizeInstant(line.receivedAt, 'receivedAt')) / 1000);
      const verified = verifySignature(line.signature, line.body, options.secret, options.toleranceS, receivedAtS);
      if (!verified.ok) throw new InputError(verified.reason);
      const { outcome, detail } = applier.apply(parseWebhookEvent(line.body), 'replay');
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
      if (outcome === 'mismatch' || outcome === 'conflict') summary.alarms.push(`${file}:${number} ${outcome}: ${detail}`);
    } catch (error) {
      if (error instanceof SyntaxError) summary.rejected.push({ line: number, reason: 'not valid JSON' });
      else if (error instanceof InputError) summary.rejected.push({ line: number, reason: error.message });
      else throw error;
    }
  }
  return summary;
}

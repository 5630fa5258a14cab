import fs from 'node:fs';
import { InputError, UsageError } from '../errors.js';
import { readNdjsonLines } from '../input/ndjson.js';
import { verifySignature } from '../psp/webhooks/signature.js';
import { normalizeInstant } from '../time.js';
import { type WebhookApplier, type WebhookOutcome, parseWebhookEvent } from './apply.js';

export interface ReplaySummary {
  lines: number;
  outcomes: Partial<Record<WebhookOutcome, number>>;
  rejected: { line: number; reason: string }[];
  /** Events whose outcome a person should look at (mismatch, conflict). */
  alarms: string[];
}

export interface ReplayOptions {
  secret: string;
  toleranceS: number;
  /** The listener's limit: a recorded body larger than this is refused, as the listener would have. */
  maxBodyBytes: number;
}

/**
 * `payops webhooks replay FILE`: applies deliveries saved by `listen --record` with the same
 * checks as the listener. The tolerance is measured from each delivery's signature timestamp to
 * the time the listener received it (saved beside it), not to now: a delivery that was fresh
 * when it arrived replays at any later time, one that was stale then is refused now too. Events
 * already applied are duplicates by id, so replaying a file twice changes nothing. An event whose
 * order payops has no answer for yet (`retry_later`) is neither applied nor remembered: the file
 * is replayed again once the order is pending or final.
 */
export async function replayDeliveries(
  file: string,
  applier: WebhookApplier,
  options: ReplayOptions,
): Promise<ReplaySummary> {
  assertReplayableFile(file);
  const summary: ReplaySummary = { lines: 0, outcomes: {}, rejected: [], alarms: [] };
  // A recorded line is its body JSON-escaped (at most six bytes for one) beside a time and a signature.
  const maxLineBytes = options.maxBodyBytes * 6 + 4096;
  for await (const record of readNdjsonLines(file, maxLineBytes)) {
    summary.lines++;
    if (record.problem) {
      summary.rejected.push({
        line: record.line,
        reason: `${record.problem.field}: ${record.problem.reason}`,
      });
      continue;
    }
    try {
      const { outcome, detail } = await replayOne(record.text, applier, options);
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
      if (outcome === 'mismatch' || outcome === 'conflict')
        summary.alarms.push(`${file}:${record.line} ${outcome}: ${detail}`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      summary.rejected.push({ line: record.line, reason: error.message });
    }
  }
  return summary;
}

async function replayOne(
  text: string,
  applier: WebhookApplier,
  options: ReplayOptions,
): Promise<{ outcome: WebhookOutcome; detail: string }> {
  let line: { receivedAt?: unknown; signature?: unknown; body?: unknown };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    throw new InputError('not valid JSON');
  }
  if (
    typeof line !== 'object' ||
    line === null ||
    typeof line.body !== 'string' ||
    typeof line.signature !== 'string'
  ) {
    throw new InputError(
      'expected {"receivedAt", "signature", "body"} as written by `webhooks listen --record`',
    );
  }
  const bodyBytes = Buffer.byteLength(line.body);
  if (bodyBytes > options.maxBodyBytes)
    throw new InputError(
      `the body is ${bodyBytes} bytes, over the ${options.maxBodyBytes}-byte limit (--max-body-bytes)`,
    );
  const receivedAtS = Math.floor(
    Date.parse(normalizeInstant(line.receivedAt, 'receivedAt')) / 1000,
  );
  const verified = verifySignature(
    line.signature,
    line.body,
    options.secret,
    options.toleranceS,
    receivedAtS,
    'the time it was received',
  );
  if (!verified.ok) throw new InputError(verified.reason);
  return applier.apply(parseWebhookEvent(line.body), 'replay');
}

function assertReplayableFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`${file} does not exist`, {
      hint: 'record deliveries with `payops webhooks listen --record FILE`',
    });
  }
  if (!stat.isFile())
    throw new UsageError(`${file} is not a file`, {
      hint: 'name a file written by `payops webhooks listen --record`',
    });
}

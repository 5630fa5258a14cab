import type { CliContext } from '../context.js';
import { pspFactory } from '../lazy.js';
import { withDatabase } from '../context.js';
import { listenError } from '../options.js';
import { ExitCode } from '../../errors.js';
import { webhookSecretFromEnv } from '../../psp/webhooks/signature.js';
import { ALARMING_OUTCOMES } from '../../webhooks/apply.js';
import { sqliteWebhookApplier } from '../../webhooks/sqlite-apply-store.js';
import { WebhookListener } from '../../webhooks/listener.js';
import { DEFAULT_RETRY_POLICY } from '../../payments/retry-policy.js';
import { assertSafeOutput } from '../../private-files.js';
import * as output from '../../output/webhooks.js';
import { contractJson } from '../../output/contract.js';
import { replayDeliveries } from '../../webhooks/replay.js';
import {
  notAppliedYetLine,
  webhooksListenLine,
  webhooksReplayLine,
} from '../../reports/webhooks-output.js';

export interface ListenFlags {
  port: number;
  toleranceS: number;
  maxBodyBytes: number;
  record?: string;
  json?: boolean;
}

// Only the http PSP (`payops psp serve`) sends payops-signed events.
const WEBHOOK_PSP = 'http';

export type WebhooksReplayFlags = { toleranceS: number; maxBodyBytes: number; json?: boolean };

export async function webhooksListen(context: CliContext, flags: ListenFlags): Promise<void> {
  const { defaultSimStateFile } = await pspFactory();
  const secret = webhookSecretFromEnv();
  const recordGuard = {
    flag: '--record',
    database: context.dbPath,
    pspState: defaultSimStateFile(context.dbPath),
  };
  // Refused before the database is opened or a port is taken.
  if (flags.record !== undefined) assertSafeOutput(flags.record, recordGuard);
  const counts = await withDatabase(context, async (db) => {
    const listener = new WebhookListener({
      applier: sqliteWebhookApplier(db, {
        psp: WEBHOOK_PSP,
        retry: DEFAULT_RETRY_POLICY,
        clock: Date.now,
      }),
      secret,
      toleranceS: flags.toleranceS,
      maxBodyBytes: flags.maxBodyBytes,
      recordFile: flags.record,
      recordGuard,
      clock: Date.now,
      onEvent: ({ eventId, type, outcome, detail }) => {
        const line = `payops webhooks: ${eventId} ${type}: ${outcome} (${detail})`;
        context.err(ALARMING_OUTCOMES.includes(outcome) ? context.color.red(line) : line);
      },
      onRejected: (reason) => context.err(`payops webhooks: rejected: ${reason}`),
    });
    const url = await listener
      .listen(flags.port)
      .catch((error: unknown) => Promise.reject(listenError(error, flags.port)));
    context.err(`payops webhooks: listening on ${url}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await listener.close();
    return Object.fromEntries(listener.counts);
  });
  context.out(
    flags.json
      ? contractJson(output.webhooksListenSchema, { outcomes: output.outcomesJson(counts) })
      : webhooksListenLine(counts),
  );
}

export async function webhooksReplay(
  context: CliContext,
  file: string,
  flags: WebhooksReplayFlags,
): Promise<void> {
  const secret = webhookSecretFromEnv();
  const summary = await withDatabase(context, (db) =>
    replayDeliveries(
      file,
      sqliteWebhookApplier(db, {
        psp: WEBHOOK_PSP,
        retry: DEFAULT_RETRY_POLICY,
        clock: Date.now,
      }),
      {
        secret,
        toleranceS: flags.toleranceS,
        maxBodyBytes: flags.maxBodyBytes,
      },
    ),
  );
  for (const rejection of summary.rejected)
    context.err(`${file}:${rejection.line} ${rejection.reason}`);
  for (const alarm of summary.alarms) context.err(context.color.red(alarm));
  const notYet = summary.outcomes.retry_later ?? 0;
  if (notYet > 0) context.err(notAppliedYetLine(notYet, file));
  context.out(
    flags.json
      ? contractJson(output.webhooksReplaySchema, output.webhooksReplayJson(summary))
      : webhooksReplayLine(summary),
  );
  process.exitCode =
    summary.alarms.length > 0
      ? ExitCode.invariantFailed
      : summary.rejected.length > 0
        ? ExitCode.inputRejected
        : notYet > 0
          ? ExitCode.workPending
          : ExitCode.ok;
}

import type { Command } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';
import { listenError, port, positiveInteger } from '../cli/options.js';
import { ExitCode } from '../errors.js';

interface ListenFlags {
  port: number;
  toleranceS: number;
  maxBodyBytes: number;
  record?: string;
  json?: boolean;
}

// Only the http PSP (`payops psp serve`) sends payops-signed events.
const WEBHOOK_PSP = 'http';

/** `payops webhooks listen|replay`: the PSP's signed events, applied once each. */
export function registerWebhooks(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('signed PSP events: pending charges that settled, applied once each');

  webhooks
    .command('listen')
    .description(
      'receive signed PSP events on 127.0.0.1 and apply each once (secret from PAYOPS_WEBHOOK_SECRET)',
    )
    .option(
      '--port <port>',
      'port on 127.0.0.1 (0: any free port; the URL is printed on stderr)',
      port,
      0,
    )
    .option(
      '--tolerance-s <s>',
      'how far a signature timestamp may be from now, in seconds',
      positiveInteger,
      300,
    )
    .option(
      '--max-body-bytes <n>',
      'larger deliveries are refused with 413',
      positiveInteger,
      65_536,
    )
    .option(
      '--record <file>',
      'append every verified delivery to FILE (NDJSON, 0600), for `payops webhooks replay`',
    )
    .option('--json', 'print the summary as JSON when stopped')
    .addHelpText(
      'after',
      `${examples('payops webhooks listen --port 4100 --record deliveries.ndjson')}
The signing secret comes from PAYOPS_WEBHOOK_SECRET only (the same value \`payops psp serve\` has).
Prints "payops webhooks: listening on http://127.0.0.1:PORT/" on stderr; stops on SIGINT or SIGTERM.
A forged or stale delivery is answered 400 and recorded nowhere.
`,
    )
    .action(async (flags: ListenFlags, command: Command) => {
      const context = contextOf(command);
      const { webhookSecretFromEnv } = await import('../psp/webhooks/signature.js');
      const { WebhookApplier, ALARMING_OUTCOMES } = await import('../payments/webhooks/apply.js');
      const { WebhookListener } = await import('../payments/webhooks/listener.js');
      const { DEFAULT_RETRY_POLICY } = await import('../payments/retry-policy.js');
      const secret = webhookSecretFromEnv();
      const { defaultSimStateFile } = await import('../psp/factory.js');
      const { assertSafeOutput } = await import('../private-files.js');
      const recordGuard = {
        flag: '--record',
        database: context.dbPath,
        pspState: defaultSimStateFile(context.dbPath),
      };
      // Refused before the database is opened or a port is taken.
      if (flags.record !== undefined) assertSafeOutput(flags.record, recordGuard);
      const counts = await withDatabase(context, async (db) => {
        const listener = new WebhookListener({
          applier: new WebhookApplier(db, {
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
      const output = await import('../output/webhooks.js');
      const { contractJson } = await import('../output/contract.js');
      context.out(
        flags.json
          ? contractJson(output.webhooksListenSchema, { outcomes: output.outcomesJson(counts) })
          : `webhooks: ${
              Object.entries(counts)
                .map(([outcome, n]) => `${outcome} ${n}`)
                .join(', ') || 'none received'
            }`,
      );
    });

  webhooks
    .command('replay')
    .description(
      'apply deliveries saved by `listen --record`, with the same checks; events already applied change nothing',
    )
    .argument('<file>', 'an NDJSON file written by `payops webhooks listen --record`')
    .option(
      '--tolerance-s <s>',
      'how far each signature timestamp may be from the time it was received',
      positiveInteger,
      300,
    )
    .option(
      '--max-body-bytes <n>',
      'larger recorded bodies are refused, as the listener refuses them',
      positiveInteger,
      65_536,
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `${examples('payops webhooks replay deliveries.ndjson')}
Exit code 5 if an event contradicts the books (mismatch, conflict); else 3 if a line was rejected
(forged, stale when received, malformed); else 6 if an event could not be applied yet (its order
has no answer from the PSP in payops yet: replay the file again after \`payops retry run\`).
`,
    )
    .action(
      async (
        file: string,
        flags: { toleranceS: number; maxBodyBytes: number; json?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { webhookSecretFromEnv } = await import('../psp/webhooks/signature.js');
        const { WebhookApplier } = await import('../payments/webhooks/apply.js');
        const { replayDeliveries } = await import('../payments/webhooks/replay.js');
        const { DEFAULT_RETRY_POLICY } = await import('../payments/retry-policy.js');
        const secret = webhookSecretFromEnv();
        const summary = await withDatabase(context, (db) =>
          replayDeliveries(
            file,
            new WebhookApplier(db, {
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
        if (notYet > 0) {
          context.err(
            `${notYet} event${notYet === 1 ? '' : 's'} not applied yet: ${notYet === 1 ? 'its order has' : 'their orders have'} no answer from the PSP in payops yet (run \`payops retry run\`, then replay ${file} again)`,
          );
        }
        const output = await import('../output/webhooks.js');
        const { contractJson } = await import('../output/contract.js');
        context.out(
          flags.json
            ? contractJson(output.webhooksReplaySchema, output.webhooksReplayJson(summary))
            : `replayed ${summary.lines} deliveries: ${
                Object.entries(summary.outcomes)
                  .map(([outcome, n]) => `${outcome} ${n}`)
                  .join(', ') || 'none applied'
              }; rejected ${summary.rejected.length}`,
        );
        process.exitCode =
          summary.alarms.length > 0
            ? ExitCode.invariantFailed
            : summary.rejected.length > 0
              ? ExitCode.inputRejected
              : notYet > 0
                ? ExitCode.workPending
                : ExitCode.ok;
      },
    );
}

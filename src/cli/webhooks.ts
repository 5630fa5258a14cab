import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { port, positiveInteger } from './options.js';
import { lazy } from './lazy.js';
import type { ListenFlags, WebhooksReplayFlags } from './actions/webhooks.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/webhooks.js'));

/** `payops webhooks listen|replay`: the PSP's signed events, applied once each. */
export function registerWebhooks(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('signed PSP events: pending charges that settled, applied once each');

  webhooksListen(webhooks);

  webhooksReplay(webhooks);
}

function webhooksListen(webhooks: Command): void {
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
    .action(async (flags: ListenFlags, command: Command) =>
      (await actions()).webhooksListen(contextOf(command), flags),
    );
}

function webhooksReplay(webhooks: Command): void {
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
    .action(async (file: string, flags: WebhooksReplayFlags, command: Command) =>
      (await actions()).webhooksReplay(contextOf(command), file, flags),
    );
}

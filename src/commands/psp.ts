import type { Command } from 'commander';
import { contextOf, examples } from '../cli/context.js';
import { listenError, nonNegativeInteger, positiveInteger } from '../cli/options.js';

interface ServeFlags {
  port: number;
  state: string;
  seed: string;
  faults?: string;
  feeRule?: string;
  webhookUrl?: string;
  settleAfterMs: number;
  slowMs: number;
  retryAfterS: number;
}

/** `payops psp serve`: the simulated PSP over HTTP, for the `http` adapter and webhooks. */
export function registerPsp(program: Command): void {
  const psp = program.command('psp').description('payops\' own PSP: the simulator served over HTTP');
  psp
    .command('serve')
    .description('serve the simulated PSP on 127.0.0.1: charges, refunds, payouts, look-ups, disputes, signed webhooks')
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port; the URL is printed on stderr)', nonNegativeInteger, 0)
    .requiredOption('--state <file>', 'the PSP\'s own state file (created if missing; a version-1 file is migrated in place)')
    .option('--seed <seed>', 'seed of faults and outcomes', '0')
    .option('--faults <spec>', 'fault rates, e.g. timeout=0.02,5xx=0.02,429=0.01,reset=0.01,lost=0.02,decline=0.02,pending=0.05,webhook-duplicate=0.1,webhook-delay=0.1')
    .option('--fee-rule <rule>', 'the PSP\'s fee, e.g. "2.9%+0.30"')
    .option('--webhook-url <url>', 'where to send signed webhook events (secret from PAYOPS_WEBHOOK_SECRET)')
    .option('--settle-after-ms <ms>', 'how long a pending charge stays pending before it settles on its own', nonNegativeInteger, 2_000)
    .option('--slow-ms <ms>', 'how long a request struck by the timeout fault is held before it is processed', nonNegativeInteger, 15_000)
    .option('--retry-after-s <s>', 'Retry-After of the 429 fault, in seconds', positiveInteger, 1)
    .addHelpText(
      'after',
      `${examples(
        'payops psp serve --state psp.db --port 0',
        'payops psp serve --state psp.db --faults pending=0.1,5xx=0.02 --webhook-url http://127.0.0.1:4100/',
      )}
Webhooks are signed with PAYOPS_WEBHOOK_SECRET (from the environment only, never a flag).
Prints "payops psp: listening on http://127.0.0.1:PORT" on stderr; stops on SIGINT or SIGTERM.
`,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      const context = contextOf(command);
      const { parseFaults } = await import('../psp/sim/faults.js');
      const { DEFAULT_FEE_RULE, parseFeeRule } = await import('../psp/fee-rule.js');
      const { SimEngine } = await import('../psp/sim/engine.js');
      const { PspServer } = await import('../psp/http/server.js');
      const { webhookSecretFromEnv } = await import('../psp/webhooks/signature.js');
      const { UsageError } = await import('../errors.js');
      const faults = parseFaults(flags.faults);
      const feeRule = flags.feeRule === undefined ? DEFAULT_FEE_RULE : parseFeeRule(flags.feeRule);
      let webhook: { url: string; secret: string } | undefined;
      if (flags.webhookUrl !== undefined) {
        if (!/^https?:\/\/[^\s]+$/.test(flags.webhookUrl)) throw new UsageError(`--webhook-url: "${flags.webhookUrl}" is not an http(s) URL`);
        webhook = { url: flags.webhookUrl, secret: webhookSecretFromEnv() };
      }
      const engine = new SimEngine({
        stateFile: flags.state, seed: flags.seed, faults, feeRule, clock: Date.now,
        pendingResolveMs: flags.settleAfterMs, webhooks: webhook !== undefined,
      });
      const server = new PspServer({
        engine, seed: flags.seed, faults, slowMs: flags.slowMs, retryAfterS: flags.retryAfterS,
        settleEveryMs: Math.max(20, Math.min(500, Math.floor(flags.settleAfterMs / 4) || 20)), webhook, log: context.err,
      });
      try {
        const url = await server.listen(flags.port).catch((error: unknown) => Promise.reject(listenError(error, flags.port)));
        context.err(`payops psp: listening on ${url}`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        context.err(`payops psp: ${signal}: finishing queued requests, abandoning held ones`);
        await server.close();
        const outbox = engine.webhookCounts();
        context.err(`payops psp: stopped after ${server.stats().served} requests; webhooks delivered ${outbox.delivered}, waiting ${outbox.waiting}, given up ${outbox.gaveUp}`);
      } finally {
        engine.close();
      }
    });
}

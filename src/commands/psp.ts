import type { Command } from 'commander';
import { contextOf, examples, toJson } from '../cli/context.js';
import { listenError, nonNegativeInteger, port, positiveInteger } from '../cli/options.js';
import type { OutputGuard } from '../private-files.js';

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

interface SettleFlags {
  date: string;
  out: string;
  pspState?: string;
  injectDiscrepancies?: number;
  seed: string;
  manifest?: string;
  feeRule?: string;
  json?: boolean;
}

/** `payops psp serve|settle`: payops' own PSP over HTTP, and the settlement files it writes. */
export function registerPsp(program: Command): void {
  const psp = program
    .command('psp')
    .description("payops' own PSP: the simulator served over HTTP, and its settlement files");
  registerServe(psp);
  registerSettle(psp);
}

function registerServe(psp: Command): void {
  psp
    .command('serve')
    .description(
      'serve the simulated PSP on 127.0.0.1: charges, refunds, payouts, look-ups, disputes, signed webhooks',
    )
    .option(
      '--port <port>',
      'port on 127.0.0.1 (0: any free port; the URL is printed on stderr)',
      port,
      0,
    )
    .requiredOption(
      '--state <file>',
      "the PSP's own state file (created if missing; a version-1 file is migrated in place)",
    )
    .option('--seed <seed>', 'seed of faults and outcomes', '0')
    .option(
      '--faults <spec>',
      'fault rates, e.g. timeout=0.02,5xx=0.02,429=0.01,reset=0.01,lost=0.02,decline=0.02,pending=0.05,webhook-duplicate=0.1,webhook-delay=0.1',
    )
    .option('--fee-rule <rule>', 'the PSP\'s fee, e.g. "2.9%+0.30"')
    .option(
      '--webhook-url <url>',
      'where to send signed webhook events (secret from PAYOPS_WEBHOOK_SECRET)',
    )
    .option(
      '--settle-after-ms <ms>',
      'how long a pending charge stays pending before it settles on its own',
      nonNegativeInteger,
      2_000,
    )
    .option(
      '--slow-ms <ms>',
      'how long a request struck by the timeout fault is held before it is processed',
      nonNegativeInteger,
      15_000,
    )
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
        if (!/^https?:\/\/[^\s]+$/.test(flags.webhookUrl))
          throw new UsageError(`--webhook-url: "${flags.webhookUrl}" is not an http(s) URL`);
        webhook = { url: flags.webhookUrl, secret: webhookSecretFromEnv() };
      }
      const engine = new SimEngine({
        stateFile: flags.state,
        seed: flags.seed,
        faults,
        feeRule,
        clock: Date.now,
        pendingResolveMs: flags.settleAfterMs,
        webhooks: webhook !== undefined,
      });
      const server = new PspServer({
        engine,
        seed: flags.seed,
        faults,
        slowMs: flags.slowMs,
        retryAfterS: flags.retryAfterS,
        settleEveryMs: Math.max(20, Math.min(500, Math.floor(flags.settleAfterMs / 4) || 20)),
        webhook,
        log: context.err,
      });
      try {
        const url = await server
          .listen(flags.port)
          .catch((error: unknown) => Promise.reject(listenError(error, flags.port)));
        context.err(`payops psp: listening on ${url}`);
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        context.err(`payops psp: ${signal}: finishing queued requests, abandoning held ones`);
        await server.close();
        const outbox = engine.webhookCounts();
        context.err(
          `payops psp: stopped after ${server.stats().served} requests; webhooks delivered ${outbox.delivered}, waiting ${outbox.waiting}, given up ${outbox.gaveUp}`,
        );
      } finally {
        engine.close();
      }
    });
}

function registerSettle(psp: Command): void {
  psp
    .command('settle')
    .description(
      "write the simulated PSP's settlement file for one UTC day (payops format), from the PSP's own books",
    )
    .requiredOption('--date <day>', 'the UTC day to settle, e.g. 2026-11-23')
    .requiredOption('--out <file>', 'where to write the settlement file')
    .option(
      '--psp-state <file>',
      "the simulated PSP's state file (default: <db>.psp-sim.db beside the database)",
    )
    .option(
      '--inject-discrepancies <n>',
      'write N discrepancies into the file (kinds in turn: missing row, extra row, changed amount, changed fee, settled charge payops failed, duplicated row)',
      nonNegativeInteger,
    )
    .option('--seed <seed>', 'which rows the discrepancies go to', '0')
    .option('--manifest <file>', 'write what was injected, as JSON')
    .option(
      '--fee-rule <rule>',
      'the fee of a charge the PSP settles though it declined it (settled_failed), e.g. "2.9%+0.30"',
    )
    .option('--json', 'print the manifest as JSON')
    .addHelpText(
      'after',
      `${examples('payops psp settle --date 2026-11-23 --out settlement-2026-11-23.csv', 'payops psp settle --date 2026-11-23 --out day.csv --inject-discrepancies 6 --seed 7 --manifest day.manifest.json')}
Captures (a pending charge counts on the day it settled), refunds and chargebacks with their fees,
then one payout row per currency: batch po_sim_YYYYMMDD_CUR. An injected discrepancy changes the
rows, never the payout, which stays what the PSP really paid out.
`,
    )
    .action(async (flags: SettleFlags, command: Command) => {
      const context = contextOf(command);
      const fs = await import('node:fs');
      const { UsageError } = await import('../errors.js');
      const { defaultSimStateFile } = await import('../psp/factory.js');
      const { DEFAULT_FEE_RULE, parseFeeRule } = await import('../psp/fee-rule.js');
      const { SimEngine } = await import('../psp/sim/engine.js');
      const { NO_FAULTS } = await import('../psp/sim/faults.js');
      const { writeSimSettlement } = await import('../psp/sim/settlement.js');
      const { PrivateFile, assertSafeOutput } = await import('../private-files.js');
      const stateFile = flags.pspState ?? defaultSimStateFile(context.dbPath);
      if (!fs.existsSync(stateFile)) {
        throw new UsageError(`no simulated PSP state at ${stateFile}`, {
          hint: 'charge through the simulated PSP first (`payops payin run`), or pass --psp-state FILE',
        });
      }
      const feeRule = flags.feeRule === undefined ? DEFAULT_FEE_RULE : parseFeeRule(flags.feeRule);
      // The manifest's file is opened first: if it cannot be written, no settlement file is either.
      const books = { database: context.dbPath, pspState: stateFile };
      const outGuard: OutputGuard = {
        ...books,
        flag: '--out',
        outputs: flags.manifest === undefined ? {} : { '--manifest': flags.manifest },
      };
      assertSafeOutput(flags.out, outGuard);
      const manifestFile =
        flags.manifest === undefined
          ? undefined
          : PrivateFile.create(flags.manifest, {
              ...books,
              flag: '--manifest',
              outputs: { '--out': flags.out },
            });
      const engine = new SimEngine({
        stateFile,
        seed: flags.seed,
        faults: NO_FAULTS,
        feeRule,
        clock: Date.now,
      });
      try {
        const manifest = await writeSimSettlement(engine, {
          date: flags.date,
          out: flags.out,
          outGuard,
          inject: flags.injectDiscrepancies ?? 0,
          seed: flags.seed,
          feeRule,
        });
        if (manifestFile) {
          manifestFile.write(`${toJson(manifest)}\n`);
          manifestFile.commit();
        }
        if (flags.json) {
          const { contractJson } = await import('../output/contract.js');
          const { pspSettleJson, pspSettleSchema } = await import('../output/psp.js');
          context.out(contractJson(pspSettleSchema, pspSettleJson(manifest)));
          return;
        }
        const { formatAmount } = await import('../money/index.js');
        context.out(`wrote ${manifest.rows} rows to ${flags.out} (${flags.date}, psp sim)`);
        for (const batch of manifest.batches) {
          const payout =
            batch.payoutMinor === null
              ? 'no payout (the day nets to nothing or less)'
              : `payout ${formatAmount(BigInt(batch.payoutMinor), batch.currency)} ${batch.currency}`;
          context.out(`  batch ${batch.batchId}: ${payout}`);
        }
        for (const injection of manifest.injected)
          context.out(
            `  injected ${injection.kind} (${injection.expectedClass}): ${injection.pspReference}${injection.line === null ? '' : ` at line ${injection.line}`}`,
          );
        for (const skipped of manifest.skipped)
          context.err(`not injected: ${skipped.kind}: ${skipped.reason}`);
      } finally {
        manifestFile?.abort();
        engine.close();
      }
    });
}

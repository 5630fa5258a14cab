import type { CliContext } from '../context.js';
import { toJson } from '../context.js';
import { listenError } from '../options.js';
import type { OutputGuard } from '../../private-files.js';
import { parseFaults, NO_FAULTS } from '../../psp/sim/faults.js';
import { DEFAULT_FEE_RULE, parseFeeRule } from '../../psp/fee-rule.js';
import { SimEngine } from '../../psp/sim/engine.js';
import { PspServer } from '../../psp/http/server.js';
import { webhookSecretFromEnv } from '../../psp/webhooks/signature.js';
import { UsageError } from '../../errors.js';
import * as fs from 'node:fs';
import { defaultSimStateFile } from '../../psp/factory.js';
import { writeSimSettlement } from '../../psp/sim/settlement.js';
import { PrivateFile, assertSafeOutput } from '../../private-files.js';
import { contractJson } from '../../output/contract.js';
import { pspSettleJson, pspSettleSchema } from '../../output/psp.js';
import { notInjectedLines, pspSettleLines } from '../../reports/psp-output.js';

export interface ServeFlags {
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

export interface SettleFlags {
  date: string;
  out: string;
  pspState?: string;
  injectDiscrepancies?: number;
  seed: string;
  manifest?: string;
  feeRule?: string;
  json?: boolean;
}

export async function pspServe(context: CliContext, flags: ServeFlags): Promise<void> {
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
}

export async function pspSettle(context: CliContext, flags: SettleFlags): Promise<void> {
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
      context.out(contractJson(pspSettleSchema, pspSettleJson(manifest)));
      return;
    }
    for (const line of pspSettleLines(manifest, flags.out, flags.date)) context.out(line);
    for (const line of notInjectedLines(manifest)) context.err(line);
  } finally {
    manifestFile?.abort();
    engine.close();
  }
}

import type { CliContext } from '../context.js';
import { toJson } from '../context.js';
import type { OutputGuard } from '../../private-files.js';
import * as fs from 'node:fs';
import { UsageError } from '../../errors.js';
import { BANK_FORMATS } from '../../bank/types.js';
import { defaultSimStateFile } from '../../psp/factory.js';
import { DEFAULT_FEE_RULE } from '../../psp/fee-rule.js';
import { SimEngine } from '../../psp/sim/engine.js';
import { NO_FAULTS } from '../../psp/sim/faults.js';
import {
  type BankStatementManifest,
  checkBankDayOptions,
  writeSimBankStatement,
} from '../../bank/sim/index.js';
import { PrivateFile, assertSafeOutput } from '../../private-files.js';
import { isCurrencyCode } from '../../money/index.js';

export interface StatementFlags {
  date: string;
  format: string;
  out: string;
  delayDays: number;
  pspState?: string;
  injectDiscrepancies?: number;
  seed: string;
  manifest?: string;
  currency?: string;
}

export async function bankStatement(context: CliContext, flags: StatementFlags): Promise<void> {
  const format = BANK_FORMATS.find((known) => known === flags.format);
  if (format === undefined)
    throw new UsageError(`--format: "${flags.format}" is not one of ${BANK_FORMATS.join(', ')}`);
  const currency = flags.currency;
  if (currency !== undefined && !isCurrencyCode(currency))
    throw new UsageError(`--currency: "${currency}" is not an ISO 4217 code such as USD`);
  const day = {
    date: flags.date,
    delayDays: flags.delayDays,
    inject: flags.injectDiscrepancies ?? 0,
    seed: flags.seed,
  };
  checkBankDayOptions(day);
  const stateFile = flags.pspState ?? defaultSimStateFile(context.dbPath);
  if (!fs.existsSync(stateFile)) {
    throw new UsageError(`no simulated PSP state at ${stateFile}`, {
      hint: 'charge through the simulated PSP first (`payops payin run`), or pass --psp-state FILE',
    });
  }
  // As psp settle: the manifest's file is opened first; neither output may be the books or the PSP state.
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
    feeRule: DEFAULT_FEE_RULE,
    clock: Date.now,
  });
  try {
    const manifest = await writeSimBankStatement(engine, {
      ...day,
      format,
      out: flags.out,
      outGuard,
      ...(currency === undefined ? {} : { currency }),
    });
    if (manifestFile) {
      manifestFile.write(`${toJson(manifest)}\n`);
      manifestFile.commit();
    }
    printManifest(context, manifest, `${flags.out} (${flags.date}, ${format}, booking date)`);
  } finally {
    manifestFile?.abort();
    engine.close();
  }
}

/** What was written: each statement's balances, what was injected, and (on stderr) what could not be. */
function printManifest(context: CliContext, manifest: BankStatementManifest, where: string): void {
  context.out(
    `wrote ${manifest.statements.length} statement${manifest.statements.length === 1 ? '' : 's'} to ${where}`,
  );
  for (const s of manifest.statements) {
    context.out(
      `  ${s.account} ${s.currency}: opening ${s.opening.amount}, ${s.entryCount} entries, closing ${s.closing.amount}`,
    );
  }
  for (const injection of manifest.injected)
    context.out(
      `  injected ${injection.kind}: ${injection.reference} ${injection.amount.amount} ${injection.currency}${injection.line === null ? '' : ` at line ${injection.line}`}`,
    );
  for (const skipped of manifest.skipped)
    context.err(`not injected: ${skipped.kind}: ${skipped.reason}`);
}
